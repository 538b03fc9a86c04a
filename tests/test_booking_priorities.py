"""Waiting-list priorities as the booking rules apply them (docs/booking.md):
what a family the host does not know counts as, the criterion shown beside a
rank, and a place freed while requests of the same family leave the list.

A family the register cannot find waits as a family of the commune without
priority nor a brother or sister known to have the day; a rank shows the first
criterion of the policy the request meets, none when it only waits its turn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import attrs

import periscolaire as ps
from periscolaire.booking import BookingRules, Held, Key, SlotCounts, decide_promotions

OPENING = datetime(2024, 8, 26, 10)
LATER = datetime(2024, 8, 28, 18)
WEDNESDAY = date(2024, 9, 18)

HOLDER = ps.Family("F-HOLDER", "HOLDER", (ps.Child("holder", "Hugo", "HOLDER"),))
OUTSIDER = ps.Family("F-OUT", "DEHORS", (ps.Child("out", "Oscar", "DEHORS"),), resident=False)
RESIDENT = ps.Family("F-RES", "ICI", (ps.Child("res", "Rose", "ICI"),))
PRIORITY_1 = ps.Family("F-PRIO1", "AIDE", (ps.Child("prio1", "Pia", "AIDE"),), resident=False, priority=1)
SIBLINGS = ps.Family(
    "F-SIB",
    "FRATRIE",
    (ps.Child("big", "Bastien", "FRATRIE"), ps.Child("small", "Sacha", "FRATRIE")),
    resident=False,
)
LOCAL_SIBLINGS = ps.Family(
    "F-LOC", "VOISIN", (ps.Child("elder", "Emma", "VOISIN"), ps.Child("younger", "Yann", "VOISIN"))
)


def with_policy(*criteria: str) -> ps.Commune:
    commune = ps.load_commune()
    activities = dict(commune.activities)
    activities["MERCREDI"] = attrs.evolve(activities["MERCREDI"], waiting_list_priorities=criteria)
    return attrs.evolve(commune, activities=activities)


def book(register: ps.Register, family: ps.Family, child: str | None = None) -> ps.Outcome:
    session = register.open_session(family, now=OPENING, balance=Decimal(0), dossier_complete=True)
    session.toggle_day(child or family.children[0].id, "MERCREDI", WEDNESDAY)
    return session.confirm(OPENING)


def one_place(commune: ps.Commune, *entries: ps.Family | tuple[ps.Family, str]) -> ps.Register:
    """One place on the Wednesday; ``entries`` confirm in this order (the first takes the place)."""
    register = ps.Register(commune)
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    for entry in entries:
        family, child = entry if isinstance(entry, tuple) else (entry, None)
        book(register, family, child)
    return register


def ranks(register: ps.Register, *children: str) -> list[ps.WaitingRank | None]:
    return [register.waiting_rank(child, "MERCREDI", WEDNESDAY) for child in children]


# -- a family the host does not know ------------------------------------------------------------


def test_an_unknown_family_counts_as_a_family_of_the_commune() -> None:
    commune = with_policy("resident")
    register = one_place(commune, HOLDER, OUTSIDER, RESIDENT)
    assert ranks(register, "res", "out") == [(1, "resident"), (2, None)]
    stranger = ps.Register(commune, store=register.store, families={})  # knows nobody
    assert ranks(stranger, "out", "res") == [(1, "resident"), (2, "resident")]


def test_an_unknown_family_has_no_brother_or_sister_known_to_have_the_day() -> None:
    commune = with_policy("sibling")
    register = one_place(commune, (SIBLINGS, "big"), OUTSIDER, (SIBLINGS, "small"))
    assert ranks(register, "small", "out") == [(1, "sibling"), (2, None)]
    stranger = ps.Register(commune, store=register.store, families={})
    assert ranks(stranger, "out", "small") == [(1, None), (2, None)]


# -- the criterion shown --------------------------------------------------------------------------


def test_any_agent_priority_above_zero_is_the_priority_criterion() -> None:
    register = one_place(with_policy("priority"), HOLDER, RESIDENT, PRIORITY_1)
    assert ranks(register, "prio1", "res") == [(1, "priority"), (2, None)]


def test_the_criterion_shown_is_the_first_of_the_policy_the_request_meets() -> None:
    # A family of the commune whose sibling has the day meets both criteria.
    register = one_place(
        with_policy("resident", "sibling"), (LOCAL_SIBLINGS, "elder"), (LOCAL_SIBLINGS, "younger")
    )
    book(register, OUTSIDER)
    assert ranks(register, "younger", "out") == [(1, "resident"), (2, None)]
    other = one_place(
        with_policy("sibling", "resident"), (LOCAL_SIBLINGS, "elder"), (LOCAL_SIBLINGS, "younger")
    )
    assert ranks(other, "younger") == [(1, "sibling")]


# -- a place freed while the same family leaves the list --------------------------------------------


def test_a_place_freed_with_the_familys_waiting_request_goes_to_the_best_of_the_others() -> None:
    # A family of the commune holds the place and waits first for a second child; an
    # outsider then a resident wait behind. The family withdraws both in one
    # confirmation: the place goes to the resident, the outsider still waits.
    register = one_place(with_policy("resident"), (LOCAL_SIBLINGS, "elder"), (LOCAL_SIBLINGS, "younger"))
    book(register, OUTSIDER)
    book(register, RESIDENT)
    session = register.open_session(LOCAL_SIBLINGS, now=LATER, balance=Decimal(0), dossier_complete=True)
    session.toggle_day("elder", "MERCREDI", WEDNESDAY)
    session.toggle_day("younger", "MERCREDI", WEDNESDAY)
    assert len(session.confirm(LATER).cancelled) == 2
    assert [p.request.child for p in register.take_promotions()] == ["res"]
    assert register.waiting_list("MERCREDI", WEDNESDAY) == (ps.Request("out", "MERCREDI", WEDNESDAY),)


# -- the rules alone, without a store --------------------------------------------------------------


@attrs.define
class Slots:
    """The state a unit of work shows the rules: reservations in confirmation order."""

    rows: dict[Key, Held]

    def held(self, key: Key) -> Held | None:
        return self.rows.get(key)

    def counts(self, code: str) -> SlotCounts:
        taken = Counter(k[2] for k, h in self.rows.items() if k[1] == code and h[1])
        waiting = Counter(k[2] for k, h in self.rows.items() if k[1] == code and not h[1])
        return SlotCounts(taken, waiting, {})

    def queue(self, code: str, day: date, n: int) -> Sequence[tuple[Key, str]]:
        waiting = sorted((h[2], k, h[0]) for k, h in self.rows.items() if k[1:] == (code, day) and not h[1])
        return [(k, family) for _, k, family in waiting[:n]]


def test_without_a_directory_of_families_the_rules_serve_priorities_in_order_of_arrival() -> None:
    # 48 places, 47 taken: the first of the two waiting requests gets the place.
    commune = with_policy("resident")
    rows: dict[Key, Held] = {(f"c{i}", "MERCREDI", WEDNESDAY): (f"F{i}", True, i, False) for i in range(47)}
    rows[("out", "MERCREDI", WEDNESDAY)] = ("F-OUT", False, 50, False)
    rows[("res", "MERCREDI", WEDNESDAY)] = ("F-RES", False, 51, False)
    decision = decide_promotions(BookingRules(commune), "MERCREDI", WEDNESDAY, LATER, Slots(rows))
    assert decision.promotions() == (ps.Promotion(ps.Request("out", "MERCREDI", WEDNESDAY), "F-OUT", LATER),)
    assert list(decision.slots()) == [("MERCREDI", WEDNESDAY, 48, 1)]
