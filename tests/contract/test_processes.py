"""Several worker processes on one database, and a worker killed with SIGKILL.

A portal runs several worker processes over one database and restarts on
every deploy. On each SQL store (SQLite, PostgreSQL, MariaDB): four processes
confirming at once never overbook, give unique sequences, keep waiting lists
first come, first served and leave a complete journal; a worker killed in the
middle of its confirmations leaves no half-confirmation, loses nothing it
acknowledged, and the register reopens with numbers that add up.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

import periscolaire as ps
from tests.contract import workers
from tests.stores import Backend

CAPACITY = 10
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a web server's worker


def fresh(backend: Backend, cestas: ps.Commune) -> ps.Register:
    register = backend.register(cestas)
    for day in workers.WEDNESDAYS:
        register.set_capacity("MERCREDI", day, CAPACITY)
    return register


def counts_add_up(register: ps.Register) -> None:
    """The slots' counters are the reservations' counts; nobody waits while a
    place is free; nobody accepted after someone still waiting."""
    rows = list(register.reservations())
    slots = register.store.bookings(register.commune.store_key)
    for code, day in {(r.activity, r.day) for r in rows}:
        here = [r for r in rows if (r.activity, r.day) == (code, day)]
        accepted = [r.sequence for r in here if r.status is ps.ReservationStatus.ACCEPTED]
        waiting = [r.sequence for r in here if r.status is ps.ReservationStatus.WAITLISTED]
        state = slots.slot(code, day)
        assert (state.taken, state.waiting) == (len(accepted), len(waiting)), (code, day)
        capacity = register.capacity(code, day)
        assert capacity is None or len(accepted) <= capacity, (code, day)
        if waiting:
            assert len(accepted) == capacity, (code, day)
            assert max(accepted, default=0) < min(waiting), (code, day)
        queue = register.waiting_list(code, day)
        by_key = {(r.child, r.activity, r.day): r.sequence for r in here}
        assert [by_key[tuple(q)] for q in queue] == sorted(waiting)
    sequences = [r.sequence for r in rows]
    assert len(set(sequences)) == len(sequences)


def replay(register: ps.Register) -> dict[str, set[tuple[str, str, date]]]:
    """Each family's reservations as its journal says they should be."""
    held: dict[str, set[tuple[str, str, date]]] = {}
    for account, movements in register.untransmitted().items():
        keys = held.setdefault(account, set())
        for m in movements:
            key = (m.child, m.activity, m.day)
            if m.kind in (ps.MovementKind.ACCEPTED, ps.MovementKind.WAITLISTED):
                keys.add(key)
            elif m.kind is ps.MovementKind.CANCELLED:
                keys.discard(key)
    return held


def test_four_worker_processes_never_overbook(cestas: ps.Commune, sql_backend: Backend) -> None:
    register = fresh(sql_backend, cestas)
    for n in range(workers.EARLY):  # the ten places of each Wednesday, taken first
        assert (
            len(
                workers.confirm(
                    register, workers.early(n), [("MERCREDI", d) for d in workers.WEDNESDAYS]
                ).accepted
            )
            == 3
        )
    go, barrier, results = SPAWN.Event(), SPAWN.Barrier(4), SPAWN.Queue()
    processes = [
        SPAWN.Process(
            target=workers.book_wednesdays,
            args=(sql_backend.url, register.commune.store_key, worker, 30, go, barrier, results),
        )
        for worker in range(4)
    ]
    for p in processes:
        p.start()
    go.set()
    totals: Counter[str] = Counter()
    for _ in processes:
        _, counts = results.get(timeout=300)
        totals.update(counts)
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    # 120 families on the waiting lists of 3 full Wednesdays; then 10 places freed
    # on the first one, and 40 families leaving the list of the second.
    assert +totals == {"waitlisted": 360, "cancelled": 50}  # none accepted, none refused
    first = workers.WEDNESDAYS[0]
    assert [register.taken("MERCREDI", d) for d in workers.WEDNESDAYS] == [CAPACITY] * 3
    assert [len(register.waiting_list("MERCREDI", d)) for d in workers.WEDNESDAYS] == [110, 80, 120]
    counts_add_up(register)
    # First come, first served: the 10 promoted are the 10 first on the list.
    promoted = register.pending_promotions()
    assert len(promoted) == CAPACITY
    on_first = sorted(
        (r for r in register.reservations() if (r.activity, r.day) == ("MERCREDI", first)),
        key=lambda r: r.sequence,
    )
    assert {p.request for p in promoted} == {
        ps.Request(r.child, r.activity, r.day) for r in on_first[:CAPACITY]
    }
    assert len({p.id for p in promoted}) == CAPACITY
    # The journal is complete: every family's reservations are what its movements say.
    journal = replay(register)
    for account in {r.family for r in register.reservations()}:
        assert journal[account] == {(r.child, r.activity, r.day) for r in register.reservations(account)}
    movements = register.transmit(datetime(2024, 8, 27, 2))
    kinds = Counter(m.kind for ms in movements.values() for m in ms)
    assert kinds[ps.MovementKind.ACCEPTED] == 30  # the early families
    assert kinds[ps.MovementKind.WAITLISTED] == 360
    assert kinds[ps.MovementKind.CANCELLED] == 50
    assert len(register) == 30 + 360 - 50


