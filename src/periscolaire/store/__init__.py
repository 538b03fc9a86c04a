"""Stores: where a register's state lives — ports, and the adapter chosen by URL.

The booking rules (:mod:`periscolaire.booking`) never read or write state by
themselves. A store keeps it — reservations with their status, sequence and
« transmise » flag, the places taken per (activity, day), the waiting lists in
sequence order, the journal of movements until the nightly run, and the outbox
of waiting-list promotions — and runs each operation as one unit of work:
lock the touched (activity, day) slots in a fixed order, read them, let the
rules decide, write, commit. Nothing is ever half-written.

:func:`open_store` picks the adapter from a URL:

============================== ==================================================
``memory://``                  in this process only (the default of ``Register``)
``sqlite:///portail.db``       a file, shared by the processes of one machine
``postgresql+psycopg://...``   PostgreSQL (``pip install 'periscolaire[postgres]'``)
``mysql+pymysql://...``        MariaDB or MySQL (``pip install 'periscolaire[mariadb]'``)
============================== ==================================================

>>> import periscolaire as ps
>>> store = ps.open_store("memory://")
>>> register = ps.Register(ps.load_commune(), store=store)
>>> register.store is store
True
>>> ps.open_store("oracle://scott@db")
Traceback (most recent call last):
...
periscolaire.errors.StoreError: Adresse de stockage non reconnue : 'oracle://scott@db' (memory://, ...).

A store holds several communes: every row carries the commune's
:attr:`~periscolaire.Commune.store_key`, and every unit of work stays within one
commune.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol, TypeVar

from periscolaire.booking import (
    ConfirmationState,
    Decision,
    Held,
    Key,
    Occupancy,
    Promotion,
    Reservation,
    SlotState,
)
from periscolaire.errors import InvalidArgument, StoreError
from periscolaire.wallet import Entry, LedgerState

__all__ = [
    "AccountStore",
    "AccountUnit",
    "BookingStore",
    "BookingUnit",
    "Document",
    "DossierStore",
    "JournalEntry",
    "Slot",
    "Store",
    "open_store",
]

T = TypeVar("T")

#: An (activity, day) slot: the unit of locking.
Slot = tuple[str, date]


class JournalEntry(NamedTuple):
    """One confirmation in the journal of movements, until the nightly run:
    the family account, the instant, and the keys cancelled, accepted,
    waitlisted and refused (in that order, as the report lists them)."""

    family: str
    at: datetime
    cancelled: tuple[Key, ...]
    accepted: tuple[Key, ...]
    waitlisted: tuple[Key, ...]
    refused: tuple[Key, ...]


class BookingUnit(ConfirmationState, Protocol):
    """A unit of work on some slots of one commune: the slots are locked for
    as long as it runs; what it applies is committed together, or not at all."""

    def apply(self, decision: Decision) -> None:
        """Write a decision of the rules (new reservations get the next
        sequences, in order; the journal and the outbox get their entries)."""

    def set_override(self, code: str, day: date, places: int | None) -> None:
        """Set (or, with None, remove) an agent's number of places for the slot."""


class BookingStore(Protocol):
    """The booking state of one commune in a store."""

    @property
    def commune(self) -> str: ...

    @property
    def live_reads(self) -> bool:
        """True when reads hand the live state (in memory), False when they
        return snapshots (a database)."""

    def run(
        self, work: Callable[[BookingUnit], T], *, keys: Sequence[Key] = (), slots: Sequence[Slot] = ()
    ) -> T:
        """Run ``work`` in a unit of work holding the locks of ``slots`` and
        of the slots of ``keys`` (taken in sorted order), with the
        reservations of ``keys`` read ahead; commit what it applied. A
        database may run ``work`` again after a transient failure (a
        deadlock): ``work`` must only read the unit and apply a decision."""

    def held(self, key: Key) -> Held | None: ...

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]:
        """Every reservation of these children, whichever account made it."""

    def slot(self, code: str, day: date) -> SlotState: ...

    def occupancy(self, code: str, first: date, last: date) -> Occupancy: ...

    def waiting_list(self, code: str, day: date) -> list[Key]: ...

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        """Every reservation (of one account), in sequence order."""

    def count(self) -> int: ...

    def load(self, rows: Sequence[Reservation]) -> None:
        """Store reservations that the caller checked (an empty commune only)."""

    def untransmitted(self, family: str | None = None) -> list[JournalEntry]:
        """Journal entries not transmitted yet, oldest first."""

    def transmit(self, run: datetime) -> list[JournalEntry]:
        """The nightly run known by ``run`` (naive, commune-local): the first
        time, mark every untransmitted entry and reservation « transmise » and
        return the entries marked, oldest first; again with the same ``run``,
        return that run's entries again (and nothing newer)."""

    def pending_promotions(self) -> list[Promotion]:
        """Promotions whose e-mail is not marked sent, oldest first."""

    def mark_sent(self, ids: Sequence[int], now: datetime | None) -> None: ...

    def take_promotions(self, now: datetime | None) -> list[Promotion]:
        """The pending promotions, marked sent in the same transaction: each
        is returned to one caller only."""


