"""The in-memory store: the state of one process, the default of ``Register``.

Fast (the opening-rush figure of ``python -m benchmarks``) and thread-safe —
one lock per commune serializes its units of work — but held by one process
and lost when it stops: a portal with several worker processes, or that must
survive a restart, opens a database store instead (:func:`~periscolaire.open_store`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from periscolaire.booking import (
    HELD_ACCEPTED,
    STATUS,
    Decision,
    Held,
    Key,
    Occupancy,
    Promotion,
    Reservation,
    SlotCounts,
    SlotState,
)
from periscolaire.errors import StoreError
from periscolaire.store import AccountUnit, BookingUnit, Document, JournalEntry, Slot
from periscolaire.store.health import dumps, loads
from periscolaire.wallet import Account, Entry

__all__ = ["MemoryAccounts", "MemoryBookings", "MemoryStore"]

T = TypeVar("T")
_new_tuple = tuple.__new__
_EMPTY: Mapping[date, int] = {}


class MemoryStore:
    """The state of any number of communes, in this process."""

    url = "memory://"

    def __init__(self) -> None:
        self._communes: dict[str, MemoryBookings] = {}
        self._accounts: dict[str, MemoryAccounts] = {}
        self._dossiers: dict[str, MemoryDossiers] = {}
        self._lock = threading.Lock()

    def bookings(self, commune: str) -> MemoryBookings:
        with self._lock:
            found = self._communes.get(commune)
            if found is None:
                found = self._communes[commune] = MemoryBookings(commune)
            return found

    def accounts(self, commune: str) -> MemoryAccounts:
        with self._lock:
            found = self._accounts.get(commune)
            if found is None:
                found = self._accounts[commune] = MemoryAccounts(commune)
            return found

    def dossiers(self, commune: str) -> MemoryDossiers:
        with self._lock:
            found = self._dossiers.get(commune)
            if found is None:
                found = self._dossiers[commune] = MemoryDossiers(commune)
            return found

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"MemoryStore(communes={sorted(self._communes)!r})"


class MemoryBookings:
    """One commune's booking state in memory; it is its own unit of work
    (:meth:`run` holds the commune's lock)."""

    #: Reads hand the live dictionaries (no copy).
    live_reads = True

    def __init__(self, commune: str) -> None:
        self.commune = commune
        self._lock = threading.RLock()
        self._held: dict[Key, Held] = {}
        # Per activity, then per day: no (activity, day) tuple is built on the hot path.
        self._taken: dict[str, dict[date, int]] = {}
        self._queues: dict[str, dict[date, dict[Key, None]]] = {}
        self._waiting: dict[str, dict[date, int]] = {}
        self._overrides: dict[str, dict[date, int]] = {}
        self._journal: list[JournalEntry] = []
        #: Transmitted runs by their instant (ISO 8601), as a database keeps them.
        self._runs: dict[str, list[JournalEntry]] = {}
        self._outbox: dict[int, Promotion] = {}
        self._sequence = 0
        self._promotion_id = 0
        # The rules' most frequent question, answered without a Python frame
        # (the opening-rush figure): shadows the method below.
        self.held = self._held.get  # type: ignore[method-assign, assignment]

    # -- units of work ---------------------------------------------------------------

    def run(
        self, work: Callable[[BookingUnit], T], *, keys: Sequence[Key] = (), slots: Sequence[Slot] = ()
    ) -> T:
        with self._lock:
            return work(self)

    def held(self, key: Key) -> Held | None:
        return self._held.get(key)

    def counts(self, code: str) -> SlotCounts:
        # The live dictionaries: the decision reads them and writes nothing.
        return _new_tuple(
            SlotCounts,
            (
                self._taken.get(code, _EMPTY),
                self._waiting.get(code, _EMPTY),
                self._overrides.get(code, _EMPTY),
            ),
        )

    def slot(self, code: str, day: date) -> SlotState:
        return SlotState(
            self._overrides.get(code, _EMPTY).get(day),
            self._taken.get(code, _EMPTY).get(day, 0),
            self._waiting.get(code, _EMPTY).get(day, 0),
        )

    def queue(self, code: str, day: date, n: int) -> list[tuple[Key, str]]:
        queue = self._queues.get(code, {}).get(day, {})
        held = self._held
        out: list[tuple[Key, str]] = []
        for key in queue:
            if len(out) >= n:
                break
            out.append((key, held[key][0]))
        return out

    def apply(self, decision: Decision) -> None:
        held = self._held
        queues = self._queues
        for key, old in decision.cancelled:
            del held[key]
            if not old[HELD_ACCEPTED]:
                del queues[key[1]][key[2]][key]
        for key, _ in decision.promoted:
            family, _, sequence, transmitted = held[key]
            held[key] = (family, True, sequence, transmitted)
            del queues[key[1]][key[2]][key]
        family = decision.family
        sequence = self._sequence
        for key, accepted in decision.added:
            sequence += 1
            held[key] = (family, accepted, sequence, False)
            if not accepted:
                _, code, day = key
                by_day = queues.get(code)
                if by_day is None:
                    by_day = queues[code] = {}
                queue = by_day.get(day)
                if queue is None:
                    queue = by_day[day] = {}
                queue[key] = None
        self._sequence = sequence
        for code, taken, waiting in decision.new_counts():
            if taken:
                self._taken.setdefault(code, {}).update(taken)
            if waiting:
                self._waiting.setdefault(code, {}).update(waiting)
        entry = decision.journal()
        if entry is not None:
            family, cancelled, accepted_keys, waitlisted, refused = entry
            self._journal.append(
                JournalEntry(family, decision.now, cancelled, accepted_keys, waitlisted, refused)
            )
        for promotion in decision.promotions():
            self._promotion_id += 1
            self._outbox[self._promotion_id] = Promotion(
                promotion.request, promotion.family, promotion.at, id=self._promotion_id
            )

    def set_override(self, code: str, day: date, places: int | None) -> None:
        if places is None:
            self._overrides.get(code, {}).pop(day, None)
        else:
            self._overrides.setdefault(code, {})[day] = places

    # -- reading ----------------------------------------------------------------------

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]:
        """The live reservations (a mapping that answers for these children's
        keys, and holds the others' too: in memory, no copy is needed)."""
        return self._held

    def occupancy(self, code: str, first: date, last: date) -> Occupancy:
        taken = self._taken.get(code, _EMPTY)
        overrides = self._overrides.get(code, _EMPTY)
        return Occupancy(
            {d: n for d, n in taken.items() if first <= d <= last and n} if taken else _EMPTY,
            {d: n for d, n in overrides.items() if first <= d <= last} if overrides else _EMPTY,
        )

    def waiting_list(self, code: str, day: date) -> list[Key]:
        return list(self._queues.get(code, {}).get(day, ()))

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        for (child, code, day), (owner, accepted, sequence, transmitted) in list(self._held.items()):
            if family is None or owner == family:
                yield Reservation(child, code, day, owner, STATUS[accepted], sequence, transmitted)

    def count(self) -> int:
        return len(self._held)

    def load(self, rows: Sequence[Reservation]) -> None:
        with self._lock:
            if self._held:
                raise StoreError(
                    f"La commune {self.commune!r} a déjà des réservations dans ce stockage.",
                    code="not_empty",
                )
            for row in sorted(rows, key=lambda r: r.sequence):
                accepted = row.status == STATUS[True]
                key = (row.child, row.activity, row.day)
                self._held[key] = (row.family, accepted, row.sequence, row.transmitted)
                counts = (self._taken if accepted else self._waiting).setdefault(row.activity, {})
                counts[row.day] = counts.get(row.day, 0) + 1
                if not accepted:
                    self._queues.setdefault(row.activity, {}).setdefault(row.day, {})[key] = None
                self._sequence = max(self._sequence, row.sequence)

    # -- the nightly run and the outbox ------------------------------------------------

    def untransmitted(self, family: str | None = None) -> list[JournalEntry]:
        with self._lock:
            return [e for e in self._journal if family is None or e.family == family]

    def transmit(self, run: datetime) -> list[JournalEntry]:
        with self._lock:
            at = run.isoformat()
            if at in self._runs:  # the same night again: the same movements
                return list(self._runs[at])
            journal, self._journal = self._journal, []
            self._runs[at] = journal
            held = self._held
            for key, (owner, accepted, sequence, transmitted) in held.items():
                if not transmitted:
                    held[key] = (owner, accepted, sequence, True)
            return journal

    def pending_promotions(self) -> list[Promotion]:
        with self._lock:
            return list(self._outbox.values())

    def take_promotions(self, now: datetime | None) -> list[Promotion]:
        with self._lock:
            taken, self._outbox = list(self._outbox.values()), {}
            return taken

    def mark_sent(self, ids: Sequence[int], now: datetime | None) -> None:
        with self._lock:
            for promotion_id in ids:
                self._outbox.pop(promotion_id, None)

    def __repr__(self) -> str:
        return f"MemoryBookings(commune={self.commune!r}, reservations={len(self._held)})"


