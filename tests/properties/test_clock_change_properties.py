"""Deadlines across clock changes (issue 11): one instant arithmetic.

With a cut-off hour inside the changing hour, the rule is: a cut-off that does
not exist (the clock skips it) is the first instant after the gap; an
ambiguous one is its first occurrence. Then, for every aware instant around
both changes of the year, in several time zones, ``is_bookable(t)`` is
``opens_at <= t < closes_at`` — the calendar, the session and the
confirmation all compare instants on one clock.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import periscolaire as ps

# (zone, the day after each change, a cut-off inside the changing hour)
CHANGES = [
    ("Europe/Paris", (date(2024, 10, 28), date(2025, 3, 31)), time(2, 30)),
    ("Europe/London", (date(2024, 10, 28), date(2025, 3, 31)), time(1, 30)),
    ("America/New_York", (date(2024, 11, 4), date(2025, 3, 10)), time(2, 30)),
    ("Australia/Sydney", (date(2024, 10, 7), date(2025, 4, 7)), time(2, 30)),
    # Santiago puts its clock back at midnight (6 April 2025 00:00 is 5 April 23:00
    # again) and forward at midnight (8 September 2024 00:00 is 01:00).
    ("America/Santiago", (date(2025, 4, 6),), time(23, 30)),
    ("America/Santiago", (date(2024, 9, 9),), time(0, 30)),
]


def calendar(zone: str, at: time) -> ps.SchoolCalendar:
    every_day = ps.Activity(
        "ACCUEIL", "Accueil", ps.Season.SCHOOL, (0, 1, 2, 3, 4, 5, 6), ps.DaysBefore(1, at=at)
    )
    return ps.SchoolCalendar(
        zone="A",
        periods=[ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2025, 6, 30))],
        activities=[every_day],
        timezone=zone,
        public_holidays=[],
        school_holidays=[],
    )


@functools.cache
def calendars() -> dict[tuple[str, time], ps.SchoolCalendar]:
    """One calendar per zone and cut-off, built at first use (inside a test, not at import)."""
    return {(zone, at): calendar(zone, at) for zone, _, at in CHANGES}


CASES = [(zone, day, at) for zone, days, at in CHANGES for day in days]


@given(case=st.sampled_from(CASES), offset=st.integers(-36 * 3600, 36 * 3600), micro=st.integers(0, 999_999))
def test_is_bookable_is_exactly_between_opens_at_and_closes_at_around_clock_changes(
    case: tuple[str, date, time], offset: int, micro: int
) -> None:
    zone, day, at = case
    cal = calendars()[(zone, at)]
    opens, closes = cal.opens_at("ACCUEIL", day), cal.closes_at("ACCUEIL", day)
    assert opens is not None
    assert closes is not None
    t = closes + timedelta(seconds=offset, microseconds=micro)
    for instant in (t.astimezone(UTC), t.astimezone(ZoneInfo(zone)), t.astimezone(ZoneInfo("Asia/Tokyo"))):
        assert cal.is_bookable("ACCUEIL", day, instant) == (opens <= instant < closes)
        assert cal.is_cancellable("ACCUEIL", day, instant) == (instant < closes)


@pytest.mark.parametrize(("zone", "day", "at"), CASES)
def test_closes_at_is_a_time_that_exists(zone: str, day: date, at: time) -> None:
    closes = calendars()[(zone, at)].closes_at("ACCUEIL", day)
    assert closes is not None
    # A wall time that exists comes back unchanged through UTC.
    assert closes.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == closes.replace(
        tzinfo=None
    )


def test_paris_a_skipped_cut_off_moves_to_the_end_of_the_gap_an_ambiguous_one_is_the_first() -> None:
    cal = calendars()[("Europe/Paris", time(2, 30))]
    spring = cal.closes_at("ACCUEIL", date(2025, 3, 31))
    autumn = cal.closes_at("ACCUEIL", date(2024, 10, 28))
    assert spring is not None
    assert autumn is not None
    assert spring.astimezone(UTC) == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 03:00 CEST, the gap's end
    assert autumn.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first one
    second_time = datetime(2024, 10, 27, 1, 15, tzinfo=UTC)  # 02:15 CET, after the cut-off
    assert not cal.is_bookable("ACCUEIL", date(2024, 10, 28), second_time)
    assert cal.is_bookable("ACCUEIL", date(2024, 10, 28), datetime(2024, 10, 27, 0, 15, tzinfo=UTC))


def test_a_session_and_its_confirmation_use_the_same_clock() -> None:
    # The selection and the confirmation refuse what the calendar refuses, at the same instant.
    cestas = ps.load_commune()
    accueil = attrs.evolve(cestas.activities["ACCUEIL_MATIN"], deadline=ps.DaysBefore(1, at=time(2, 30)))
    commune = attrs.evolve(cestas, activities={**cestas.activities, "ACCUEIL_MATIN": accueil})
    register = ps.Register(commune)
    family = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    monday = date(2025, 3, 31)  # its deadline: Sunday 30 March at 02:30, which does not exist: 03:00
    first_time = datetime(2025, 3, 30, 0, 59, tzinfo=UTC)  # 01:59 CET, the last minute before the gap
    second_time = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert commune.calendar.is_bookable("ACCUEIL_MATIN", monday, first_time)
    assert not commune.calendar.is_bookable("ACCUEIL_MATIN", monday, second_time)
    late = register.open_session(family, now=second_time, balance=Decimal(0), dossier_complete=True)
    with pytest.raises(ps.NotBookable):
        late.toggle_day("paolo", "ACCUEIL_MATIN", monday)
    early = register.open_session(family, now=first_time, balance=Decimal(0), dossier_complete=True)
    early.toggle_day("paolo", "ACCUEIL_MATIN", monday)
    outcome = early.confirm(second_time)  # confirmed after the cut-off: refused
    assert outcome.accepted == ()
    assert register.status("paolo", "ACCUEIL_MATIN", monday) is None


def test_santiago_a_time_of_the_repeated_hour_before_midnight_read_a_second_time_is_after_the_cut_off() -> (
    None
):
    # 6 April 2025 00:00 is 5 April 23:00 again: a naive 23:15 with fold=1 is the
    # second 23:15, after the cut-off (23:30 the first time), so the day is closed.
    cal = calendars()[("America/Santiago", time(23, 30))]
    sunday = date(2025, 4, 6)
    assert cal.is_bookable("ACCUEIL", sunday, datetime(2025, 4, 5, 23, 15))
    assert not cal.is_bookable("ACCUEIL", sunday, datetime(2025, 4, 5, 23, 15, fold=1))
    assert not cal.is_bookable("ACCUEIL", sunday, datetime(2025, 4, 5, 23, 45))
