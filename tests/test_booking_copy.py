"""Copying a booking pattern to another child or activity (guide p. 11), on every store.

« Sélectionnez l'enfant, l'activité et la période pour lesquels vous venez de
faire des réservations et que vous souhaitez recopier ... Un contrôle est fait
et si certaines réservations ne peuvent pas être recopiées (plus de place
disponible, ...) cet écran vous affiche la liste de ces réservations non
importées. » The days copied are those of the chosen period only; the places
left count every booking the family already has pending that day; an activity
with a waiting list takes every day (a full one waits at confirmation); a day
refused is refused for the first rule it breaks.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import periscolaire as ps
from tests.helpers import cestas_with
from tests.stores import Backend

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
AMALIA = ps.Child("amalia", "Amalia", "DUPONT")
TOM = ps.Child("tom", "Tom", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA, TOM))
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"),))
OPENING_WEEK = datetime(2024, 8, 26, 10)  # period 1 is open (19 August)
SEPT_12, SEPT_13 = date(2024, 9, 12), date(2024, 9, 13)
VALLON_FILE = Path(__file__).parent / "communes" / "vallon-2024-2025.toml"


def open_for(
    register: ps.Register, family: ps.Family = DUPONT, now: datetime = OPENING_WEEK
) -> ps.BookingSession:
    return register.open_session(family, now=now, balance=Decimal(0), dossier_complete=True)


def book(register: ps.Register, family: ps.Family, child: str, code: str, *days: date) -> None:
    session = open_for(register, family)
    for day in days:
        session.toggle_day(child, code, day)
    outcome = session.confirm(OPENING_WEEK)
    assert len(outcome.accepted) == len(days)


def canteen_with_places(backend: Backend, places: int, *configured: tuple[date, int]) -> ps.Register:
    """Cestas whose canteen has ``places`` a day and no waiting list (and other
    numbers of places on some days, ``capacity_overrides``)."""
    commune = ps.Commune.from_toml(
        cestas_with(
            'wallet = "RESTAURATION"                 # ILLUSTRATIVE',
            f'wallet = "RESTAURATION"\ncapacity = {places}',
        )
    )
    activities = dict(commune.activities)
    activities["RESTAURATION"] = attrs.evolve(activities["RESTAURATION"], capacity_overrides=configured)
    return backend.register(attrs.evolve(commune, activities=activities))


def rejected(rejections: tuple[ps.Rejection, ...]) -> list[tuple[str, date, str]]:
    return [(r.request.child, r.request.day, r.code) for r in rejections]


# -- which days -------------------------------------------------------------------------------


def test_copy_repeats_only_the_days_of_the_chosen_period(backend: Backend) -> None:
    # On Vallon, on 7 October 2024, period 1 (to 18 October) and period 2 (from
    # 4 November, open since 7 October) can both be booked.
    register = backend.register(ps.load_commune(VALLON_FILE))
    session = open_for(register, now=datetime(2024, 10, 7, 9))
    october, november = date(2024, 10, 14), date(2024, 11, 4)
    session.toggle_day("paolo", "RESTAURATION", october)
    session.toggle_day("paolo", "RESTAURATION", november)
    assert session.copy("paolo", "RESTAURATION", "paolo", "ACCUEIL_MATIN", 2) == ()
    assert [r.day for r in session.recap().bookings if r.activity == "ACCUEIL_MATIN"] == [november]
    assert session.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", 1) == ()
    assert [r.day for r in session.recap().bookings if r.child == "amalia"] == [october]


@pytest.mark.parametrize("period", [True, "1", 1.0, None])
def test_copy_needs_a_period_or_its_number(register: ps.Register, period: Any) -> None:
    session = open_for(register)
    with pytest.raises(ps.InvalidArgument) as info:
        session.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", period)
    assert info.value.message.startswith("period : ")
    assert not session.recap()


# -- places --------------------------------------------------------------------------------


def test_copy_counts_every_booking_of_the_family_pending_that_day(backend: Backend) -> None:
    # Three places; Léa has one on the 12th. Paolo and Amalia are selected on the 12th
    # and the 13th: copying Paolo's days to Tom leaves the 12th full, the 13th has a place.
    register = canteen_with_places(backend, 3)
    book(register, MARTIN, "lea", "RESTAURATION", SEPT_12)
    session = open_for(register)
    for child in ("paolo", "amalia"):
        session.toggle_day(child, "RESTAURATION", SEPT_12)
        session.toggle_day(child, "RESTAURATION", SEPT_13)
    assert rejected(session.copy("paolo", "RESTAURATION", "tom", "RESTAURATION", 1)) == [
        ("tom", SEPT_12, "full")
    ]
    assert [(r.child, r.day) for r in session.recap().bookings if r.child == "tom"] == [("tom", SEPT_13)]
    outcome = session.confirm(OPENING_WEEK)
    assert (len(outcome.accepted), outcome.refused) == (5, ())


@pytest.mark.parametrize(
    ("configured", "agent", "full"),
    [
        # places of the 12th configured / set by an agent; days refused to Amalia
        (None, None, [SEPT_12]),
        (2, None, []),
        (None, 2, []),
        (2, 1, [SEPT_12]),  # the agent's number wins over the configuration's
        (1, 3, []),
    ],
)
def test_copy_reads_the_places_of_each_day(
    backend: Backend, configured: int | None, agent: int | None, full: list[date]
) -> None:
    # One place a day; Paolo is selected on the 12th and the 13th.
    register = canteen_with_places(backend, 1, *([(SEPT_12, configured)] if configured is not None else []))
    if agent is not None:
        register.set_capacity("RESTAURATION", SEPT_12, agent)
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", SEPT_12)
    session.toggle_day("paolo", "RESTAURATION", SEPT_13)
    rejections = session.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", 1)
    assert rejected(rejections) == [("amalia", day, "full") for day in [*full, SEPT_13]]


def test_a_full_day_is_copied_to_an_activity_with_a_waiting_list_and_waits(register: ps.Register) -> None:
    # The Wednesday centre has a waiting list: copying does not refuse a full day,
    # the confirmation puts it on the list (guide p. 12).
    full, free = date(2024, 9, 18), date(2024, 9, 25)
    register.set_capacity("MERCREDI", full, 1)
    book(register, MARTIN, "lea", "MERCREDI", full)
    session = open_for(register)
    session.toggle_day("paolo", "MERCREDI", full)
    session.toggle_day("paolo", "MERCREDI", free)
    assert session.copy("paolo", "MERCREDI", "amalia", "MERCREDI", 1) == ()
    outcome = session.confirm(OPENING_WEEK)
    assert outcome.waitlisted == (
        ps.Request("paolo", "MERCREDI", full),
        ps.Request("amalia", "MERCREDI", full),
    )
    assert outcome.accepted == (ps.Request("paolo", "MERCREDI", free), ps.Request("amalia", "MERCREDI", free))


def test_a_day_refused_is_refused_for_the_first_rule_it_breaks(backend: Backend) -> None:
    # One place a day, Paolo's on Monday 2 and Thursday 5 September. On Saturday 31
    # August, Monday 2 is past its deadline (and full), Thursday 5 only full.
    register = canteen_with_places(backend, 1)
    book(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 2), date(2024, 9, 5))
    session = open_for(register, now=datetime(2024, 8, 31, 9))
    assert rejected(session.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", 1)) == [
        ("amalia", date(2024, 9, 2), "past_deadline"),
        ("amalia", date(2024, 9, 5), "full"),
    ]
    assert not session.recap()


def test_copy_onto_the_same_child_and_activity_is_refused_and_changes_nothing(register: ps.Register) -> None:
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", SEPT_12)
    before = session.recap()
    with pytest.raises(ps.BookingError) as info:
        session.copy("paolo", "RESTAURATION", "paolo", "RESTAURATION", 1)
    assert info.value.code == "copy_onto_itself"
    assert info.value.message  # a French explanation for the family
    assert session.recap() == before