class MemoryAccounts:
    """One commune's family accounts in memory: an :class:`~periscolaire.Account`
    per family, which is itself the unit of work's view of its ledger."""

    def __init__(self, commune: str) -> None:
        self.commune = commune
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}

    def _account(self, family: str, wallets: tuple[str, ...]) -> Account:
        account = self._accounts.get(family)
        if account is None:
            account = self._accounts[family] = Account(wallets)
        elif account.wallets != wallets:  # the commune's porte-monnaies changed: the ledger is checked again
            account = self._accounts[family] = Account(wallets, account.entries)
        return account

    def run(
        self,
        families: Sequence[str],
        wallets: tuple[str, ...],
        work: Callable[[Mapping[str, AccountUnit]], T],
        *,
        consumptions: Mapping[str, Collection[str]] | None = None,
    ) -> T:
        with self._lock:
            units = {family: self._account(family, wallets) for family in sorted(set(families))}
            lengths = {family: len(account.entries) for family, account in units.items()}
            try:
                return work(units)
            except BaseException:
                for family, account in units.items():  # nothing half-written across families
                    if len(account.entries) != lengths[family]:
                        self._accounts[family] = Account(wallets, account.entries[: lengths[family]])
                raise

    def entries(self, family: str) -> list[Entry]:
        with self._lock:
            account = self._accounts.get(family)
            return list(account.entries) if account is not None else []

    def families(self) -> list[str]:
        with self._lock:
            return sorted(self._accounts)

    def __repr__(self) -> str:
        return f"MemoryAccounts(commune={self.commune!r}, accounts={len(self._accounts)})"


