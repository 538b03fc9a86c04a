"""The second validation (guide p. 12), on every store: « une vérification est
alors effectuée pour contrôler que les journées demandées sont toujours
disponibles ».

Cancellations are decided first, and a place they free goes to the head of
the waiting list before any new request; then each booking, in the order
selected, takes a free place, else waits (where the activity has a list), else
is refused. What the confirmation decided is what the family's screen shows
next, and what the store counts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import periscolaire as ps
from tests.stores import Backend

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
AMALIA = ps.Child("amalia", "Amalia", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA))
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"),))
BERNARD = ps.Family("F-BERNARD", "BERNARD", (ps.Child("tom", "Tom", "BERNARD"),))
OPENING_WEEK = datetime(2024, 8, 26, 10)  # period 1 is open (19 August)
LATER = datetime(2024, 9, 2, 18)
SEPT_18, SEPT_25 = date(2024, 9, 18), date(2024, 9, 25)
VALLON_FILE = Path(__file__).parent / "communes" / "vallon-2024-2025.toml"
OTHERS = [ps.Family(f"F-{n}", n, (ps.Child(f"c-{n}", "Enfant", n),)) for n in "ABCDE"]


def open_for(
    register: ps.Register, family: ps.Family = DUPONT, now: datetime = OPENING_WEEK
) -> ps.BookingSession:
    return register.open_session(family, now=now, balance=Decimal(0), dossier_complete=True)


def book(register: ps.Register, family: ps.Family, child: str, *days: date) -> ps.Outcome:
    session = open_for(register, family)
    for day in days:
        session.toggle_day(child, "MERCREDI", day)
    return session.confirm(OPENING_WEEK)


def counts(register: ps.Register, day: date = SEPT_18) -> tuple[int, int]:
    """(accepted, waiting) as the store keeps them for the day."""
    slot = register.store.bookings(register.commune.store_key).slot("MERCREDI", day)
    return slot.taken, slot.waiting


def cell(session: ps.BookingSession, child: str, day: date) -> tuple[bool, bool, ps.WaitingRank | None]:
    """(booked, waitlisted, rank) as the month grid shows the day."""
    found = next(c for c in session.month(child, "MERCREDI", 2024, 9) if c.day == day)
    return found.booked, found.waitlisted, found.waiting_rank


# -- what the family's screen shows next --------------------------------------------------------


def test_after_confirming_the_screen_shows_each_day_as_decided(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    assert book(register, MARTIN, "lea", SEPT_18).accepted
    session = open_for(register)
    session.toggle_day("paolo", "MERCREDI", SEPT_18)
    session.toggle_day("paolo", "MERCREDI", SEPT_25)
    outcome = session.confirm(OPENING_WEEK)
    assert (outcome.waitlisted, outcome.accepted) == (
        (ps.Request("paolo", "MERCREDI", SEPT_18),),
        (ps.Request("paolo", "MERCREDI", SEPT_25),),
    )
    assert cell(session, "paolo", SEPT_18) == (True, True, ps.WaitingRank(1, None))
    assert cell(session, "paolo", SEPT_25) == (True, False, None)
    # Both are this account's: it may cancel them at once.
    assert session.toggle_day("paolo", "MERCREDI", SEPT_25) is False
    assert session.toggle_day("paolo", "MERCREDI", SEPT_18) is False


def test_after_a_cancellation_the_screen_shows_the_child_promoted_in_its_place(register: ps.Register) -> None:
    # One place, Amalia's; Paolo waits. Cancelling Amalia's day gives Paolo the place.
    register.set_capacity("MERCREDI", SEPT_18, 1)
    assert book(register, DUPONT, "amalia", SEPT_18).accepted
    assert book(register, DUPONT, "paolo", SEPT_18).waitlisted
    session = open_for(register, now=LATER)
    session.toggle_day("amalia", "MERCREDI", SEPT_18)
    outcome = session.confirm(LATER)
    assert outcome.cancelled == (ps.Request("amalia", "MERCREDI", SEPT_18),)
    assert cell(session, "amalia", SEPT_18) == (False, False, None)
    assert cell(session, "paolo", SEPT_18) == (True, False, None)
    assert session.toggle_day("paolo", "MERCREDI", SEPT_18) is False  # the family's own place
    assert register.take_promotions() == (
        ps.Promotion(ps.Request("paolo", "MERCREDI", SEPT_18), "F-DUPONT", LATER),
    )


def test_a_cancellation_made_elsewhere_shows_the_day_free(register: ps.Register) -> None:
    assert book(register, DUPONT, "paolo", SEPT_25).accepted
    first, second = open_for(register), open_for(register)
    first.toggle_day("paolo", "MERCREDI", SEPT_25)
    second.toggle_day("paolo", "MERCREDI", SEPT_25)
    assert first.confirm(OPENING_WEEK).cancelled
    assert second.confirm(OPENING_WEEK).refused == (
        ps.Rejection(ps.Request("paolo", "MERCREDI", SEPT_25), "not_booked"),
    )
    assert cell(second, "paolo", SEPT_25) == (False, False, None)
    assert second.toggle_day("paolo", "MERCREDI", SEPT_25) is True  # free: booking it again


# -- what the store counts --------------------------------------------------------------------


def test_the_store_counts_each_slots_accepted_and_waiting_reservations(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    book(register, MARTIN, "lea", SEPT_18)
    book(register, DUPONT, "paolo", SEPT_18)
    book(register, BERNARD, "tom", SEPT_18)
    assert counts(register) == (1, 2)
    book(register, BERNARD, "tom", SEPT_25)  # another day of the activity: nobody waits there
    assert counts(register, SEPT_25) == (1, 0)
    cancel = open_for(register, now=LATER)
    cancel.toggle_day("paolo", "MERCREDI", SEPT_18)  # a waiting request withdrawn
    assert cancel.confirm(LATER).cancelled
    assert counts(register) == (1, 1)
    assert register.waiting_list("MERCREDI", SEPT_18) == (ps.Request("tom", "MERCREDI", SEPT_18),)
    martin = open_for(register, MARTIN, now=LATER)
    martin.toggle_day("lea", "MERCREDI", SEPT_18)  # the place freed goes to Tom
    assert martin.confirm(LATER).cancelled
    assert counts(register) == (1, 0)
    assert register.status("tom", "MERCREDI", SEPT_18) is ps.ReservationStatus.ACCEPTED


# -- the order of the decision ----------------------------------------------------------------


def test_a_place_freed_in_a_confirmation_goes_to_the_waiting_list_before_its_own_bookings(
    register: ps.Register,
) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    book(register, DUPONT, "paolo", SEPT_18)  # the place
    book(register, MARTIN, "lea", SEPT_18)  # waits
    session = open_for(register, now=LATER)
    session.toggle_day("amalia", "MERCREDI", SEPT_18)  # selected first,
    session.toggle_day("paolo", "MERCREDI", SEPT_18)  # cancelled first all the same
    outcome = session.confirm(LATER)
    assert outcome.cancelled == (ps.Request("paolo", "MERCREDI", SEPT_18),)
    assert outcome.waitlisted == (ps.Request("amalia", "MERCREDI", SEPT_18),)
    assert register.status("lea", "MERCREDI", SEPT_18) is ps.ReservationStatus.ACCEPTED
    assert register.waiting_list("MERCREDI", SEPT_18) == (ps.Request("amalia", "MERCREDI", SEPT_18),)


def test_a_place_freed_with_nobody_waiting_goes_to_a_booking_of_the_same_confirmation(
    register: ps.Register,
) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    book(register, DUPONT, "paolo", SEPT_18)
    session = open_for(register, now=LATER)
    session.toggle_day("amalia", "MERCREDI", SEPT_18)
    session.toggle_day("paolo", "MERCREDI", SEPT_18)
    outcome = session.confirm(LATER)
    assert (outcome.cancelled, outcome.accepted) == (
        (ps.Request("paolo", "MERCREDI", SEPT_18),),
        (ps.Request("amalia", "MERCREDI", SEPT_18),),
    )
    assert register.take_promotions() == ()


def test_bookings_take_the_last_places_in_the_order_selected(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    session = open_for(register)
    session.toggle_day("amalia", "MERCREDI", SEPT_18)
    session.toggle_day("paolo", "MERCREDI", SEPT_18)
    outcome = session.confirm(OPENING_WEEK)
    assert outcome.accepted == (ps.Request("amalia", "MERCREDI", SEPT_18),)
    assert outcome.waitlisted == (ps.Request("paolo", "MERCREDI", SEPT_18),)
    assert counts(register) == (1, 1)


# -- a closure declared after bookings ------------------------------------------------------------


def test_a_day_closed_after_it_was_booked_is_not_cancelled_by_the_family(register: ps.Register) -> None:
    # The commune closes Wednesday 25 September once Paolo has it (a closure, guide p. 15):
    # the family's cancellation is refused, the activity does not run that day.
    assert book(register, DUPONT, "paolo", SEPT_25).accepted
    commune = register.commune
    closure = ps.Closure(SEPT_25, SEPT_25, ("MERCREDI",), "Sortie annulée")
    closed = ps.Register(attrs.evolve(commune, closures=(*commune.closures, closure)), store=register.store)
    session = open_for(closed)
    with pytest.raises(ps.NotBookable) as info:
        session.toggle_day("paolo", "MERCREDI", SEPT_25)
    assert info.value.code == "not_running"
    outcome = closed.confirm(DUPONT, {("paolo", "MERCREDI", SEPT_25): False}, OPENING_WEEK)
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "MERCREDI", SEPT_25), "not_running"),)
    assert closed.status("paolo", "MERCREDI", SEPT_25) is ps.ReservationStatus.ACCEPTED


# -- naming what is asked about -------------------------------------------------------------------


def test_asking_about_an_activity_the_commune_does_not_offer_names_it(register: ps.Register) -> None:
    for ask in (register.taken, register.places_left, register.capacity):
        with pytest.raises(ps.UnknownActivity) as info:
            ask("PISCINE", SEPT_18)
        assert info.value.activity == "PISCINE"
        with pytest.raises(ps.InvalidArgument) as bad:
            ask("", SEPT_18)
        assert bad.value.message.startswith("code : ")


@pytest.mark.parametrize(
    "change",
    [
        {(42, "MERCREDI", SEPT_18): False},
        {("paolo", 42, SEPT_18): False},
        {("paolo", "MERCREDI", "2024-09-18"): False},
        {("paolo", "MERCREDI", "2024-09-18"): True},
        {("paolo", "MERCREDI"): False},
        {("paolo", "MERCREDI", SEPT_18, "matin"): True},
        {("paolo", "MERCREDI", SEPT_18): "cancel"},
        {("paolo", "MERCREDI", SEPT_18): 0},
    ],
)
def test_a_change_that_is_not_child_activity_day_to_true_or_false_is_a_typed_error(
    register: ps.Register, change: dict[object, object]
) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        register.confirm(DUPONT, change, OPENING_WEEK)  # type: ignore[arg-type]
    assert repr(next(iter(change))) in info.value.message  # names the change
    assert len(register) == 0


@pytest.mark.parametrize(
    ("key", "error", "named"),
    [
        (("lea", "MERCREDI", SEPT_18), ps.UnknownChild, "lea"),
        (("paolo", "PISCINE", SEPT_18), ps.UnknownActivity, "PISCINE"),
        (("paolo", "", SEPT_18), ps.UnknownActivity, ""),
    ],
)
@pytest.mark.parametrize("action", [True, False])
def test_a_change_for_a_child_of_another_family_or_an_unknown_activity_names_it(
    register: ps.Register,
    key: tuple[str, str, date],
    error: type[ps.PeriscolaireError],
    named: str,
    action: bool,
) -> None:
    with pytest.raises(error) as info:
        register.confirm(DUPONT, {key: action}, OPENING_WEEK)
    assert getattr(info.value, "child" if error is ps.UnknownChild else "activity") == named
    assert len(register) == 0


# -- the same rules as when selecting, checked again --------------------------------------------


def test_the_confirmation_refuses_what_the_account_may_not_book(register: ps.Register) -> None:
    # Changes that reach the register without a screen (a host's API, saved changes):
    # a child not enrolled in the activity, a day that is not a custody day of the account.
    amalia = ps.Child("amalia", "Amalia", "DUPONT", activities={"RESTAURATION"})
    father = ps.Family(
        "F-PERE", "DURAND", (PAOLO, amalia), custody=ps.AlternateWeeks(reference=date(2024, 9, 2))
    )
    changes = {
        ("amalia", "MERCREDI", SEPT_18): True,
        ("paolo", "RESTAURATION", date(2024, 9, 9)): True,  # the mother's week
        ("paolo", "RESTAURATION", date(2024, 9, 16)): True,  # the father's week
        ("paolo", "RESTAURATION", date(2024, 9, 18)): True,  # a Wednesday: no canteen
    }
    outcome = register.confirm(father, changes, OPENING_WEEK)
    assert [(r.request.child, r.code) for r in outcome.refused] == [
        ("amalia", "not_enrolled"),
        ("paolo", "not_custody_day"),
        ("paolo", "not_running"),
    ]
    assert outcome.accepted == (ps.Request("paolo", "RESTAURATION", date(2024, 9, 16)),)


def test_a_cancellation_refused_at_confirmation_leaves_the_day_booked_on_screen(
    register: ps.Register,
) -> None:
    monday = date(2024, 9, 2)
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", monday)
    session.confirm(OPENING_WEEK)
    late = open_for(register, now=datetime(2024, 8, 30, 23, 50))
    late.toggle_day("paolo", "RESTAURATION", monday)  # still in time when selected
    instant = datetime(2024, 8, 31, 0, 1)
    assert late.confirm(instant).refused == (
        ps.Rejection(ps.Request("paolo", "RESTAURATION", monday), "past_deadline"),
    )
    assert late.is_booked("paolo", "RESTAURATION", monday)
    assert late.now == instant  # the session's clock is the confirmation's
    with pytest.raises(ps.NotBookable) as info:
        late.toggle_day("paolo", "RESTAURATION", monday)
    assert info.value.code == "past_deadline"


def test_a_saved_cancellation_of_a_day_nobody_booked_is_refused(register: ps.Register) -> None:
    session = open_for(register)
    saved = {
        "family": "F-DUPONT",
        "pending": [{"child": "paolo", "activity": "MERCREDI", "day": "2024-09-25", "action": "cancel"}],
    }
    session.restore(saved)
    assert session.confirm(OPENING_WEEK).refused == (
        ps.Rejection(ps.Request("paolo", "MERCREDI", SEPT_25), "not_booked"),
    )
    assert not session.is_booked("paolo", "MERCREDI", SEPT_25)
    assert len(register) == 0


# -- the places of the day a place is freed ----------------------------------------------------


@pytest.mark.parametrize(("day", "places"), [(SEPT_18, 3), (SEPT_25, 2)])
def test_a_place_freed_goes_to_one_waiting_request_whatever_the_days_places(
    backend: Backend, day: date, places: int
) -> None:
    # Vallon's Wednesday centre has 3 places, and 2 on the 25th (capacity_overrides).
    vallon = ps.load_commune(VALLON_FILE)
    activities = dict(vallon.activities)
    activities["MERCREDI"] = attrs.evolve(activities["MERCREDI"], capacity_overrides=((SEPT_25, 2),))
    register = backend.register(attrs.evolve(vallon, activities=activities))
    summer = datetime(2024, 8, 15, 9)
    outcomes = []
    for family in OTHERS[: places + 2]:
        session = open_for(register, family, now=summer)
        session.toggle_day(family.children[0].id, "MERCREDI", day)
        outcomes.append(session.confirm(summer))
    assert [bool(o.accepted) for o in outcomes] == [True] * places + [False, False]
    first = open_for(register, OTHERS[0], now=datetime(2024, 9, 1, 9))
    first.toggle_day("c-A", "MERCREDI", day)
    assert first.confirm(datetime(2024, 9, 1, 9)).cancelled
    waiting = [f.children[0].id for f in OTHERS[places : places + 2]]
    assert [p.request.child for p in register.take_promotions()] == waiting[:1]
    assert register.waiting_list("MERCREDI", day) == (ps.Request(waiting[1], "MERCREDI", day),)
