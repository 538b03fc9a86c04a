"""The booking rules on a second commune, Vallon (tests/communes/), on every store.

Cestas gives every activity the same rule for booking and cancelling; Vallon
does not: a swapped deadline, a holiday window's own opening ignored, or a
closure applied to the wrong activities pass on Cestas and fail here. Each
test re-checks a rule at its exact instants (guide p. 10-12: « au plus tard »,
and « une vérification est alors effectuée » at confirmation).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import periscolaire as ps
from tests.helpers import last_instant_before
from tests.stores import Backend

VALLON_FILE = Path(__file__).parent / "communes" / "vallon-2024-2025.toml"
PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
OTHERS = [ps.Family(f"F-{n}", n, (ps.Child(f"c-{n}", "Enfant", n),)) for n in ("A", "B", "C", "D")]
SUMMER = datetime(2024, 8, 15, 9)  # period 1 open (12 August)


@pytest.fixture(scope="module")
def vallon() -> ps.Commune:
    return ps.load_commune(VALLON_FILE)


@pytest.fixture
def register(vallon: ps.Commune, backend: Backend) -> ps.Register:
    return backend.register(vallon)


def session(register: ps.Register, now: datetime, family: ps.Family = DUPONT) -> ps.BookingSession:
    return register.open_session(family, now=now, balance=Decimal(0), dossier_complete=True)


def book(
    register: ps.Register, code: str, day: date, now: datetime = SUMMER, family: ps.Family = DUPONT
) -> ps.Outcome:
    s = session(register, now, family)
    s.toggle_day(family.children[0].id, code, day)
    return s.confirm(now)


def at(instant: datetime | None) -> datetime:
    """A calendar instant as the naive local time sessions are given."""
    assert instant is not None
    return instant.replace(tzinfo=None)


# -- cancelling has its own deadline -------------------------------------------------------


def test_morning_care_is_cancelled_after_its_booking_deadline_until_its_own(register: ps.Register) -> None:
    # Thursday 12 September: booked until Tuesday 10, 18:00; cancelled until Wednesday 11, noon.
    thursday = date(2024, 9, 12)
    assert book(register, "ACCUEIL_MATIN", thursday).accepted
    s = session(register, datetime(2024, 9, 10, 20))  # bookings for Thursday are closed
    assert s.toggle_day("paolo", "ACCUEIL_MATIN", thursday) is False  # its cancellation is still open
    outcome = s.confirm(datetime(2024, 9, 11, 11, 59, 59))
    assert outcome.cancelled == (ps.Request("paolo", "ACCUEIL_MATIN", thursday),)
    again = session(register, datetime(2024, 9, 11, 11, 59, 59))
    with pytest.raises(ps.NotBookable) as info:
        again.toggle_day("paolo", "ACCUEIL_MATIN", thursday)  # booking it again: closed
    assert info.value.code == "past_deadline"


def test_a_cancellation_selected_before_its_deadline_and_confirmed_after_it_is_refused(
    register: ps.Register,
) -> None:
    thursday = date(2024, 9, 12)
    book(register, "ACCUEIL_MATIN", thursday)
    s = session(register, datetime(2024, 9, 11, 11))
    s.toggle_day("paolo", "ACCUEIL_MATIN", thursday)
    outcome = s.confirm(at(register.calendar.cancel_closes_at("ACCUEIL_MATIN", thursday)))  # noon exactly
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "ACCUEIL_MATIN", thursday), "past_deadline"),)
    assert register.status("paolo", "ACCUEIL_MATIN", thursday) is ps.ReservationStatus.ACCEPTED
    assert [m.kind for m in register.untransmitted()["F-DUPONT"]] == [ps.MovementKind.ACCEPTED]


def test_the_canteen_books_until_the_thursday_before_and_cancels_until_two_days_before(
    vallon: ps.Commune,
) -> None:
    cal = vallon.calendar
    monday = date(2024, 9, 16)
    assert at(cal.closes_at("RESTAURATION", monday)) == datetime(2024, 9, 12, 10)
    assert at(cal.cancel_closes_at("RESTAURATION", monday)) == datetime(2024, 9, 15)
    assert cal.is_cancellable("RESTAURATION", monday, datetime(2024, 9, 14, 23, 59))
    assert not cal.is_bookable("RESTAURATION", monday, datetime(2024, 9, 14, 23, 59))


# -- exact instants at confirmation ---------------------------------------------------------


def test_a_booking_confirmed_exactly_at_its_deadline_is_refused(register: ps.Register) -> None:
    thursday, friday = date(2024, 9, 12), date(2024, 9, 13)
    closes = at(register.calendar.closes_at("ACCUEIL_MATIN", thursday))  # Tuesday 10 September, 18:00
    s = session(register, datetime(2024, 9, 10, 17))
    s.toggle_day("paolo", "ACCUEIL_MATIN", thursday)
    s.toggle_day("paolo", "ACCUEIL_MATIN", friday)
    outcome = s.confirm(closes)
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "ACCUEIL_MATIN", thursday), "past_deadline"),)
    assert outcome.accepted == (ps.Request("paolo", "ACCUEIL_MATIN", friday),)


def test_a_booking_confirmed_one_microsecond_before_its_deadline_is_accepted(register: ps.Register) -> None:
    thursday = date(2024, 9, 12)
    closes = at(register.calendar.closes_at("ACCUEIL_MATIN", thursday))
    s = session(register, datetime(2024, 9, 10, 17))
    s.toggle_day("paolo", "ACCUEIL_MATIN", thursday)
    assert s.confirm(last_instant_before(closes)).accepted


def test_a_booking_confirmed_just_before_its_period_opens_is_refused(register: ps.Register) -> None:
    january = date(2025, 1, 8)
    opens = at(register.calendar.opens_at("MERCREDI", january))  # period 3 opens Monday 2 December
    change = {("paolo", "MERCREDI", january): True}
    outcome = register.confirm(DUPONT, change, last_instant_before(opens))
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "MERCREDI", january), "not_open_yet"),)
    assert register.status("paolo", "MERCREDI", january) is None
    assert register.confirm(DUPONT, change, opens).accepted


# -- a rule crossing January ------------------------------------------------------------------


def test_wednesdays_of_january_close_on_the_twentieth_of_december(vallon: ps.Commune) -> None:
    cal = vallon.calendar
    january = date(2025, 1, 8)
    assert cal.is_bookable("MERCREDI", january, datetime(2024, 12, 20, 23, 59, 59))
    assert not cal.is_bookable("MERCREDI", january, datetime(2024, 12, 21))
    # ... and are cancelled until ten days before.
    assert cal.is_cancellable("MERCREDI", january, datetime(2024, 12, 29, 23, 59))
    assert not cal.is_cancellable("MERCREDI", january, datetime(2024, 12, 30))


# -- a holiday window with its own opening ----------------------------------------------------


def test_the_holiday_centre_opens_on_its_window_date_not_the_period_opening(register: ps.Register) -> None:
    monday = date(2024, 10, 21)
    s = session(register, datetime(2024, 9, 15, 23, 59))  # period 1 has been open since 12 August
    with pytest.raises(ps.NotBookable) as info:
        s.toggle_day("paolo", "VACANCES", monday)
    assert info.value.code == "not_open_yet"
    assert book(register, "VACANCES", monday, datetime(2024, 9, 16)).accepted


def test_the_holiday_centre_waiting_list_moves_within_the_cancellation_deadline(
    register: ps.Register,
) -> None:
    monday = date(2024, 10, 21)
    opening = datetime(2024, 9, 16, 9)
    first, second, third = OTHERS[:3]
    assert book(register, "VACANCES", monday, opening, first).accepted
    assert book(register, "VACANCES", monday, opening, second).accepted
    assert book(register, "VACANCES", monday, opening, third).waitlisted  # 2 places
    # 10 October: bookings closed on 1 October, cancellations open until 15 October.
    late = datetime(2024, 10, 10, 9)
    with pytest.raises(ps.NotBookable):
        session(register, late).toggle_day("paolo", "VACANCES", monday)
    assert book(register, "VACANCES", monday, late, first).cancelled
    assert register.status("c-C", "VACANCES", monday) is ps.ReservationStatus.ACCEPTED
    assert [p.family for p in register.pending_promotions()] == ["F-C"]


# -- closures -----------------------------------------------------------------------------------


def test_a_closure_for_every_activity_closes_each_of_them(register: ps.Register) -> None:
    s = session(register, SUMMER)
    friday = date(2024, 9, 27)
    for code in ("ACCUEIL_MATIN", "RESTAURATION"):
        assert friday not in s.toggle_week("paolo", code, friday)
        with pytest.raises(ps.NotBookable) as info:
            s.toggle_day("paolo", code, friday)
        assert info.value.code == "not_running"


def test_a_closure_for_some_activities_leaves_the_others_open(register: ps.Register) -> None:
    s = session(register, datetime(2024, 9, 20, 9))
    thursday = date(2024, 10, 10)
    assert thursday not in s.toggle_week("paolo", "RESTAURATION", thursday)
    assert thursday in s.toggle_week("paolo", "ACCUEIL_MATIN", thursday)
    assert not register.calendar.runs_on("MERCREDI", date(2024, 10, 9))


# -- places -------------------------------------------------------------------------------------


def test_a_capacity_override_does_not_spill_onto_the_neighbouring_full_day(register: ps.Register) -> None:
    sept_18, sept_25 = date(2024, 9, 18), date(2024, 9, 25)
    for family in OTHERS[:3]:
        assert book(register, "MERCREDI", sept_18, family=family).accepted
        assert book(register, "MERCREDI", sept_25, family=family).accepted
    register.set_capacity("MERCREDI", sept_18, 5)  # an agent opens two more places on the 18th only
    s = session(register, SUMMER)
    s.toggle_day("paolo", "MERCREDI", sept_18)
    s.toggle_day("paolo", "MERCREDI", sept_25)
    outcome = s.confirm(SUMMER)
    assert outcome.accepted == (ps.Request("paolo", "MERCREDI", sept_18),)
    assert outcome.waitlisted == (ps.Request("paolo", "MERCREDI", sept_25),)
    assert (register.places_left("MERCREDI", sept_18), register.places_left("MERCREDI", sept_25)) == (1, 0)
