"""Waiting-list priorities: ordered criteria per activity, first come first
served within a tier; FIFO stays the default (docs/booking.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest

import periscolaire as ps
from periscolaire.booking import Standing, waiting_order

OPENING = datetime(2024, 8, 26, 10)
LATER = datetime(2024, 8, 28, 18)
WEDNESDAY = date(2024, 9, 18)

HOLDER = ps.Family("F-HOLDER", "HOLDER", (ps.Child("holder", "Hugo", "HOLDER"),))
OUTSIDER = ps.Family("F-OUT", "DEHORS", (ps.Child("out", "Oscar", "DEHORS"),), resident=False)
OUTSIDER_2 = ps.Family("F-OUT2", "AILLEURS", (ps.Child("out2", "Olga", "AILLEURS"),), resident=False)
RESIDENT = ps.Family("F-RES", "ICI", (ps.Child("res", "Rose", "ICI"),))
RESIDENT_2 = ps.Family("F-RES2", "LA", (ps.Child("res2", "Rémi", "LA"),))
PRIORITY = ps.Family("F-PRIO", "SOCIAL", (ps.Child("prio", "Paul", "SOCIAL"),), resident=False, priority=2)
PRIORITY_1 = ps.Family("F-PRIO1", "AIDE", (ps.Child("prio1", "Pia", "AIDE"),), priority=1)
SIBLINGS = ps.Family(
    "F-SIB",
    "FRATRIE",
    (ps.Child("big", "Bastien", "FRATRIE"), ps.Child("small", "Sacha", "FRATRIE")),
    resident=False,
)


def with_policy(*criteria: str, code: str = "MERCREDI") -> ps.Commune:
    commune = ps.load_commune()
    activities = dict(commune.activities)
    activities[code] = attrs.evolve(activities[code], waiting_list_priorities=criteria)
    return attrs.evolve(commune, activities=activities)


def book(
    register: ps.Register, family: ps.Family, child: str | None = None, *, day: date = WEDNESDAY
) -> ps.Outcome:
    session = register.open_session(family, now=OPENING, balance=Decimal(0), dossier_complete=True)
    session.toggle_day(child or family.children[0].id, "MERCREDI", day)
    return session.confirm(OPENING)


def cancel(register: ps.Register, family: ps.Family, child: str | None = None) -> ps.Outcome:
    session = register.open_session(family, now=LATER, balance=Decimal(0), dossier_complete=True)
    session.toggle_day(child or family.children[0].id, "MERCREDI", WEDNESDAY)
    return session.confirm(LATER)


def full_day(commune: ps.Commune, *waiting: ps.Family | tuple[ps.Family, str]) -> ps.Register:
    """One place, taken by HOLDER; then ``waiting`` confirm in this order."""
    register = ps.Register(commune)
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    book(register, HOLDER)
    for entry in waiting:
        family, child = entry if isinstance(entry, tuple) else (entry, None)
        assert book(register, family, child).waitlisted
    return register


def promoted_children(register: ps.Register) -> list[str]:
    return [p.request.child for p in register.take_promotions()]


# -- the order served ------------------------------------------------------------------


def test_without_criteria_the_waiting_list_stays_first_come_first_served() -> None:
    register = full_day(ps.load_commune(), OUTSIDER, RESIDENT)
    cancel(register, HOLDER)
    assert promoted_children(register) == ["out"]


def test_a_family_of_the_commune_is_promoted_before_an_earlier_outsider() -> None:
    register = full_day(with_policy("resident"), OUTSIDER, RESIDENT)
    cancel(register, HOLDER)
    assert promoted_children(register) == ["res"]
    assert register.status("out", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.WAITLISTED


def test_first_come_first_served_within_a_tier() -> None:
    register = full_day(with_policy("resident"), OUTSIDER, RESIDENT, OUTSIDER_2, RESIDENT_2)
    register.set_capacity("MERCREDI", WEDNESDAY, 5, now=LATER)
    assert promoted_children(register) == ["res", "res2", "out", "out2"]


def test_a_higher_agent_priority_is_promoted_first() -> None:
    register = full_day(with_policy("priority"), RESIDENT, PRIORITY_1, PRIORITY)
    register.set_capacity("MERCREDI", WEDNESDAY, 3, now=LATER)
    assert promoted_children(register) == ["prio", "prio1"]


def test_criteria_apply_in_the_configured_order() -> None:
    # PRIORITY lives elsewhere with priority 2; RESIDENT lives here, without.
    first = full_day(with_policy("resident", "priority"), PRIORITY, RESIDENT)
    cancel(first, HOLDER)
    second = full_day(with_policy("priority", "resident"), RESIDENT, PRIORITY)
    cancel(second, HOLDER)
    assert (promoted_children(first), promoted_children(second)) == (["res"], ["prio"])


def test_a_child_whose_sibling_has_the_day_is_promoted_first() -> None:
    register = ps.Register(with_policy("sibling"))
    register.set_capacity("MERCREDI", WEDNESDAY, 2)
    book(register, HOLDER)
    book(register, SIBLINGS, "big")  # the second place
    book(register, OUTSIDER)
    book(register, SIBLINGS, "small")
    cancel(register, HOLDER)
    assert promoted_children(register) == ["small"]


def test_a_sibling_promoted_lifts_the_other_child_in_the_same_fill() -> None:
    register = full_day(with_policy("sibling"), (SIBLINGS, "big"), OUTSIDER, (SIBLINGS, "small"))
    register.set_capacity("MERCREDI", WEDNESDAY, 3, now=LATER)
    assert promoted_children(register) == ["big", "small"]


def test_a_sibling_cancelled_in_the_same_confirmation_lifts_nobody() -> None:
    register = ps.Register(with_policy("sibling"))
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    book(register, SIBLINGS, "big")
    book(register, OUTSIDER)
    book(register, SIBLINGS, "small")
    cancel(register, SIBLINGS, "big")
    assert promoted_children(register) == ["out"]


def test_promote_after_places_were_added_respects_the_policy() -> None:
    register = full_day(with_policy("resident"), OUTSIDER, RESIDENT)
    register.set_capacity("MERCREDI", WEDNESDAY, 2)  # without now: nobody promoted yet
    assert register.promote("MERCREDI", WEDNESDAY, LATER)[0].request.child == "res"


def test_a_place_added_goes_to_the_best_waiting_request_before_a_newcomer() -> None:
    register = full_day(with_policy("resident"), OUTSIDER, RESIDENT)
    register.set_capacity("MERCREDI", WEDNESDAY, 2)
    outcome = book(register, RESIDENT_2)  # a resident newcomer still waits behind the list
    assert outcome.waitlisted
    assert promoted_children(register) == ["res"]
    assert register.waiting_list("MERCREDI", WEDNESDAY) == (
        ps.Request("res2", "MERCREDI", WEDNESDAY),
        ps.Request("out", "MERCREDI", WEDNESDAY),
    )


def test_another_worker_ranks_alike_with_the_hosts_families() -> None:
    commune = with_policy("resident")
    register = full_day(commune, OUTSIDER, RESIDENT)
    directory = {f.id: f for f in (HOLDER, OUTSIDER, RESIDENT)}
    worker = ps.Register(commune, store=register.store, families=directory)
    worker.set_capacity("MERCREDI", WEDNESDAY, 2, now=LATER)
    assert promoted_children(worker) == ["res"]


def test_an_unknown_family_waits_as_a_resident_without_priority() -> None:
    commune = with_policy("priority")
    register = full_day(commune, RESIDENT, PRIORITY)
    stranger = ps.Register(commune, store=register.store, families={})  # knows nobody
    assert stranger.waiting_rank("prio", "MERCREDI", WEDNESDAY) == (2, None)
    assert register.waiting_rank("prio", "MERCREDI", WEDNESDAY) == (1, "priority")


def test_families_must_be_a_mapping_or_a_function() -> None:
    with pytest.raises(ps.InvalidArgument, match="families"):
        ps.Register(ps.load_commune(), families=3)  # type: ignore[arg-type]


# -- the rank shown -----------------------------------------------------------------------


def test_the_rank_and_its_criterion_are_shown_in_french() -> None:
    register = full_day(with_policy("priority", "resident"), OUTSIDER, RESIDENT, PRIORITY, OUTSIDER_2)
    ranks = {c: register.waiting_rank(c, "MERCREDI", WEDNESDAY) for c in ("out", "res", "prio", "out2")}
    assert ranks == {"prio": (1, "priority"), "res": (2, "resident"), "out": (3, None), "out2": (4, None)}
    assert ranks["res"] is not None
    assert ranks["res"].text == "2e sur la liste d'attente (famille de la commune)"
    assert ranks["prio"] is not None
    assert ranks["prio"].text == ("1er sur la liste d'attente (priorité fixée par le service)")
    assert str(ranks["out"]) == "3e sur la liste d'attente"
    assert register.waiting_rank("holder", "MERCREDI", WEDNESDAY) is None  # accepted
    assert register.waiting_rank("holder", "MERCREDI", date(2024, 9, 25)) is None  # not booked


def test_the_sibling_criterion_reads_brother_or_sister() -> None:
    register = ps.Register(with_policy("sibling"))
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    book(register, SIBLINGS, "big")
    book(register, OUTSIDER)
    book(register, SIBLINGS, "small")
    rank = register.waiting_rank("small", "MERCREDI", WEDNESDAY)
    assert rank is not None
    assert rank.text == "1er sur la liste d'attente (frère ou sœur déjà inscrit ce jour)"


def test_fifo_ranks_follow_the_order_of_arrival() -> None:
    register = full_day(ps.load_commune(), RESIDENT, OUTSIDER)
    assert register.waiting_rank("out", "MERCREDI", WEDNESDAY) == (2, None)


def test_the_month_cell_of_a_waitlisted_day_carries_its_rank() -> None:
    register = full_day(with_policy("resident"), OUTSIDER, RESIDENT)
    session = register.open_session(OUTSIDER, now=LATER, balance=Decimal(0), dossier_complete=True)
    cells = {c.day: c for c in session.month("out", "MERCREDI", 2024, 9)}
    assert cells[WEDNESDAY].waitlisted
    assert cells[WEDNESDAY].waiting_rank == (2, None)
    assert cells[date(2024, 9, 25)].waiting_rank is None
    assert session.waiting_rank("out", "MERCREDI", WEDNESDAY) == (2, None)


def test_the_pure_order_is_by_tier_then_by_arrival() -> None:
    standings = [Standing(False, 0, False), Standing(True, 0, False), Standing(True, 3, False)]
    assert waiting_order(["resident"], standings) == [1, 2, 0]
    assert waiting_order(["priority", "resident"], standings) == [2, 1, 0]
    assert waiting_order([], standings) == [0, 1, 2]


# -- configuration and data ------------------------------------------------------------------

TOML_POLICY = '\nwaiting_list_priorities = ["priority", "resident", "sibling"]\n'


def _mercredi_toml(extra: str) -> str:
    text = ps.load_commune().to_toml()
    head = "[activities.MERCREDI]\n"
    assert head in text
    return text.replace(head, head + extra.lstrip("\n"), 1)


def test_priorities_are_read_from_toml_and_written_back() -> None:
    commune = ps.Commune.from_toml(_mercredi_toml(TOML_POLICY))
    assert commune.activities["MERCREDI"].waiting_list_priorities == ("priority", "resident", "sibling")
    again = ps.Commune.from_toml(commune.to_toml())
    assert again.activities["MERCREDI"].waiting_list_priorities == ("priority", "resident", "sibling")
    assert ps.Commune.from_dict(commune.to_dict()) == commune
    assert "waiting_list_priorities" not in ps.load_commune().to_toml()  # FIFO: nothing written


def test_an_unknown_criterion_is_a_configuration_error_naming_the_key() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.Commune.from_toml(_mercredi_toml('waiting_list_priorities = ["resident", "age"]\n'))
    assert info.value.path == "activities.MERCREDI.waiting_list_priorities[1]"
    assert info.value.code == "unknown_criterion"
    assert "'age'" in str(info.value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ('"resident"', "activities.MERCREDI.waiting_list_priorities"),
        ("[1]", "activities.MERCREDI.waiting_list_priorities[0]"),
        ('["resident", "resident"]', "activities.MERCREDI.waiting_list_priorities"),
    ],
)
def test_priorities_must_be_a_list_of_distinct_criteria(value: str, path: str) -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.Commune.from_toml(_mercredi_toml(f"waiting_list_priorities = {value}\n"))
    assert info.value.path == path


def test_priorities_need_a_waiting_list() -> None:
    text = ps.load_commune().to_toml()
    head = "[activities.RESTAURATION]\n"
    with pytest.raises(ps.ConfigurationError) as info:
        ps.Commune.from_toml(text.replace(head, head + 'waiting_list_priorities = ["resident"]\n', 1))
    assert info.value.path == "activities.RESTAURATION.waiting_list_priorities"


def test_a_family_carries_residence_and_priority_in_its_json_form() -> None:
    assert ps.Family.from_dict(PRIORITY.to_dict()) == PRIORITY
    assert (PRIORITY.to_dict()["resident"], PRIORITY.to_dict()["priority"]) == (False, 2)
    old = {"id": "F1", "name": "N", "children": [], "custody": None}  # before the criteria
    assert ps.Family.from_dict(old) == ps.Family("F1", "N", ())
    assert (ps.Family("F1", "N", ()).resident, ps.Family("F1", "N", ()).priority) == (True, 0)


@pytest.mark.parametrize(
    ("data", "key"),
    [({"resident": "oui"}, "resident"), ({"priority": "2"}, "priority"), ({"priority": 10**9}, "priority")],
)
def test_bad_residence_or_priority_is_refused_naming_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ps.InvalidData, match=key):
        ps.Family.from_dict({"id": "F1", "name": "N", "children": [], **data})
