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
from periscolaire.store.sql.connection import CommunePart, _driver, _driver_errors
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


def _row(family: str, entry: Entry) -> tuple[Any, ...]:
    """An entry as the columns after the commune (see :data:`_COLUMN_NAMES`)."""
    return (
        family,
        entry.number,
        entry.wallet,
        entry.on,
        int(entry.amount.scaleb(2)),
        EntryKind(entry.kind).value,
        entry.label,
        entry.reference,
        entry.reverses,
        entry.key,
    )


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
        self._new_consumptions: set[str] = set()

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
        mine = self._new_consumptions & wanted
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
                if entry.kind == EntryKind.CONSUMPTION:
                    self._new_consumptions.add(entry.reference)
                self._next += 1
        except BaseException:
            del self.new[start:]  # nothing of a refused batch
            self._new_consumptions = {e.reference for e in self.new if e.kind == EntryKind.CONSUMPTION}
            self._next = first
            raise
        return tuple(batch)


class SQLAccounts(CommunePart):
    """One commune's family accounts in a database (see the module)."""

    def __init__(self, store: SQLStore, commune: str) -> None:
        super().__init__(store, commune)
        self._sql = _STATEMENTS[store.dialect]()

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
        sql, commune = self._sql, self.commune

        def unit_of_work(conn: Connection) -> T:
            cursor = _driver(conn).cursor()
            try:
                with _driver_errors(conn, "periscolaire accounts"):
                    # Accounts created when new and locked, in sorted order (no deadlock).
                    numbers = sql.lock(cursor, commune, wanted)
                    consumed = self._consumed(cursor, consumptions or {})
                units = {
                    family: _Unit(conn, commune, family, wallets, numbers[family], consumed.get(family))
                    for family in wanted
                }
                result = work(units)
                rows = [_row(family, e) for family, unit in units.items() for e in unit.new]
                if rows:
                    changed = [(family, unit.next_number()) for family, unit in units.items() if unit.new]
                    with _driver_errors(conn, "periscolaire accounts"):
                        sql.flush(cursor, commune, rows, changed)
                return result
            finally:
                cursor.close()

        return self._write(unit_of_work)

    def _consumed(self, cursor: Any, asked: Mapping[str, Collection[str]]) -> dict[str, _Answered]:
        """Per family, which of the asked consumption references are debited
        already: each (family, key) pair looked up through the unique index."""
        found: dict[str, set[str]] = {family: set() for family in asked}
        pairs = sorted((family, f"consumption:{r}") for family, refs in asked.items() for r in refs)
        for family, key in self._sql.keys(cursor, self.commune, pairs):
            found[family].add(key.removeprefix("consumption:"))
        # A reference asked and not found is not consumed: the unit answers without asking again.
        return {family: _Answered(found[family], set(refs)) for family, refs in asked.items()}

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


class _Answered(set[str]):
    """The consumption references found among those asked: a reference asked
    and absent is known not consumed."""

    def __init__(self, found: set[str], asked: set[str]) -> None:
        super().__init__(found)
        self.asked = asked


# --------------------------------------------------------------------------
# The statements, per driver (the nightly debit's hot path)
# --------------------------------------------------------------------------

