"""The portal's month calendar as a family sees it (guide p. 6 and p. 11), on every store.

« Le nombre de places disponibles est affiché pour les activités dont le nombre
de places est limité » (p. 11): each day of the grid tells its state for the
child, whether it is booked (pending changes included), whether that booking
holds a place or waits on the list — and then its rank — and how many places
are left, never fewer than none.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest

import periscolaire as ps
from tests.stores import Backend

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"),))
OPENING_WEEK = datetime(2024, 8, 26, 10)  # period 1 is open (19 August)
SEPT_11, SEPT_18, SEPT_25 = date(2024, 9, 11), date(2024, 9, 18), date(2024, 9, 25)


def open_for(register: ps.Register, family: ps.Family = DUPONT) -> ps.BookingSession:
    return register.open_session(family, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True)


def book(register: ps.Register, family: ps.Family, code: str, *days: date) -> ps.Outcome:
    session = open_for(register, family)
    for day in days:
        session.toggle_day(family.children[0].id, code, day)
    return session.confirm(OPENING_WEEK)


def grid(session: ps.BookingSession, code: str = "MERCREDI", child: str = "paolo") -> dict[date, ps.DayCell]:
    return {cell.day: cell for cell in session.month(child, code, 2024, 9)}


# -- booked, accepted or waiting ----------------------------------------------------------


def test_a_waitlisted_day_shows_booked_on_the_waiting_list_with_its_rank(register: ps.Register) -> None:
    # Wednesday 18 September has one place, Léa's; Paolo waits. Wednesday 25: Paolo has a place.
    register.set_capacity("MERCREDI", SEPT_18, 1)
    book(register, MARTIN, "MERCREDI", SEPT_18)
    outcome = book(register, DUPONT, "MERCREDI", SEPT_18, SEPT_25)
    assert outcome.waitlisted == (ps.Request("paolo", "MERCREDI", SEPT_18),)
    cells = grid(open_for(register))
    bookable = ps.DayState.BOOKABLE
    assert cells[SEPT_18] == ps.DayCell(SEPT_18, bookable, True, False, True, 0, ps.WaitingRank(1, None))
    assert cells[SEPT_25] == ps.DayCell(SEPT_25, bookable, True, False, False, 47, None)
    assert cells[SEPT_11] == ps.DayCell(SEPT_11, bookable, False, False, False, 48, None)


def test_the_waiting_rank_of_a_day_follows_the_order_of_arrival(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 0)
    book(register, MARTIN, "MERCREDI", SEPT_18)  # first on the list
    book(register, DUPONT, "MERCREDI", SEPT_18)
    assert grid(open_for(register))[SEPT_18].waiting_rank == ps.WaitingRank(2, None)
    assert str(grid(open_for(register))[SEPT_18].waiting_rank) == "2e sur la liste d'attente"
    assert grid(open_for(register, MARTIN), child="lea")[SEPT_18].waiting_rank == ps.WaitingRank(1, None)


def test_a_pending_cancellation_shows_the_day_unbooked_until_confirmed(register: ps.Register) -> None:
    book(register, DUPONT, "MERCREDI", SEPT_25)
    session = open_for(register)
    session.toggle_day("paolo", "MERCREDI", SEPT_25)
    cell = grid(session)[SEPT_25]
    assert (cell.booked, cell.pending, cell.places_left) == (False, True, 47)  # the place is still held


# -- places left ----------------------------------------------------------------------------


def test_a_full_day_shows_no_place_left(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", SEPT_18, 1)
    book(register, MARTIN, "MERCREDI", SEPT_18)
    assert grid(open_for(register))[SEPT_18].places_left == 0
    assert register.places_left("MERCREDI", SEPT_18) == 0


def test_places_lowered_below_the_accepted_show_none_left_not_a_negative_number(
    register: ps.Register,
) -> None:
    book(register, MARTIN, "MERCREDI", SEPT_18)
    register.set_capacity("MERCREDI", SEPT_18, 0)  # an agent closes the places; Léa keeps hers
    assert grid(open_for(register))[SEPT_18].places_left == 0
    assert register.taken("MERCREDI", SEPT_18) == 1


def test_a_day_nobody_booked_shows_all_its_places(register: ps.Register) -> None:
    cells = grid(open_for(register))
    assert [cells[d].places_left for d in (SEPT_11, SEPT_18, SEPT_25)] == [48, 48, 48]
    assert register.taken("MERCREDI", SEPT_18) == 0


def test_an_unlimited_activity_shows_no_count_of_places(register: ps.Register) -> None:
    cells = grid(open_for(register), code="RESTAURATION")
    assert {cell.places_left for cell in cells.values()} == {None}


def with_configured_places(commune: ps.Commune, *days: tuple[date, int]) -> ps.Commune:
    """Cestas whose Wednesday centre has other numbers of places on some days
    (``capacity_overrides`` in the configuration)."""
    activities = dict(commune.activities)
    activities["MERCREDI"] = attrs.evolve(activities["MERCREDI"], capacity_overrides=days)
    return attrs.evolve(commune, activities=activities)


@pytest.mark.parametrize(
    ("configured", "agent", "places"),
    [
        # (configured for the 18th, set by an agent for the 18th, places left on 11, 18, 25)
        (None, None, (48, 47, 48)),
        (10, None, (48, 9, 48)),
        (None, 5, (48, 4, 48)),
        (10, 5, (48, 4, 48)),  # the agent's number wins over the configuration's
        (0, None, (48, 0, 48)),
    ],
)
def test_places_left_come_from_the_agent_then_the_configuration_then_the_activity(
    cestas: ps.Commune, backend: Backend, configured: int | None, agent: int | None, places: tuple[int, ...]
) -> None:
    commune = with_configured_places(cestas, *([(SEPT_18, configured)] if configured is not None else []))
    register = backend.register(commune)
    if agent is not None:
        register.set_capacity("MERCREDI", SEPT_18, agent)
    outcome = book(register, MARTIN, "MERCREDI", SEPT_18)  # accepted, or waiting when there is no place
    assert len(outcome.waitlisted if places[1] == 0 else outcome.accepted) == 1
    cells = grid(open_for(register))
    assert tuple(cells[d].places_left for d in (SEPT_11, SEPT_18, SEPT_25)) == places
    assert tuple(register.places_left("MERCREDI", d) for d in (SEPT_11, SEPT_18, SEPT_25)) == places


# -- what the account may book ---------------------------------------------------------------


def test_days_outside_an_accounts_custody_weeks_show_as_not_running(register: ps.Register) -> None:
    # « chaque parent ... procéder ainsi aux réservations pour ses jours de garde » (p. 1):
    # the father has the weeks of 2, 16 and 30 September.
    father = ps.Family("F-PERE", "DURAND", (PAOLO,), custody=ps.AlternateWeeks(reference=date(2024, 9, 2)))
    session = open_for(register, father)
    cells = grid(session, code="RESTAURATION")
    bookable = [d.day for d, cell in sorted(cells.items()) if cell.state is ps.DayState.BOOKABLE]
    assert bookable == [2, 3, 5, 6, 16, 17, 19, 20, 30]
    assert cells[date(2024, 9, 9)].state is ps.DayState.NOT_RUNNING
    assert session.state("paolo", "RESTAURATION", date(2024, 9, 9)) == "not_custody_day"
    assert session.state("paolo", "RESTAURATION", date(2024, 9, 16)) is ps.DayState.BOOKABLE


def test_a_day_booked_from_the_other_parents_account_shows_booked(register: ps.Register) -> None:
    # The child's calendar: what the other account booked is booked for this one too.
    mother = ps.Family("F-MERE", "DUPONT", (PAOLO,))
    father = ps.Family("F-PERE", "DURAND", (PAOLO,))
    book(register, mother, "MERCREDI", SEPT_18)
    cell = grid(open_for(register, father))[SEPT_18]
    assert (cell.booked, cell.pending, cell.waitlisted, cell.places_left) == (True, False, False, 47)


def test_a_rank_is_shown_only_on_a_day_the_grid_shows_waiting(register: ps.Register) -> None:
    # A screen opened before the account's other screen put Paolo on the list: a
    # database store shows the reservations as read when the screen opened (no rank
    # for a day shown free), the in-memory one the live state (booked, waiting, ranked).
    register.set_capacity("MERCREDI", SEPT_18, 0)
    screen = open_for(register)
    assert book(register, DUPONT, "MERCREDI", SEPT_18).waitlisted
    cell = grid(screen)[SEPT_18]
    assert cell.waitlisted is cell.booked is register.live_reads
    assert (cell.waiting_rank is not None) is cell.waitlisted
    assert all(c.waiting_rank is None for day, c in grid(screen).items() if day != SEPT_18)