def _acks(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [(int(i), what) for i, what in (line.split() for line in lines if line.count(" ") == 1)]


def test_a_worker_killed_in_the_middle_of_confirmations_loses_nothing_acknowledged(
    cestas: ps.Commune, sql_backend: Backend, tmp_path: Path
) -> None:
    register = fresh(sql_backend, cestas)
    key = register.commune.store_key
    acknowledged: dict[int, list[tuple[int, str]]] = {}
    for worker in range(3):  # killed three times, a new worker each time
        acks = tmp_path / f"acks-{worker}.txt"
        process = SPAWN.Process(
            target=workers.book_until_killed, args=(sql_backend.url, key, worker, str(acks))
        )
        process.start()
        deadline = time.monotonic() + 120
        while len(_acks(acks)) < 8 + 5 * worker and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # in the middle of a confirmation, most likely
        process.join(timeout=30)
        assert process.exitcode == -signal.SIGKILL
        acknowledged[worker] = _acks(acks)
        assert acknowledged[worker], "the worker never confirmed anything"

    reopened = sql_backend.reopen(register)  # the portal restarts
    journal = replay(reopened)
    wednesday, canteen = workers.WEDNESDAYS, workers.CANTEEN
    for worker, acks in acknowledged.items():
        done = set(acks)
        for i in range(max(i for i, _ in acks) + 2):  # the acknowledged ones, and the one in flight
            account = workers.family(worker, i)
            child = account.children[0].id
            stored = {(r.activity, r.day) for r in reopened.reservations(account.id)}
            booked = {*(("MERCREDI", d) for d in wednesday), ("RESTAURATION", canteen[0])}
            swapped = (booked - {("MERCREDI", wednesday[0])}) | {("RESTAURATION", canteen[1])}
            # All of a confirmation, or nothing of it:
            assert stored in (set(), booked, swapped), (worker, i, stored)
            if (i, "book") in done:
                assert stored in (booked, swapped), (worker, i)  # acknowledged: stored
            if (i, "swap") in done:
                assert stored == swapped, (worker, i)
            # The journal says exactly what is stored.
            assert {(k[1], k[2]) for k in journal.get(account.id, set())} == stored
            assert all(k[0] == child for k in journal.get(account.id, set()))
    counts_add_up(reopened)
    # And the portal goes on.
    outcome = workers.confirm(reopened, workers.family(99, 0), [("MERCREDI", wednesday[1])])
    assert outcome.accepted or outcome.waitlisted
    counts_add_up(reopened)


@pytest.fixture(autouse=True)
def _no_stray_processes() -> object:
    yield
    for child in multiprocessing.active_children():
        child.kill()


def test_four_processes_paying_and_debiting_one_account_keep_it_exact(
    cestas: ps.Commune, sql_backend: Backend
) -> None:
    from decimal import Decimal

    key = sql_backend.register(cestas).commune.store_key
    go, results = SPAWN.Event(), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=workers.pay_and_debit, args=(sql_backend.url, key, worker, 20, go, results))
        for worker in range(4)
    ]
    for p in processes:
        p.start()
    go.set()
    assert sorted(results.get(timeout=300) for _ in processes) == [0, 1, 2, 3]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    import attrs

    families = ps.Families(attrs.evolve(cestas, key=key), store=sql_backend.store())
    account = families.agent("controle").account("F-SHARED")
    entries = account.entries
    payments = [e for e in entries if e.kind is ps.EntryKind.PAYMENT]
    meals = [e for e in entries if e.kind is ps.EntryKind.CONSUMPTION]
    assert len(payments) == 80  # every payment once
    assert sorted(e.reference for e in meals) == sorted({e.reference for e in meals})  # each meal once
    assert len(meals) == len(workers.SHARED_MEALS)
    assert [e.number for e in entries] == list(range(1, len(entries) + 1))  # no gap, no double number
    assert account.balance() == Decimal("10.01") * 80 - Decimal("3.33") * len(workers.SHARED_MEALS)


@pytest.mark.filterwarnings("ignore::periscolaire.store.health.HealthDataWarning")
def test_four_processes_changing_one_dossier_lose_nothing(cestas: ps.Commune, sql_backend: Backend) -> None:
    # Two parents and agents in several workers: every contact kept with its own id, one
    # validation, and each accepted form applied on the version it was read at.
    import attrs

    key = sql_backend.register(cestas).commune.store_key
    commune = attrs.evolve(cestas, key=key)
    setup = ps.Families(commune, store=sql_backend.store())
    dossier = setup.family(workers.SHARED_FAMILY).dossier(2024)
    dossier.open()
    dossier.transmit(ps.FicheKind.AUTORISATIONS, "partage", now=datetime(2024, 6, 20, 9))
    go, results = SPAWN.Event(), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=workers.edit_dossier, args=(sql_backend.url, key, worker, 10, go, results))
        for worker in range(4)
    ]
    for p in processes:
        p.start()
    go.set()
    made = dict(results.get(timeout=300) for _ in processes)
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    contacts = dossier.contacts
    ids = [c.id for c in contacts]
    assert sorted(ids) == sorted(i for ids_ in made.values() for i in ids_)  # every contact kept
    assert sorted(ids, key=lambda i: int(i[1:])) == [f"C{n}" for n in range(1, 41)]  # each id once
    events = dossier.events
    assert [e.event for e in events] == ["transmitted", "validated"]  # validated once, by one agent
    sante = dossier.fiche(ps.FicheKind.SANTE, "partage")
    assert sante.version >= 1
    assert dossier.version == 2 + 40 + sante.version + 1  # open, transmit, contacts, edits, validation