_COLUMN_NAMES = (
    "commune, family, number, wallet, day, amount_cents, kind, label, reference, reverses, unique_key"
)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Cached:
    """Statements with ``n`` placeholders, built once per ``n``."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], str] = {}

    def sql(self, kind: str, n: int, build: Callable[[int], str]) -> str:
        found = self._cache.get((kind, n))
        if found is None:
            found = self._cache[(kind, n)] = build(n)
        return found


class _Listed(_Cached):
    """Drivers given one placeholder per value (sqlite3, PyMySQL): the accounts
    created (an existing row left alone), then read, one chunk at a time."""

    P = "?"  # the driver's placeholder
    CREATE = "INSERT OR IGNORE"  # an INSERT that leaves an existing row alone
    LOCKING = ""  # what locks the rows read (SQLite: the unit's BEGIN IMMEDIATE already does)

    def lock(self, cursor: Any, commune: str, families: Sequence[str]) -> dict[str, int]:
        p = self.P
        numbers: dict[str, int] = {}
        for chunk in _chunks(families):
            n = len(chunk)
            cursor.execute(
                self.sql(
                    "create",
                    n,
                    lambda n: (
                        f"{self.CREATE} INTO periscolaire_account (commune, family, next_number) VALUES "
                        + ", ".join([f"({p}, {p}, 1)"] * n)
                    ),
                ),
                [v for f in chunk for v in (commune, f)],
            )
            cursor.execute(
                self.sql(
                    "lock",
                    n,
                    lambda n: (
                        f"SELECT family, next_number FROM periscolaire_account WHERE commune = {p} "
                        f"AND family IN ({', '.join([p] * n)}){self.LOCKING}"
                    ),
                ),
                [commune, *chunk],
            )
            numbers.update(cursor.fetchall())
        return numbers


class _SQLite(_Listed):
    """sqlite3: the unit of work holds the database's write lock (BEGIN IMMEDIATE)."""

    def keys(self, cursor: Any, commune: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for chunk in _chunks(pairs):
            # A VALUES table joined on the unique index: each pair one lookup (SQLite
            # does not use an index for a row-value IN).
            cursor.execute(
                self.sql(
                    "keys",
                    len(chunk),
                    lambda n: (
                        "SELECT e.family, e.unique_key FROM (VALUES "
                        + ", ".join(["(?, ?)"] * n)
                        + ") AS u CROSS JOIN periscolaire_entry AS e "
                        "WHERE e.commune = ? AND e.family = u.column1 AND e.unique_key = u.column2"
                    ),
                ),
                [*(v for pair in chunk for v in pair), commune],
            )
            found += cursor.fetchall()
        return found

    def flush(
        self, cursor: Any, commune: str, rows: list[tuple[Any, ...]], numbers: list[tuple[str, int]]
    ) -> None:
        cursor.executemany(
            f"INSERT INTO periscolaire_entry ({_COLUMN_NAMES}) VALUES ({', '.join(['?'] * 11)})",
            [(commune, r[0], r[1], r[2], r[3].isoformat(), *r[4:]) for r in rows],
        )
        cursor.executemany(
            "UPDATE periscolaire_account SET next_number = ? WHERE commune = ? AND family = ?",
            [(n, commune, f) for f, n in numbers],
        )


class _PostgreSQL(_Cached):
    """psycopg 3: arrays in (binary: no quoting of each text), one statement per chunk;
    each lookup one index probe."""

    CREATE = (
        "INSERT INTO periscolaire_account (commune, family, next_number) "
        "SELECT %s, f, 1 FROM unnest(%b::text[]) AS u(f) ON CONFLICT (commune, family) DO NOTHING"
    )
    LOCK = (
        "SELECT a.family, a.next_number FROM unnest(%b::text[]) WITH ORDINALITY AS u(f, i) "
        "CROSS JOIN LATERAL (SELECT family, next_number FROM periscolaire_account "
        "WHERE commune = %s AND family = u.f FOR UPDATE) AS a ORDER BY u.i"
    )
    # LIMIT 1: one index probe per pair (without it, a hash join over the commune's ledgers).
    KEYS = (
        "SELECT e.family, e.unique_key FROM unnest(%b::text[], %b::text[]) AS u(f, k) "
        "CROSS JOIN LATERAL (SELECT family, unique_key FROM periscolaire_entry "
        "WHERE commune = %s AND family = u.f AND unique_key = u.k LIMIT 1) AS e"
    )
    INSERT = (
        f"INSERT INTO periscolaire_entry ({_COLUMN_NAMES}) SELECT %s, f, n, w, d, a, k, l, r, rv, u FROM unnest("
        "%b::text[], %b::bigint[], %b::text[], %b::date[], %b::bigint[], %b::text[], %b::text[], %b::text[], "
        "%b::bigint[], %b::text[]) AS x(f, n, w, d, a, k, l, r, rv, u)"
    )
    SET = (
        "UPDATE periscolaire_account AS a SET next_number = u.n "
        "FROM unnest(%b::text[], %b::bigint[]) AS u(f, n) WHERE a.commune = %s AND a.family = u.f"
    )

    def lock(self, cursor: Any, commune: str, families: Sequence[str]) -> dict[str, int]:
        numbers: dict[str, int] = {}
        for chunk in _chunks(families):
            cursor.execute(self.CREATE, (commune, list(chunk)))
            cursor.execute(self.LOCK, (list(chunk), commune))
            numbers.update(cursor.fetchall())
        return numbers

    def keys(self, cursor: Any, commune: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for chunk in _chunks(pairs):
            cursor.execute(self.KEYS, ([f for f, _ in chunk], [k for _, k in chunk], commune))
            found += cursor.fetchall()
        return found

    def flush(
        self, cursor: Any, commune: str, rows: list[tuple[Any, ...]], numbers: list[tuple[str, int]]
    ) -> None:
        for chunk in _chunks(rows):
            cursor.execute(self.INSERT, (commune, *(list(column) for column in zip(*chunk, strict=True))))
        cursor.execute(self.SET, ([f for f, _ in numbers], [n for _, n in numbers], commune))


class _MariaDB(_Listed):
    """PyMySQL: multi-row statements (its executemany merges INSERTs only)."""

    P = "%s"
    CREATE = "INSERT IGNORE"
    LOCKING = " ORDER BY family FOR UPDATE"  # in key order: no deadlock between two units

    def keys(self, cursor: Any, commune: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for chunk in _chunks(pairs):
            cursor.execute(
                self.sql(
                    "keys",
                    len(chunk),
                    lambda n: (
                        "SELECT family, unique_key FROM periscolaire_entry "
                        "WHERE commune = %s AND (family, unique_key) IN (" + ", ".join(["(%s, %s)"] * n) + ")"
                    ),
                ),
                [commune, *(v for pair in chunk for v in pair)],
            )
            found += cursor.fetchall()
        return found

    def flush(
        self, cursor: Any, commune: str, rows: list[tuple[Any, ...]], numbers: list[tuple[str, int]]
    ) -> None:
        row = "(" + ", ".join(["%s"] * 11) + ")"
        for chunk in _chunks(rows):
            cursor.execute(
                self.sql(
                    "insert",
                    len(chunk),
                    lambda n: (
                        f"INSERT INTO periscolaire_entry ({_COLUMN_NAMES}) VALUES " + ", ".join([row] * n)
                    ),
                ),
                [v for r in chunk for v in (commune, *r)],
            )
        for chunk in _chunks(numbers):
            cursor.execute(
                self.sql(
                    "set",
                    len(chunk),
                    lambda n: (
                        "INSERT INTO periscolaire_account (commune, family, next_number) "
                        "VALUES "
                        + ", ".join(["(%s, %s, %s)"] * n)
                        + " ON DUPLICATE KEY UPDATE next_number = VALUES(next_number)"
                    ),
                ),
                [v for f, n in chunk for v in (commune, f, n)],
            )


_STATEMENTS: dict[str, type[_SQLite | _PostgreSQL | _MariaDB]] = {
    "sqlite": _SQLite,
    "postgresql": _PostgreSQL,
    "mysql": _MariaDB,
    "mariadb": _MariaDB,
}
