"""The calendar's rules on the second test commune, Vallon (tests/communes/).

Cestas gives every activity the same kind of deadline, closes one activity on
one day and opens its holiday windows with the booking periods; Vallon (zone C)
gives each activity its own deadline and cancellation deadline, closes every
activity on one day and some on others, has a deadline crossing January and a
holiday window whose bookings open on a date of its own (16 September 2024,
not period 1's 12 August). A rule right by accident on Cestas fails here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import periscolaire as ps
from tests.helpers import last_instant_before

VALLON_FILE = Path(__file__).parent / "communes" / "vallon-2024-2025.toml"
PARIS = ZoneInfo("Europe/Paris")
SCHOOL_TIME = ("ACCUEIL_MATIN", "RESTAURATION")


@pytest.fixture
def vallon() -> ps.SchoolCalendar:
    # Built for each test (not once for the module): a mutation run then knows
    # that every test here depends on how the calendar is built.
    return ps.load_commune(VALLON_FILE).calendar


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


# -- closures (guide p. 15: « exceptionnellement fermé ») ----------------------------------


def test_a_closure_for_every_activity_closes_each_of_them(vallon: ps.SchoolCalendar) -> None:
    # Friday 27 September 2024, « journée pédagogique »: no activity runs.
    friday = date(2024, 9, 27)
    for code in SCHOOL_TIME:
        assert not vallon.runs_on(code, friday), code
        assert vallon.state(code, friday, datetime(2024, 9, 1)) is ps.DayState.NOT_RUNNING
        assert vallon.runs_on(code, date(2024, 9, 26)), code  # the day before runs
        assert vallon.runs_on(code, date(2024, 9, 30)), code  # and the Monday after


def test_a_closure_for_some_activities_leaves_the_others_open(vallon: ps.SchoolCalendar) -> None:
    # 9-10 October 2024: the canteen and the Wednesday centre only.
    assert not vallon.runs_on("MERCREDI", date(2024, 10, 9))
    assert not vallon.runs_on("RESTAURATION", date(2024, 10, 10))
    assert vallon.runs_on("ACCUEIL_MATIN", date(2024, 10, 10))
    assert vallon.runs_on("RESTAURATION", date(2024, 10, 11))  # the day after the closure
    assert vallon.runs_on("MERCREDI", date(2024, 10, 16))


# -- opening dates -----------------------------------------------------------------------------


def test_a_holiday_window_opens_on_its_own_date_not_the_period_opening(vallon: ps.SchoolCalendar) -> None:
    # Toussaint 2024: bookings open on 16 September, not with period 1 (12 August).
    toussaint = vallon.running_days("VACANCES", date(2024, 10, 19), date(2024, 11, 3))
    assert toussaint[0] == date(2024, 10, 21)
    assert vallon.period(1).opens == date(2024, 8, 12)
    for day in toussaint:
        assert vallon.opens_at("VACANCES", day) == paris(2024, 9, 16), day
        assert vallon.state("VACANCES", day, datetime(2024, 9, 15, 23, 59)) is ps.DayState.NOT_OPEN_YET
    assert vallon.is_bookable("VACANCES", date(2024, 10, 21), datetime(2024, 9, 16))
    # The school days of period 1 still open on 12 August.
    assert vallon.opens_at("RESTAURATION", date(2024, 9, 2)) == paris(2024, 8, 12)


@pytest.mark.parametrize(
    ("holidays", "first_day", "period"),
    [
        ((date(2024, 12, 21), date(2025, 1, 5)), date(2024, 12, 23), 2),  # Christmas
        ((date(2025, 2, 15), date(2025, 3, 2)), date(2025, 2, 17), 3),  # winter, zone C
        ((date(2025, 4, 12), date(2025, 4, 27)), date(2025, 4, 14), 4),  # spring, zone C
    ],
)
def test_holidays_between_two_periods_open_with_the_period_before_them(
    vallon: ps.SchoolCalendar, holidays: tuple[date, date], first_day: date, period: int
) -> None:
    # No Vallon period covers its holidays: they open with the one that precedes
    # them (« ouvertes à partir du dernier jour d'école précédant les vacances », p. 10).
    days = vallon.running_days("VACANCES", *holidays)
    assert days[0] == first_day
    opening = datetime.combine(vallon.period(period).opens, time(0), PARIS)
    for day in days:
        assert vallon.period_of(day) is None
        assert vallon.opens_at("VACANCES", day) == opening, day


def test_zone_c_has_its_own_winter_holidays(vallon: ps.SchoolCalendar) -> None:
    assert vallon.zone == "C"
    assert vallon.holiday_of(date(2025, 2, 17)).start == date(2025, 2, 15)  # type: ignore[union-attr]
    assert vallon.is_school_holiday(date(2025, 2, 17))
    assert not vallon.is_school_holiday(date(2025, 3, 3))  # zone A's winter holidays, not C's
    assert vallon.runs_on("RESTAURATION", date(2025, 3, 3))


# -- each activity its own deadline ----------------------------------------------------------


def test_morning_care_books_two_days_before_until_18h_and_cancels_the_day_before_until_noon(
    vallon: ps.SchoolCalendar,
) -> None:
    thursday = date(2024, 9, 12)
    assert vallon.closes_at("ACCUEIL_MATIN", thursday) == paris(2024, 9, 10, 18)
    assert vallon.cancel_closes_at("ACCUEIL_MATIN", thursday) == paris(2024, 9, 11, 12)
    assert vallon.last_booking_day("ACCUEIL_MATIN", thursday) == date(2024, 9, 10)


@pytest.mark.parametrize(
    ("day", "thursday"),
    [
        (date(2024, 9, 16), date(2024, 9, 12)),  # Monday: the Thursday before
        (date(2024, 9, 19), date(2024, 9, 12)),  # a Thursday: the one a week before, not itself
        (date(2024, 9, 20), date(2024, 9, 19)),  # Friday: the day before
    ],
)
def test_the_canteen_books_until_the_thursday_strictly_before_at_10h(
    vallon: ps.SchoolCalendar, day: date, thursday: date
) -> None:
    assert vallon.closes_at("RESTAURATION", day) == datetime.combine(thursday, time(10), PARIS)
    assert vallon.cancel_closes_at("RESTAURATION", day) == datetime.combine(
        day - timedelta(days=1), time(0), PARIS
    )


@pytest.mark.parametrize(
    ("wednesday", "twentieth"),
    [
        (date(2024, 12, 11), date(2024, 11, 20)),
        (date(2025, 1, 8), date(2024, 12, 20)),  # January: the 20th of December of the year before
        (date(2025, 1, 29), date(2024, 12, 20)),
        (date(2025, 2, 5), date(2025, 1, 20)),
    ],
)
def test_the_wednesday_centre_books_until_the_twentieth_of_the_month_before(
    vallon: ps.SchoolCalendar, wednesday: date, twentieth: date
) -> None:
    assert vallon.last_booking_day("MERCREDI", wednesday) == twentieth
    assert vallon.closes_at("MERCREDI", wednesday) == datetime.combine(
        twentieth + timedelta(days=1), time(0), PARIS
    )
    # ... and cancels until ten days before.
    assert vallon.cancel_closes_at("MERCREDI", wednesday) == datetime.combine(
        wednesday - timedelta(days=9), time(0), PARIS
    )


@pytest.mark.parametrize(
    ("holidays", "first_day"),
    [
        ((date(2024, 10, 19), date(2024, 11, 3)), date(2024, 10, 21)),
        ((date(2024, 12, 21), date(2025, 1, 5)), date(2024, 12, 23)),
        ((date(2025, 2, 15), date(2025, 3, 2)), date(2025, 2, 17)),
        ((date(2025, 4, 12), date(2025, 4, 27)), date(2025, 4, 14)),
    ],
)
def test_the_holiday_centre_counts_from_its_first_day(
    vallon: ps.SchoolCalendar, holidays: tuple[date, date], first_day: date
) -> None:
    # anchor = "first_day": 21 days (booking) and 7 days (cancelling) before the
    # first day the centre runs, for every day of the holiday period.
    for day in vallon.running_days("VACANCES", *holidays):
        assert vallon.holiday_start(day) == holidays[0]
        assert vallon.last_booking_day("VACANCES", day) == first_day - timedelta(days=21)
        closes = vallon.cancel_closes_at("VACANCES", day)
        assert closes == datetime.combine(first_day - timedelta(days=6), time(0), PARIS)


def test_toussaint_books_from_16_september_until_30_september(vallon: ps.SchoolCalendar) -> None:
    monday = date(2024, 10, 21)
    assert not vallon.is_bookable("VACANCES", monday, last_instant_before(datetime(2024, 9, 16)))
    assert vallon.is_bookable("VACANCES", monday, datetime(2024, 9, 16))
    assert vallon.is_bookable("VACANCES", monday, last_instant_before(datetime(2024, 10, 1)))
    assert not vallon.is_bookable("VACANCES", monday, datetime(2024, 10, 1))
    assert vallon.is_cancellable("VACANCES", monday, last_instant_before(datetime(2024, 10, 15)))
    assert not vallon.is_cancellable("VACANCES", monday, datetime(2024, 10, 15))


def test_holiday_periods_are_the_zone_c_holidays_named_after_them(vallon: ps.SchoolCalendar) -> None:
    assert [(h.start, h.end, h.label) for h in vallon.holiday_periods] == [
        (date(2024, 10, 19), date(2024, 11, 3), "Vacances de la Toussaint 2024"),  # configured
        (date(2024, 12, 21), date(2025, 1, 5), "Vacances de Noël"),
        (date(2025, 2, 15), date(2025, 3, 2), "Vacances d'hiver"),
        (date(2025, 4, 12), date(2025, 4, 27), "Vacances de printemps"),
    ]
    assert vallon.holiday_of(date(2025, 5, 30)) is None  # the Ascension bridge is not one