class AccountUnit(LedgerState, Protocol):
    """One family account inside a unit of work (its row locked): what the
    ledger's rules read, and where the entries they decide are appended."""

    def append(self, entries: Iterable[Entry]) -> tuple[Entry, ...]:
        """Append entries decided by the rules (each checked again)."""


class AccountStore(Protocol):
    """The family accounts of one commune in a store: append-only ledgers."""

    @property
    def commune(self) -> str: ...

    def run(
        self,
        families: Sequence[str],
        wallets: tuple[str, ...],
        work: Callable[[Mapping[str, AccountUnit]], T],
        *,
        consumptions: Mapping[str, Collection[str]] | None = None,
    ) -> T:
        """Run ``work`` in a unit of work holding the accounts of ``families``
        (created empty when new; locked in sorted order), each with the
        commune's porte-monnaies ``wallets``; commit what it appended, or
        nothing. ``consumptions`` are, per family, the consumption references
        ``work`` will ask about (read ahead in one go)."""

    def entries(self, family: str) -> list[Entry]:
        """Every entry of the family's ledger, in order (none: an empty list)."""

    def families(self) -> list[str]:
        """The families that have an account, sorted."""


#: A dossier's stored form (:meth:`periscolaire.Dossier.to_dict`).
Document = Mapping[str, Any]


class DossierStore(Protocol):
    """The family dossiers of one commune in a store, one per family and
    school year, each with a version bumped by every write. Health data is
    kept apart and, with keys, sealed (:mod:`periscolaire.store.health`);
    files are kept by their SHA-256, per family."""

    @property
    def commune(self) -> str: ...

    def run(
        self,
        family: str,
        school_year: int,
        work: Callable[[Document | None], tuple[Document | None, T]],
        *,
        files: Mapping[str, bytes] | None = None,
    ) -> T:
        """Run ``work`` on the stored form of a dossier (None: none yet), its
        row locked: write the form it returns (None: nothing) and ``files``
        (content by SHA-256), or nothing if it raises."""

    def read(self, family: str, school_year: int) -> tuple[Document, int] | None:
        """A dossier's stored form and version, or None."""

    def years(self, family: str) -> list[int]:
        """The school years of a family's dossiers, sorted."""

    def families(self, school_year: int) -> list[str]:
        """The families with a dossier for ``school_year``, sorted."""

    def file(self, family: str, sha256: str) -> bytes | None:
        """A family's file by its SHA-256 (None: no such file of this family)."""

    def rotate_keys(self) -> int:
        """Seal every dossier's health data and every file again with the
        newest key (data kept in clear gets sealed); returns how many."""


class Store(Protocol):
    """What :func:`open_store` returns: the state of any number of communes."""

    @property
    def url(self) -> str:
        """The store's URL, password hidden."""

    def bookings(self, commune: str) -> BookingStore:
        """The booking state of one commune."""

    def accounts(self, commune: str) -> AccountStore:
        """The family accounts of one commune."""

    def dossiers(self, commune: str) -> DossierStore:
        """The family dossiers of one commune."""

    def close(self) -> None:
        """Release connections (a no-op in memory)."""


_SQL_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")


def open_store(url: str, *, upgrade: bool = False, **options: Any) -> Store:
    """The store at ``url`` (see the module's table).

    A database's schema must be the library's (``periscolaire db upgrade
    URL``): an older or newer one is a :class:`~periscolaire.SchemaError`
    naming the command to run. ``upgrade=True`` applies the migrations first
    (convenient for an embedded SQLite file, a demo or tests). Other
    ``options`` go to the SQL store (``pool_size``, ``check_schema``...).

    ``health_keys`` (Fernet keys, newest first) seal the dossiers' health data
    and files in a database (:mod:`periscolaire.store.health`); without
    them, a database store keeps them in clear and says so once
    (:class:`~periscolaire.store.health.HealthDataWarning`). ``files`` is
    where a database store keeps the dossiers' files: ``None`` (in the
    database) or a directory.
    """
    if not isinstance(url, str):
        raise InvalidArgument(f"url : l'adresse d'un store (une chaîne) est attendue, reçu {url!r}.")
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if url == "memory://" or url.startswith("memory://"):
        from periscolaire.store.memory import MemoryStore

        # No schema in memory (nothing to check), nothing at rest (nothing to seal).
        unknown = sorted(set(options) - {"check_schema", "health_keys"})
        if unknown:
            raise StoreError(
                f"Options inconnues pour memory:// : {', '.join(unknown)}.", code="unknown_option"
            )
        return MemoryStore()
    if scheme in _SQL_SCHEMES and "://" in url:
        from periscolaire.store.sql import SQLStore

        return SQLStore(url, upgrade=upgrade, **options)
    raise StoreError(
        f"Adresse de stockage non reconnue : {url!r} (memory://, sqlite:///chemin.db, "
        "postgresql+psycopg://..., mysql+pymysql://...).",
        code="unknown_url",
    )
