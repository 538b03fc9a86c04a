"""One commune's family accounts in a database: append-only ledgers.

Each account has a row (``periscolaire_account``: the number of its next
entry) that every operation on it locks, and its entries
(``periscolaire_entry``), which are only ever inserted. What makes an entry
unique — a consumption's reservation, a payment's reference, the entry a
correction reverses — is a unique key the database enforces: a debit run
repeated, crashed half-way or run from two machines at once debits each
consumption once, even if a caller bypassed the lock.

Amounts are integers of cents (exact on every backend); the ledger's rules
(:mod:`periscolaire.wallet`) decide every entry, and the unit of work only
answers their questions and writes what they decided.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Set
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from periscolaire.errors import InvalidArgument
from periscolaire.store import AccountUnit
from periscolaire.store.sql.connection import CommunePart, insert_ignoring_duplicates
from periscolaire.store.sql.schema import account_table, entry_table
from periscolaire.wallet import Entry, EntryKind, check_entry

if TYPE_CHECKING:
    from periscolaire.store.sql import SQLStore

__all__ = ["SQLAccounts"]

T = TypeVar("T")
_A = account_table.c
_E = entry_table.c
_COLUMNS = (_E.number, _E.wallet, _E.day, _E.amount_cents, _E.kind, _E.label, _E.reference, _E.reverses)
_CHUNK = 500


def _entry(row: Any) -> Entry:
    number, wallet, day, cents, kind, label, reference, reverses = row
    return Entry(number, wallet, day, Decimal(cents).scaleb(-2), kind, label, reference, reverses)


def _row(commune: str, family: str, entry: Entry) -> dict[str, Any]:
    return {
        "commune": commune,
        "family": family,
        "number": entry.number,
        "wallet": entry.wallet,
        "day": entry.on,
        "amount_cents": int(entry.amount.scaleb(2)),
        "kind": EntryKind(entry.kind).value,
        "label": entry.label,
        "reference": entry.reference,
        "reverses": entry.reverses,
        "unique_key": entry.key,
    }


class _Unit:
    """One account inside a unit of work: its row is locked; its new entries
    are written when the unit ends."""

    def __init__(
        self,
        conn: Connection,
        commune: str,
        family: str,
        wallets: tuple[str, ...],
        next_number: int,
        consumed: _Answered | None,
    ) -> None:
        self._conn = conn
        self._commune = commune
        self._family = family
        self.wallets = wallets
        self._next = next_number
        self._known_consumed = consumed  # read ahead for the references asked, or None
        self.new: list[Entry] = []

    def _where(self) -> tuple[Any, ...]:
        return (_E.commune == self._commune, _E.family == self._family)

    def _by_key(self, key: str) -> Entry | None:
        for entry in self.new:
            if entry.key == key:
                return entry
        row = self._conn.execute(sa.select(*_COLUMNS).where(*self._where(), _E.unique_key == key)).first()
        return None if row is None else _entry(row)

    def next_number(self) -> int:
        return self._next

    def entry(self, number: int) -> Entry | None:
        for entry in self.new:
            if entry.number == number:
                return entry
        row = self._conn.execute(sa.select(*_COLUMNS).where(*self._where(), _E.number == number)).first()
        return None if row is None else _entry(row)

    def is_corrected(self, number: int) -> bool:
        return self._by_key(f"correction:{number}") is not None

    def consumed(self, references: Collection[str]) -> Set[str]:
        wanted = set(references)
        mine = {e.reference for e in self.new if e.kind == EntryKind.CONSUMPTION} & wanted
        known = self._known_consumed
        if known is not None:
            found = wanted & known
            missing = sorted(r for r in wanted if r not in known.asked)
        else:
            found, missing = set(), sorted(wanted)
        for start in range(0, len(missing), _CHUNK):
            keys = [f"consumption:{r}" for r in missing[start : start + _CHUNK]]
            found |= {
                key.removeprefix("consumption:")
                for (key,) in self._conn.execute(
                    sa.select(_E.unique_key).where(*self._where(), _E.unique_key.in_(keys))
                )
            }
        return found | mine

    def payment(self, reference: str) -> Entry | None:
        return self._by_key(f"payment:{reference}")

    def append(self, entries: Iterable[Entry]) -> tuple[Entry, ...]:
        start, first = len(self.new), self._next
        batch = list(entries)
        try:
            for entry in batch:
                if not isinstance(entry, Entry):
                    raise InvalidArgument(f"entries : des ps.Entry sont attendues, reçu {entry!r}.")
                check_entry(self, entry)
                self.new.append(entry)
                self._next += 1
        except BaseException:
            del self.new[start:]  # nothing of a refused batch
            self._next = first
            raise
        return tuple(batch)


class SQLAccounts(CommunePart):
    """One commune's family accounts in a database (see the module)."""

    def __init__(self, store: SQLStore, commune: str) -> None:
        super().__init__(store, commune)
        self._known: set[str] = set()
        self._ignore_duplicates = insert_ignoring_duplicates(store.dialect, account_table)

    def _prepare(self, families: Sequence[str]) -> None:
        """Create the rows of accounts this process has not seen yet (in a
        transaction of their own: an existing row is left alone)."""
        missing = [f for f in families if f not in self._known]
        if not missing:
            return

        def create(conn: Connection) -> None:
            rows = [{"commune": self.commune, "family": f, "next_number": 1} for f in missing]
            for start in range(0, len(rows), _CHUNK):
                conn.execute(self._ignore_duplicates, rows[start : start + _CHUNK])

        self._write(create)
        self._known.update(missing)

    def run(
        self,
        families: Sequence[str],
        wallets: tuple[str, ...],
        work: Callable[[Mapping[str, AccountUnit]], T],
        *,
        consumptions: Mapping[str, Collection[str]] | None = None,
    ) -> T:
        wanted = sorted(set(families))
        if any(not isinstance(f, str) or not f for f in wanted):
            raise InvalidArgument(f"families : des identifiants de compte sont attendus, reçu {families!r}.")
        self._prepare(wanted)

        def unit_of_work(conn: Connection) -> T:
            numbers: dict[str, int] = {}
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                for family, next_number in conn.execute(
                    sa.select(_A.family, _A.next_number)
                    .where(_A.commune == self.commune, _A.family.in_(chunk))
                    .order_by(_A.family)
                    .with_for_update()
                ):
                    numbers[family] = next_number
            consumed = self._consumed(conn, consumptions or {})
            units = {
                family: _Unit(conn, self.commune, family, wallets, numbers[family], consumed.get(family))
                for family in wanted
            }
            result = work(units)
            self._flush(conn, units)
            return result

        return self._write(unit_of_work)

    def _consumed(self, conn: Connection, asked: Mapping[str, Collection[str]]) -> dict[str, _Answered]:
        """Per family, which of the asked consumption references are debited
        already, read in chunks (families and keys through the unique index)."""
        found: dict[str, set[str]] = {family: set() for family in asked}
        pairs = sorted((family, f"consumption:{r}") for family, refs in asked.items() for r in refs)
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            wanted = set(chunk)
            for family, key in conn.execute(
                sa.select(_E.family, _E.unique_key).where(
                    _E.commune == self.commune,
                    _E.family.in_(sorted({f for f, _ in chunk})),
                    _E.unique_key.in_(sorted({k for _, k in chunk})),
                )
            ):
                if (family, key) in wanted:
                    found[family].add(key.removeprefix("consumption:"))
        # A reference asked and not found is not consumed: the unit answers without asking again.
        return {family: _Answered(found[family], set(refs)) for family, refs in asked.items()}

    def _flush(self, conn: Connection, units: Mapping[str, _Unit]) -> None:
        rows = [_row(self.commune, family, e) for family, unit in units.items() for e in unit.new]
        for start in range(0, len(rows), _CHUNK):
            conn.execute(sa.insert(entry_table), rows[start : start + _CHUNK])
        numbers = [
            {"c": self.commune, "f": family, "n": unit.next_number()}
            for family, unit in units.items()
            if unit.new
        ]
        if numbers:
            conn.execute(_SET_NEXT, numbers)

    def entries(self, family: str) -> list[Entry]:
        rows = self._read(
            sa.select(*_COLUMNS).where(_E.commune == self.commune, _E.family == family).order_by(_E.number)
        )
        return [_entry(row) for row in rows]

    def families(self) -> list[str]:
        return [
            f
            for (f,) in self._read(sa.select(_A.family).where(_A.commune == self.commune).order_by(_A.family))
        ]

    def __repr__(self) -> str:
        return f"SQLAccounts({self.store.url!r}, commune={self.commune!r})"


_SET_NEXT = (
    sa.update(account_table)
    .where(_A.commune == sa.bindparam("c"), _A.family == sa.bindparam("f"))
    .values(next_number=sa.bindparam("n"))
)


class _Answered(set[str]):
    """The consumption references found among those asked: a reference asked
    and absent is known not consumed."""

    def __init__(self, found: set[str], asked: set[str]) -> None:
        super().__init__(found)
        self.asked = asked
