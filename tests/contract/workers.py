"""Worker processes for the multi-process tests (importable by a spawned
interpreter: each opens its own store, as a portal's worker does)."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

import periscolaire as ps

OPENING = datetime(2024, 8, 26, 10)
WEDNESDAYS = (date(2024, 9, 11), date(2024, 9, 18), date(2024, 9, 25))
CANTEEN = (date(2024, 9, 12), date(2024, 9, 13))


def register_for(url: str, key: str) -> ps.Register:
    return ps.Register(attrs.evolve(ps.load_commune(), key=key), store=ps.open_store(url))


def family(worker: int, i: int) -> ps.Family:
    return ps.Family(
        f"W{worker}-F{i}", f"NOM{worker}", (ps.Child(f"w{worker}-c{i}", "Prénom", f"NOM{worker}"),)
    )


def confirm(register: ps.Register, account: ps.Family, changes: list[tuple[str, date]]) -> ps.Outcome:
    session = register.open_session(account, now=OPENING, balance=Decimal(0), dossier_complete=True)
    for code, day in changes:
        session.toggle_day(account.children[0].id, code, day)
    return session.confirm(OPENING)


def book_wednesdays(
    url: str, key: str, worker: int, families: int, go: Any, barrier: Any, results: Any
) -> None:
    """First every family books the three Wednesdays (the days are full: all go
    to the waiting lists, in whatever order the four workers land); then, once
    every worker is done, this worker's early families (``E{n}``, booked before
    by the test) cancel the first Wednesday — each cancellation promotes the
    head of the list — and its own families one in three cancel the second."""
    register = register_for(url, key)
    totals: Counter[str] = Counter()
    go.wait(120)
    for i in range(families):
        outcome = confirm(register, family(worker, i), [("MERCREDI", d) for d in WEDNESDAYS])
        totals["accepted"] += len(outcome.accepted)
        totals["waitlisted"] += len(outcome.waitlisted)
        totals["refused"] += len(outcome.refused)
    barrier.wait(120)
    for n in range(worker, EARLY, 4):
        outcome = confirm(register, early(n), [("MERCREDI", WEDNESDAYS[0])])
        totals["cancelled"] += len(outcome.cancelled)
    for i in range(0, families, 3):
        outcome = confirm(register, family(worker, i), [("MERCREDI", WEDNESDAYS[1])])
        totals["cancelled"] += len(outcome.cancelled)
    register.store.close()
    results.put((worker, dict(totals)))


EARLY = 10


def early(n: int) -> ps.Family:
    return ps.Family(f"E{n}", "TOT", (ps.Child(f"e{n}", "Prénom", "TOT"),))


def book_until_killed(url: str, key: str, worker: int, acks: str) -> None:
    """Confirm as fast as possible until killed, writing one line per
    confirmation acknowledged (after ``confirm`` returned): ``i book`` for a
    family's first confirmation (three Wednesdays and a canteen day), ``i swap``
    for its second (cancel the first Wednesday, book another canteen day)."""
    register = register_for(url, key)
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    i = 0
    while True:
        account = family(worker, i)
        confirm(register, account, [*(("MERCREDI", d) for d in WEDNESDAYS), ("RESTAURATION", CANTEEN[0])])
        os.write(fd, f"{i} book\n".encode())
        confirm(register, account, [("MERCREDI", WEDNESDAYS[0]), ("RESTAURATION", CANTEEN[1])])
        os.write(fd, f"{i} swap\n".encode())
        i += 1


def pay_and_debit(url: str, key: str, worker: int, payments: int, go: Any, results: Any) -> None:
    """Pay into one account (references of its own) and run the whole nightly
    debit of the same account's September meals, as every worker does."""
    families = ps.Families(attrs.evolve(ps.load_commune(), key=key), store=ps.open_store(url))
    account = families.family(
        ps.Family("F-SHARED", "PARTAGE", (ps.Child("partage", "Enfant", "PARTAGE"),))
    ).account
    agent = families.agent(f"nuit-{worker}")
    go.wait(120)
    for i in range(payments):
        account.pay("RESTAURATION", Decimal("10.01"), date(2024, 9, 1), reference=f"CB-{worker}-{i}")
        if i % 5 == 0:
            agent.debit_consumptions(SHARED_MEALS, today=date(2024, 10, 1), price=lambda r: Decimal("3.33"))
    families.store.close()
    results.put(worker)


SHARED_MEALS = [
    ps.Reservation("partage", "RESTAURATION", date(2024, 9, day), "F-SHARED", "accepted", sequence=day)
    for day in (2, 3, 5, 6, 9, 10, 12, 13, 16, 17)
]


SHARED_FAMILY = ps.Family("F-SHARED", "PARTAGE", (ps.Child("partage", "Enfant", "PARTAGE"),))


def edit_dossier(url: str, key: str, worker: int, contacts: int, go: Any, results: Any) -> None:
    """Add contacts to one shared dossier and validate what the others
    transmit, as a family's two parents and an agent do from several workers."""
    families = ps.Families(attrs.evolve(ps.load_commune(), key=key), store=ps.open_store(url))
    dossier = families.family(SHARED_FAMILY).dossier(2024)
    agent = families.agent(f"agent-{worker}").dossier("F-SHARED", 2024)
    go.wait(120)
    made = []
    for i in range(contacts):
        made.append(dossier.add_contact(f"NOM{worker}", f"Prénom{i}", f"06{worker:02d}{i:06d}").id)
        fiche = dossier.fiche(ps.FicheKind.SANTE, "partage")
        # A form read, then sent back: refused if another worker changed the fiche meanwhile.
        with contextlib.suppress(ps.StaleWrite):
            dossier.edit(
                ps.FicheKind.SANTE, "partage", version=fiche.version, recommendations=f"{worker}-{i}"
            )
        with contextlib.suppress(ps.DossierError):  # already validated by another worker
            agent.validate(ps.FicheKind.AUTORISATIONS, "partage", now=datetime(2024, 6, 21, 9))
    families.store.close()
    results.put((worker, made))
