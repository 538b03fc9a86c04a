"""The register's contract, on every store (memory, SQLite, PostgreSQL, MariaDB).

What a host relies on when its state lives in a store: what is confirmed is
read back by any other register of the commune (another worker, or the same
portal after a restart), sequences keep growing, the nightly run reports each
movement once, the promotions outbox survives a crash, a failed operation
leaves everything as it was, and communes sharing a store never meet.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest

import periscolaire as ps
from tests.stores import Backend, keyed

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"),))
BERNARD = ps.Family("F-BERNARD", "BERNARD", (ps.Child("tom", "Tom", "BERNARD"),))
OPENING_WEEK = datetime(2024, 8, 26, 10)
WEDNESDAY = date(2024, 9, 18)


def confirm(
    register: ps.Register, family: ps.Family, *days: date, code: str = "MERCREDI", at: datetime = OPENING_WEEK
) -> ps.Outcome:
    session = register.open_session(family, now=at, balance=Decimal(0), dossier_complete=True)
    for day in days:
        session.toggle_day(family.children[0].id, code, day)
    return session.confirm(at)


def snapshot(register: ps.Register) -> list[ps.Reservation]:
    return sorted(register.reservations(), key=lambda r: (r.child, r.activity, r.day))


@pytest.fixture
def register(cestas: ps.Commune, backend: Backend) -> ps.Register:
    return backend.register(cestas)


# -- what one worker confirms, every other reads -----------------------------------------


def test_a_confirmation_is_read_back_by_another_register_of_the_commune(
    register: ps.Register, backend: Backend
) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    confirm(register, MARTIN, WEDNESDAY)
    confirm(register, DUPONT, WEDNESDAY, date(2024, 9, 25))
    other = backend.reopen(register)  # another worker process, or after a restart
    assert snapshot(other) == snapshot(register)
    assert len(other) == 3
    assert other.status("paolo", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.WAITLISTED
    assert other.owner("lea", "MERCREDI", WEDNESDAY) == "F-MARTIN"
    assert other.capacity("MERCREDI", WEDNESDAY) == 1
    assert other.places_left("MERCREDI", WEDNESDAY) == 0
    assert other.taken("MERCREDI", date(2024, 9, 25)) == 1
    assert other.waiting_list("MERCREDI", WEDNESDAY) == (ps.Request("paolo", "MERCREDI", WEDNESDAY),)
    assert [r.family for r in other.reservations("F-DUPONT")] == ["F-DUPONT", "F-DUPONT"]


def test_another_register_rechecks_what_the_first_one_filled(register: ps.Register, backend: Backend) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    other = backend.reopen(register)
    late = other.open_session(MARTIN, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True)
    late.toggle_day("lea", "MERCREDI", WEDNESDAY)  # a second screen of the same account
    assert confirm(register, MARTIN, WEDNESDAY).accepted
    assert confirm(other, DUPONT, WEDNESDAY).waitlisted  # the place was taken elsewhere
    assert late.confirm(OPENING_WEEK).refused[0].code == "already_booked"
    assert late.is_booked("lea", "MERCREDI", WEDNESDAY)  # the session read it again


def test_sequences_strictly_increase_and_survive_a_reopen(register: ps.Register, backend: Backend) -> None:
    confirm(register, MARTIN, date(2024, 9, 11), date(2024, 9, 18))
    confirm(register, DUPONT, date(2024, 9, 11))
    other = backend.reopen(register)
    confirm(other, BERNARD, date(2024, 9, 11), date(2024, 9, 25))
    by_confirmation = [
        [r.sequence for r in sorted(other.reservations(f.id), key=lambda r: r.day)]
        for f in (MARTIN, DUPONT, BERNARD)
    ]
    flat = [s for group in by_confirmation for s in group]
    assert flat == sorted(flat)
    assert len(set(flat)) == len(flat)
    assert min(by_confirmation[2]) > max(by_confirmation[1]) > max(by_confirmation[0])


def test_communes_sharing_a_store_never_see_each_other(cestas: ps.Commune, backend: Backend) -> None:
    store = backend.store()
    first = ps.Register(
        cestas.__class__(**{**_fields(cestas), "key": "commune-a-" + backend.name}), store=store
    )
    second = ps.Register(
        cestas.__class__(**{**_fields(cestas), "key": "commune-b-" + backend.name}), store=store
    )
    first.set_capacity("MERCREDI", WEDNESDAY, 1)
    confirm(first, MARTIN, WEDNESDAY)
    assert len(second) == 0
    assert second.places_left("MERCREDI", WEDNESDAY) == 48
    assert confirm(second, DUPONT, WEDNESDAY).accepted
    assert second.untransmitted().keys() == {"F-DUPONT"}
    assert first.untransmitted().keys() == {"F-MARTIN"}


def _fields(commune: ps.Commune) -> dict[str, object]:
    import attrs

    return {f.name: getattr(commune, f.name) for f in attrs.fields(type(commune))}


# -- the nightly run, from storage (guide p. 12) ----------------------------------------------


def test_untransmitted_bookings_and_cancellations_are_listed_before_the_nightly_run(
    register: ps.Register,
) -> None:
    # « Les réservations que vous venez de faire seront indiquées "Non Transmise" » (p. 12),
    # cancellations included.
    confirm(register, DUPONT, date(2024, 9, 11), date(2024, 9, 18))
    confirm(register, DUPONT, date(2024, 9, 18), at=datetime(2024, 8, 27, 9))
    confirm(register, MARTIN, date(2024, 9, 11))
    assert register.untransmitted("F-DUPONT") == {
        "F-DUPONT": (
            ps.Movement(ps.MovementKind.ACCEPTED, "MERCREDI", "paolo", date(2024, 9, 11)),
            ps.Movement(ps.MovementKind.ACCEPTED, "MERCREDI", "paolo", date(2024, 9, 18)),
            ps.Movement(ps.MovementKind.CANCELLED, "MERCREDI", "paolo", date(2024, 9, 18)),
        )
    }
    assert register.untransmitted().keys() == {"F-DUPONT", "F-MARTIN"}
    assert [r.transmitted for r in register.reservations()] == [False, False]


def test_the_nightly_run_in_a_new_process_reports_each_movement_exactly_once(
    register: ps.Register, backend: Backend
) -> None:
    confirm(register, DUPONT, date(2024, 9, 11), date(2024, 9, 18))
    confirm(register, DUPONT, date(2024, 9, 18), at=datetime(2024, 8, 27, 9))  # a cancellation
    nightly = backend.reopen(register)  # the batch job: another process
    movements = nightly.transmit(datetime(2024, 8, 28, 2))
    assert [(m.kind, m.day) for m in movements["F-DUPONT"]] == [
        (ps.MovementKind.ACCEPTED, date(2024, 9, 11)),
        (ps.MovementKind.ACCEPTED, date(2024, 9, 18)),
        (ps.MovementKind.CANCELLED, date(2024, 9, 18)),
    ]
    assert [r.transmitted for r in register.reservations()] == [True]
    assert backend.reopen(register).transmit(datetime(2024, 8, 29, 2)) == {}
    assert register.untransmitted() == {}


def test_a_confirmation_that_only_waitlists_is_in_the_nightly_movements(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 0)
    assert confirm(register, DUPONT, WEDNESDAY).waitlisted
    assert register.transmit(datetime(2024, 8, 27, 2)) == {
        "F-DUPONT": (ps.Movement(ps.MovementKind.WAITLISTED, "MERCREDI", "paolo", WEDNESDAY),)
    }


def test_movements_confirmed_after_a_run_go_to_the_next_one(register: ps.Register) -> None:
    confirm(register, DUPONT, date(2024, 9, 11))
    register.transmit(datetime(2024, 8, 27, 2))
    confirm(register, MARTIN, date(2024, 9, 11), at=datetime(2024, 8, 27, 8))
    assert [r.transmitted for r in register.reservations()] == [True, False]
    assert register.transmit(datetime(2024, 8, 28, 2)).keys() == {"F-MARTIN"}


# -- the promotions outbox --------------------------------------------------------------


def _promote_one(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    confirm(register, MARTIN, WEDNESDAY)
    confirm(register, DUPONT, WEDNESDAY)  # waiting list
    confirm(register, MARTIN, WEDNESDAY, at=datetime(2024, 9, 2, 18))  # cancels: Paolo is promoted


def test_a_promotion_waits_in_the_outbox_across_a_restart_until_marked_sent(
    register: ps.Register, backend: Backend
) -> None:
    _promote_one(register)
    mailer = backend.reopen(register)  # the batch that sends e-mails, after a crash
    pending = mailer.pending_promotions()
    assert pending == (
        ps.Promotion(ps.Request("paolo", "MERCREDI", WEDNESDAY), "F-DUPONT", datetime(2024, 9, 2, 18)),
    )
    assert pending[0].id > 0
    assert mailer.pending_promotions() == pending  # reading does not send
    mailer.mark_sent(pending, datetime(2024, 9, 3, 2))
    assert backend.reopen(register).pending_promotions() == ()
    assert register.take_promotions() == ()


def test_take_promotions_returns_each_promotion_once(register: ps.Register) -> None:
    _promote_one(register)
    assert [p.request.child for p in register.take_promotions()] == ["paolo"]
    assert register.take_promotions() == ()


def test_promotion_ids_are_unique_within_the_commune(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 0)
    confirm(register, MARTIN, WEDNESDAY)
    confirm(register, DUPONT, WEDNESDAY)
    register.set_capacity("MERCREDI", WEDNESDAY, 2)
    promoted = register.promote("MERCREDI", WEDNESDAY, datetime(2024, 9, 3, 9))
    assert [p.request.child for p in promoted] == ["lea", "paolo"]
    ids = [p.id for p in register.pending_promotions()]
    assert len(set(ids)) == 2
    assert ids == sorted(ids)


# -- waiting lists: first come, first served ----------------------------------------------


def test_a_place_added_goes_to_the_head_of_the_waiting_list_before_a_newcomer(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 0)
    confirm(register, MARTIN, WEDNESDAY)  # waiting list, first
    register.set_capacity("MERCREDI", WEDNESDAY, 1)  # an agent adds a place
    outcome = confirm(register, DUPONT, WEDNESDAY, at=datetime(2024, 8, 27, 9))
    assert outcome.waitlisted == (ps.Request("paolo", "MERCREDI", WEDNESDAY),)
    assert register.status("lea", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.ACCEPTED
    assert [p.request.child for p in register.pending_promotions()] == ["lea"]


def test_a_loaded_waiting_list_with_a_free_place_is_served_before_a_newcomer(
    cestas: ps.Commune, backend: Backend
) -> None:
    register = backend.register(cestas)
    register.load([ps.Reservation("lea", "MERCREDI", WEDNESDAY, "F-MARTIN", "waitlisted", sequence=3)])
    outcome = confirm(register, DUPONT, WEDNESDAY)
    assert outcome.accepted  # 48 places: both fit, the queue first
    assert register.status("lea", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.ACCEPTED
    sequences = {r.child: r.sequence for r in register.reservations()}
    assert sequences["paolo"] > sequences["lea"]


# -- waiting lists with priorities ----------------------------------------------------------

OUTSIDE = ps.Family("F-DEHORS", "DEHORS", (ps.Child("oscar", "Oscar", "DEHORS"),), resident=False)
FRATRIE = ps.Family(
    "F-FRATRIE",
    "FRATRIE",
    (ps.Child("big", "Bastien", "FRATRIE"), ps.Child("small", "Sacha", "FRATRIE")),
    resident=False,
)
FAMILIES = {f.id: f for f in (DUPONT, MARTIN, BERNARD, OUTSIDE, FRATRIE)}


def prioritised(cestas: ps.Commune, backend: Backend, *criteria: str) -> ps.Register:
    activities = dict(cestas.activities)
    activities["MERCREDI"] = attrs.evolve(activities["MERCREDI"], waiting_list_priorities=criteria)
    commune = attrs.evolve(cestas, activities=activities)
    return ps.Register(keyed(commune), store=backend.store(), families=FAMILIES)


def confirm_child(register: ps.Register, family: ps.Family, child: str, at: datetime = OPENING_WEEK) -> None:
    session = register.open_session(family, now=at, balance=Decimal(0), dossier_complete=True)
    session.toggle_day(child, "MERCREDI", WEDNESDAY)
    session.confirm(at)


def test_a_cancellation_promotes_the_family_of_the_commune_on_every_store(
    cestas: ps.Commune, backend: Backend
) -> None:
    register = prioritised(cestas, backend, "resident")
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    confirm(register, DUPONT, WEDNESDAY)
    confirm(register, OUTSIDE, WEDNESDAY)
    confirm(register, MARTIN, WEDNESDAY)
    assert register.waiting_rank("lea", "MERCREDI", WEDNESDAY) == (1, "resident")
    assert register.waiting_rank("oscar", "MERCREDI", WEDNESDAY) == (2, None)
    other = ps.Register(register.commune, store=backend.store(), families=FAMILIES)  # another worker
    confirm(other, DUPONT, WEDNESDAY, at=datetime(2024, 8, 28, 18))  # the Duponts cancel
    assert [p.request.child for p in other.take_promotions()] == ["lea"]
    assert register.status("oscar", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.WAITLISTED


def test_places_added_go_by_priority_then_arrival_on_every_store(
    cestas: ps.Commune, backend: Backend
) -> None:
    register = prioritised(cestas, backend, "sibling", "resident")
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    confirm(register, DUPONT, WEDNESDAY)
    confirm_child(register, FRATRIE, "big")
    confirm(register, OUTSIDE, WEDNESDAY)
    confirm_child(register, FRATRIE, "small")
    confirm(register, MARTIN, WEDNESDAY)
    assert [r.child for r in register.waiting_list("MERCREDI", WEDNESDAY)] == ["lea", "big", "oscar", "small"]
    promoted = register.set_capacity("MERCREDI", WEDNESDAY, 3, now=datetime(2024, 8, 28, 18))
    # Léa lives in the commune; then Bastien (arrival); then Sacha, whose brother is in.
    assert [p.request.child for p in promoted] == ["lea", "big"]
    assert register.promote("MERCREDI", WEDNESDAY, datetime(2024, 8, 28, 19)) == ()
    register.set_capacity("MERCREDI", WEDNESDAY, 4)
    assert [p.request.child for p in register.promote("MERCREDI", WEDNESDAY, datetime(2024, 8, 28, 20))] == [
        "small"
    ]
    assert register.waiting_rank("oscar", "MERCREDI", WEDNESDAY) == (1, None)


# -- nothing half-applied ----------------------------------------------------------------------


def test_a_confirmation_that_raises_changes_nothing(register: ps.Register) -> None:
    confirm(register, DUPONT, date(2024, 9, 11))
    before = snapshot(register)
    changes = {
        ("paolo", "MERCREDI", date(2024, 9, 11)): False,
        ("paolo", "MERCREDI", date(2024, 9, 18)): True,
        ("nobody", "MERCREDI", date(2024, 9, 25)): True,
    }
    with pytest.raises(ps.UnknownChild):
        register.confirm(DUPONT, changes, datetime(2024, 8, 27, 9))
    with pytest.raises(ps.UnknownActivity):
        register.confirm(DUPONT, {("paolo", "PISCINE", date(2024, 9, 25)): True}, datetime(2024, 8, 27, 9))
    assert snapshot(register) == before
    assert [m.kind for m in register.untransmitted()["F-DUPONT"]] == [ps.MovementKind.ACCEPTED]


def test_load_refuses_a_commune_that_already_has_reservations(register: ps.Register) -> None:
    confirm(register, DUPONT, date(2024, 9, 11))
    with pytest.raises(ps.StoreError) as info:
        register.load([ps.Reservation("lea", "MERCREDI", WEDNESDAY, "F-MARTIN", "accepted", 1)])
    assert info.value.code == "not_empty"
    assert len(register) == 1


def test_loaded_sequences_are_continued_not_reused(cestas: ps.Commune, backend: Backend) -> None:
    register = backend.register(cestas)
    register.load([ps.Reservation("lea", "MERCREDI", WEDNESDAY, "F-MARTIN", "accepted", sequence=50_000)])
    confirm(register, DUPONT, WEDNESDAY)
    assert register.status("paolo", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.ACCEPTED
    assert next(register.reservations("F-DUPONT")).sequence > 50_000


# -- sessions across workers ---------------------------------------------------------------


def test_pending_changes_reopen_on_another_worker(register: ps.Register, backend: Backend) -> None:
    session = register.open_session(DUPONT, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True)
    session.toggle_weekday("paolo", "MERCREDI", date(2024, 9, 11))
    saved = session.to_dict()
    other = backend.reopen(register)  # the next request lands on another worker
    again = other.open_session(
        DUPONT, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True, pending=saved
    )
    assert again.recap() == session.recap()
    assert len(again.confirm(datetime(2024, 8, 26, 10, 5)).accepted) == 3
    assert register.taken("MERCREDI", date(2024, 9, 25)) == 1


def test_set_capacity_is_seen_by_every_register_of_the_commune(
    register: ps.Register, backend: Backend
) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 3)
    other = backend.reopen(register)
    assert other.capacity("MERCREDI", WEDNESDAY) == 3
    other.set_capacity("MERCREDI", WEDNESDAY, None)  # back to the configuration's
    assert register.capacity("MERCREDI", WEDNESDAY) == 48


def test_loaded_reservations_not_yet_transmitted_become_transmitted_at_the_next_run(
    cestas: ps.Commune, backend: Backend
) -> None:
    # A host moving to a store loads its « Non Transmise » rows: their movements are
    # not in the journal (the library never saw them), but the night marks them.
    register = backend.register(cestas)
    register.load([ps.Reservation("lea", "MERCREDI", WEDNESDAY, "F-MARTIN", "accepted", sequence=7)])
    confirm(register, DUPONT, WEDNESDAY)
    assert register.transmit(datetime(2024, 8, 27, 2)).keys() == {"F-DUPONT"}
    assert [r.transmitted for r in register.reservations()] == [True, True]


def test_the_nightly_run_again_with_the_same_instant_returns_the_same_movements(
    register: ps.Register, backend: Backend
) -> None:
    # A batch that crashed after marking the movements, before the e-mails went
    # out, runs again with the same instant: nothing is lost, nothing newer mixes in.
    night = datetime(2024, 8, 27, 2)
    confirm(register, DUPONT, date(2024, 9, 11))
    first = register.transmit(night)
    confirm(register, MARTIN, date(2024, 9, 11), at=datetime(2024, 8, 27, 2, 30))
    assert backend.reopen(register).transmit(night) == first
    assert register.transmit(datetime(2024, 8, 28, 2)).keys() == {"F-MARTIN"}
    assert register.transmit(night) == first


# -- several cancellations in one confirmation -----------------------------------------------

SIBLINGS = ps.Family(
    "F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"), ps.Child("amalia", "Amalia", "DUPONT"))
)


def _siblings_on_one_place(register: ps.Register) -> None:
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    changes = {("paolo", "MERCREDI", WEDNESDAY): True, ("amalia", "MERCREDI", WEDNESDAY): True}
    outcome = register.confirm(SIBLINGS, changes, OPENING_WEEK)
    assert (len(outcome.accepted), len(outcome.waitlisted)) == (1, 1)  # Paolo holds the place, Amalia waits


def test_cancelling_a_child_and_the_sibling_waiting_behind_frees_the_place_for_the_next_family(
    register: ps.Register,
) -> None:
    _siblings_on_one_place(register)
    confirm(register, MARTIN, WEDNESDAY)  # Léa waits behind Amalia
    cancel = {("paolo", "MERCREDI", WEDNESDAY): False, ("amalia", "MERCREDI", WEDNESDAY): False}
    outcome = register.confirm(SIBLINGS, cancel, datetime(2024, 8, 27, 10))
    assert len(outcome.cancelled) == 2
    # Amalia was cancelled in the same confirmation: the place goes to Léa, not to her.
    assert register.status("lea", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.ACCEPTED
    assert register.taken("MERCREDI", WEDNESDAY) == 1
    assert register.waiting_list("MERCREDI", WEDNESDAY) == ()
    assert [p.request.child for p in register.pending_promotions()] == ["lea"]


def test_cancelling_both_siblings_with_nobody_else_waiting_empties_the_day(register: ps.Register) -> None:
    _siblings_on_one_place(register)
    cancel = {("paolo", "MERCREDI", WEDNESDAY): False, ("amalia", "MERCREDI", WEDNESDAY): False}
    assert len(register.confirm(SIBLINGS, cancel, datetime(2024, 8, 27, 10)).cancelled) == 2
    assert (register.taken("MERCREDI", WEDNESDAY), register.waiting_list("MERCREDI", WEDNESDAY)) == (0, ())
    assert register.pending_promotions() == ()
    assert len(register) == 0


def test_a_nightly_run_is_one_instant_however_it_is_written(register: ps.Register) -> None:
    from datetime import UTC
    from zoneinfo import ZoneInfo

    confirm(register, DUPONT, date(2024, 9, 11))
    first = register.transmit(datetime(2024, 8, 27, 2, tzinfo=ZoneInfo("Europe/Paris")))
    assert first.keys() == {"F-DUPONT"}
    assert register.transmit(datetime(2024, 8, 27, 0, tzinfo=UTC)) == first  # the same instant
    assert register.transmit(datetime(2024, 8, 27, 2)) == first  # naive: commune-local


def test_a_nightly_run_that_found_nothing_stays_empty_when_replayed(register: ps.Register) -> None:
    night = datetime(2024, 8, 27, 2)
    assert register.transmit(night) == {}
    confirm(register, DUPONT, date(2024, 9, 11), at=datetime(2024, 8, 27, 8))
    assert register.transmit(night) == {}  # nothing newer in an old run
    assert register.transmit(datetime(2024, 8, 28, 2)).keys() == {"F-DUPONT"}


def test_ids_that_differ_by_case_or_accents_never_meet(cestas: ps.Commune, backend: Backend) -> None:
    # MariaDB compares text without case or accents by default: not here.
    import attrs

    store = backend.store()
    upper = ps.Register(attrs.evolve(cestas, key=f"Vallée-{backend.name}"), store=store)
    lower = ps.Register(attrs.evolve(cestas, key=f"vallee-{backend.name}"), store=store)
    confirm(upper, DUPONT, WEDNESDAY)
    assert len(lower) == 0
    zoe = ps.Family("F-ZOE", "Z", (ps.Child("zoé", "Zoé", "Z"),))
    zoe_plain = ps.Family("F-ZOE2", "Z", (ps.Child("zoe", "Zoe", "Z"),))
    assert confirm(upper, zoe, WEDNESDAY).accepted
    assert confirm(upper, zoe_plain, WEDNESDAY).accepted  # another child
    assert upper.owner("zoé", "MERCREDI", WEDNESDAY) == "F-ZOE"
    assert upper.status("ZOÉ", "MERCREDI", WEDNESDAY) is None
    assert [r.child for r in upper.reservations("f-zoe")] == []


def test_two_batches_taking_promotions_at_once_never_both_get_one(
    register: ps.Register, backend: Backend
) -> None:
    import threading

    register.set_capacity("MERCREDI", WEDNESDAY, 0)
    for family in (MARTIN, DUPONT, BERNARD):
        confirm(register, family, WEDNESDAY)
    register.set_capacity("MERCREDI", WEDNESDAY, 3, now=datetime(2024, 9, 3, 9))  # three promotions
    others = [backend.reopen(register) for _ in range(2)]
    barrier = threading.Barrier(2, timeout=30)
    taken: list[tuple[ps.Promotion, ...]] = []

    def take(r: ps.Register) -> None:
        barrier.wait()
        taken.append(r.take_promotions())

    threads = [threading.Thread(target=take, args=(r,)) for r in others]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ids = [p.id for batch in taken for p in batch]
    assert len(ids) == 3
    assert len(set(ids)) == 3  # each promotion to one batch


def test_a_big_family_confirms_a_whole_period_at_once(register: ps.Register) -> None:
    # Fourteen children with long ids, three activities over September and October:
    # more new reservations than a block of sequence numbers, and a journal
    # entry beyond MariaDB's 64 KB TEXT.
    children = tuple(ps.Child(f"enfant-{i:02}-" + "x" * 80, f"Enfant{i}", "NOMBREUSE") for i in range(14))
    family = ps.Family("F-NOMBREUSE", "NOMBREUSE", children)
    session = register.open_session(family, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True)
    for child in children:
        for code in ("RESTAURATION", "ACCUEIL_MATIN", "ACCUEIL_SOIR"):
            session.toggle_month(child.id, code, date(2024, 9, 1))
            session.toggle_month(child.id, code, date(2024, 10, 1))
    outcome = session.confirm(OPENING_WEEK)
    assert len(outcome.accepted) == len(register) > 1024
    sequences = [r.sequence for r in register.reservations()]
    assert len(set(sequences)) == len(sequences)
    assert sum(len(m) for m in register.transmit(datetime(2024, 8, 27, 2)).values()) == len(outcome.accepted)


def test_a_change_whose_day_is_not_a_date_is_a_typed_error_on_every_store(register: ps.Register) -> None:
    for changes in (
        {("paolo", "MERCREDI", "2024-09-18"): True},
        {("paolo", "MERCREDI", "2024-09-18"): False},
    ):
        with pytest.raises(ps.InvalidArgument):
            register.confirm(DUPONT, changes, OPENING_WEEK)
    assert len(register) == 0


def test_load_refuses_a_reservation_on_a_day_the_activity_does_not_run(register: ps.Register) -> None:
    # Thursday 12 September 2024: no Wednesday centre (issue 11); nothing is stored.
    rows = [
        ps.Reservation("paolo", "MERCREDI", date(2024, 9, 11), "F-DUPONT", "accepted", sequence=1),
        ps.Reservation("paolo", "MERCREDI", date(2024, 9, 12), "F-DUPONT", "accepted", sequence=2),
    ]
    with pytest.raises(ps.BookingError) as info:
        register.load(rows)
    assert info.value.code == "not_running"
    assert len(register) == 0