class MemoryDossiers:
    """One commune's dossiers in memory, kept as their JSON text (no object
    shared with a caller). Nothing is at rest: nothing to seal."""

    def __init__(self, commune: str) -> None:
        self.commune = commune
        self._lock = threading.RLock()
        self._documents: dict[tuple[str, int], tuple[bytes, int]] = {}
        self._files: dict[tuple[str, str], bytes] = {}

    def run(
        self,
        family: str,
        school_year: int,
        work: Callable[[Document | None], tuple[Document | None, T]],
        *,
        files: Mapping[str, bytes] | None = None,
    ) -> T:
        with self._lock:
            found = self._documents.get((family, school_year))
            new, result = work(None if found is None else loads(found[0]))
            if new is not None:
                self._documents[(family, school_year)] = (dumps(new), 1 if found is None else found[1] + 1)
                for sha, content in (files or {}).items():
                    self._files.setdefault((family, sha), bytes(content))
            return result

    def read(self, family: str, school_year: int) -> tuple[Document, int] | None:
        with self._lock:
            found = self._documents.get((family, school_year))
        return None if found is None else (loads(found[0]), found[1])

    def years(self, family: str) -> list[int]:
        with self._lock:
            return sorted(y for f, y in self._documents if f == family)

    def families(self, school_year: int) -> list[str]:
        with self._lock:
            return sorted(f for f, y in self._documents if y == school_year)

    def file(self, family: str, sha256: str) -> bytes | None:
        with self._lock:
            return self._files.get((family, sha256))

    def rotate_keys(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"MemoryDossiers(commune={self.commune!r})"
