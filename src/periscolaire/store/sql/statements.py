"""The hot path's statements: what a unit of work and a session run many times a
second, written once per driver (portable SQLAlchemy Core for any other)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from periscolaire.booking import (
    STATUS,
    Held,
    Key,
)
from periscolaire.store import Slot
from periscolaire.store.sql.connection import (
    _driver,
    _driver_errors,
)
from periscolaire.store.sql.schema import (
    _R,
    _S,
    SEQUENCE_BLOCK,
    counter_table,
    journal_table,
    promotion_table,
    reservation_table,
    sequence,
    slot_table,
)

T = TypeVar("T")


# --------------------------------------------------------------------------
# The hot path's statements
# --------------------------------------------------------------------------

#: Rows per statement where a backend caps the parameters of one statement.
_CHUNK = 250

#: A write: a statement (SQL text, or SQLAlchemy Core) and its parameters
#: (a list of rows: ``executemany``).
_Op = tuple[Any, Any]

_RESERVATION_COLUMNS = "child, activity, day, family, status, sequence, transmitted"
_INSERT_COLUMNS = "commune, child, activity, day, family, status, sequence, transmitted, confirmation"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_COLUMNS = (_R.child, _R.activity, _R.day, _R.family, _R.status, _R.sequence, _R.transmitted)
_CORE_LOCK = (
    sa.select(_S.activity, _S.day, _S.capacity, _S.taken, _S.waiting)
    .where(
        _S.commune == sa.bindparam("c"),
        sa.tuple_(_S.activity, _S.day).in_(sa.bindparam("slots", expanding=True)),
    )
    .order_by(_S.activity, _S.day)
    .with_for_update()
)
_CORE_HELD = sa.select(*_COLUMNS).where(
    _R.commune == sa.bindparam("c"),
    sa.tuple_(_R.child, _R.activity, _R.day).in_(sa.bindparam("keys", expanding=True)),
)
_CORE_CHILDREN = sa.select(*_COLUMNS).where(
    _R.commune == sa.bindparam("c"), _R.child.in_(sa.bindparam("children", expanding=True))
)
_CORE_QUEUE = (
    sa.select(_R.child, _R.family)
    .where(
        _R.commune == sa.bindparam("c"),
        _R.activity == sa.bindparam("a"),
        _R.day == sa.bindparam("d"),
        _R.status == "waitlisted",
    )
    .order_by(_R.sequence)
    .limit(sa.bindparam("n"))
)
_CORE_UPDATE_COUNTS = (
    sa.update(slot_table)
    .where(_S.commune == sa.bindparam("c"), _S.activity == sa.bindparam("a"), _S.day == sa.bindparam("d"))
    .values(taken=sa.bindparam("t"), waiting=sa.bindparam("w"))
)
_KEY = (
    _R.commune == sa.bindparam("c"),
    _R.child == sa.bindparam("k"),
    _R.activity == sa.bindparam("a"),
    _R.day == sa.bindparam("d"),
)
_CORE_DELETE = sa.delete(reservation_table).where(*_KEY)
_CORE_PROMOTE = sa.update(reservation_table).where(*_KEY).values(status="accepted")


class _Statements:
    """What a unit of work and a session run many times a second.

    This base is portable SQLAlchemy Core (any driver SQLAlchemy knows);
    the subclasses for the drivers the extras install (sqlite3, psycopg,
    PyMySQL) hold SQL text built once and run with ``exec_driver_sql``: no
    statement object built and compiled per call, and one round trip per
    statement whatever the number of rows (arrays on PostgreSQL, multi-row
    statements on MariaDB; SQLite runs in the process, where
    ``executemany`` costs no round trip).

    Reads run at once; writes are returned as operations (:meth:`write`
    runs them), which lets PostgreSQL send a unit's writes and its COMMIT
    together."""

    #: Whether a unit keeps its writes until it reads again or ends (they
    #: then travel together); else they run as the decision is applied.
    defer_writes = False

    @staticmethod
    def day(value: date) -> Any:
        """A date as the driver takes it."""
        return value

    @staticmethod
    def date_of(value: Any) -> date:
        """A day as the driver reads it back, as a date."""
        return value  # type: ignore[no-any-return]

    def _held(self, rows: Iterable[Any]) -> Iterator[tuple[Key, Held]]:
        date_of = self.date_of
        for child, code, day, family, status, seq, transmitted in rows:
            yield (child, code, date_of(day)), (family, status == "accepted", seq, bool(transmitted))

    # -- reads -----------------------------------------------------------------------

    def open(
        self, conn: Connection, commune: str, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> tuple[list[Any], list[tuple[Key, Held]], int | None]:
        """A unit's first reads: lock the slots in sorted order and read
        (activity, day, capacity, taken, waiting) of each, then the
        reservations of ``keys`` that exist; and, where it comes in the same
        round trip, the first number of a block of sequences (else None)."""
        rows = self.lock_slots(conn, commune, slots) if slots else []
        return rows, list(self.held(conn, commune, keys)) if keys else [], None

    def lock_slots(self, conn: Connection, commune: str, slots: Sequence[Slot]) -> list[Any]:
        return list(conn.execute(_CORE_LOCK, {"c": commune, "slots": list(slots)}))

    def held(self, conn: Connection, commune: str, keys: Sequence[Key]) -> Iterator[tuple[Key, Held]]:
        return self._held(conn.execute(_CORE_HELD, {"c": commune, "keys": list(keys)}))

    def children(self, conn: Connection, commune: str, children: Sequence[str]) -> Iterator[tuple[Key, Held]]:
        """Every reservation of these children."""
        return self._held(conn.execute(_CORE_CHILDREN, {"c": commune, "children": list(children)}))

    def queue(self, conn: Connection, commune: str, code: str, day: date, n: int) -> list[tuple[str, str]]:
        """(child, family) of the first ``n`` of a slot's waiting list."""
        rows = conn.execute(_CORE_QUEUE, {"c": commune, "a": code, "d": day, "n": n})
        return [(child, family) for child, family in rows]

    # -- writes ------------------------------------------------------------------------

    def allocate(self, conn: Connection, n: int, first: int | None = None) -> int:
        """The first of ``n`` fresh sequence numbers (consecutive), under the
        unit's locks (``first``: a block :meth:`open` took already)."""
        return _allocate(conn, conn.dialect, n, first)

    def write(self, conn: Connection, ops: list[_Op], *, commit: bool = False) -> None:
        """Run writes in order (and commit, where it saves a round trip: else
        the transaction commits as usual)."""
        for statement, params in ops:
            if isinstance(statement, str):
                conn.exec_driver_sql(statement, params)
            else:
                conn.execute(statement, params)

    def insert(
        self, commune: str, family: str, confirmation: int, added: Sequence[tuple[Key, bool]]
    ) -> list[_Op]:
        """A decision's new reservations (True: accepted), numbered from
        ``confirmation + 1`` in order."""
        rows = [
            {
                "commune": commune,
                "child": k[0],
                "activity": k[1],
                "day": k[2],
                "family": family,
                "status": STATUS[accepted].value,
                "sequence": number,
                "transmitted": False,
                "confirmation": confirmation,
            }
            for number, (k, accepted) in enumerate(added, start=confirmation + 1)
        ]
        return [(sa.insert(reservation_table), rows)]

    def update_counts(self, commune: str, counts: list[tuple[str, date, int, int]]) -> list[_Op]:
        """Set (activity, day, taken, waiting) of locked slots."""
        return [
            (_CORE_UPDATE_COUNTS, [{"c": commune, "a": a, "d": d, "t": t, "w": w} for a, d, t, w in counts])
        ]

    def delete(self, commune: str, keys: Sequence[Key]) -> list[_Op]:
        return [(_CORE_DELETE, [{"c": commune, "k": k, "a": a, "d": d} for k, a, d in keys])]

    def promote(self, commune: str, keys: Sequence[Key]) -> list[_Op]:
        """Waiting-list reservations accepted."""
        return [(_CORE_PROMOTE, [{"c": commune, "k": k, "a": a, "d": d} for k, a, d in keys])]

    def journal(self, row: tuple[Any, ...]) -> list[_Op]:
        """(commune, confirmation, family, at, movements, transmitted)."""
        columns = ("commune", "confirmation", "family", "at", "movements", "transmitted")
        return [(sa.insert(journal_table), dict(zip(columns, row, strict=True)))]

    def promotions(self, rows: list[tuple[Any, ...]]) -> list[_Op]:
        """(commune, id, child, activity, day, family, at, sent) each."""
        columns = ("commune", "id", "child", "activity", "day", "family", "at", "sent")
        return [(sa.insert(promotion_table), [dict(zip(columns, row, strict=True)) for row in rows])]


class _DriverStatements(_Statements):
    """The statements shared by the drivers' own SQL (placeholder :attr:`p`)."""

    #: The driver's placeholder.
    p = "%s"
    #: A reservation's INSERT, one row of parameters.
    _insert = ""

    def __init__(self) -> None:
        p = self.p
        self._journal = (
            "INSERT INTO periscolaire_journal (commune, confirmation, family, at, movements, transmitted) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
        )
        self._promotion = (
            "INSERT INTO periscolaire_promotion (commune, id, child, activity, day, family, at, sent) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
        )
        self._queue = (
            f"SELECT child, family FROM periscolaire_reservation WHERE commune = {p} AND activity = {p} "
            f"AND day = {p} AND status = 'waitlisted' ORDER BY sequence LIMIT {p}"
        )
        where_key = f"WHERE commune = {p} AND child = {p} AND activity = {p} AND day = {p}"
        self._delete = f"DELETE FROM periscolaire_reservation {where_key}"
        self._promote = f"UPDATE periscolaire_reservation SET status = 'accepted' {where_key}"

    def queue(self, conn: Connection, commune: str, code: str, day: date, n: int) -> list[tuple[str, str]]:
        rows = conn.exec_driver_sql(self._queue, (commune, code, self.day(day), n))
        return [(child, family) for child, family in rows]

    def insert(
        self, commune: str, family: str, confirmation: int, added: Sequence[tuple[Key, bool]]
    ) -> list[_Op]:
        day = self.day
        rows = [
            (commune, k[0], k[1], day(k[2]), family, STATUS[accepted].value, number, False, confirmation)
            for number, (k, accepted) in enumerate(added, start=confirmation + 1)
        ]
        return [(self._insert, list(chunk)) for chunk in _chunks(rows, 1000)]

    def delete(self, commune: str, keys: Sequence[Key]) -> list[_Op]:
        day = self.day
        return [(self._delete, [(commune, k[0], k[1], day(k[2])) for k in keys])]

    def promote(self, commune: str, keys: Sequence[Key]) -> list[_Op]:
        day = self.day
        return [(self._promote, [(commune, k[0], k[1], day(k[2])) for k in keys])]

    def journal(self, row: tuple[Any, ...]) -> list[_Op]:
        return [(self._journal, row)]

    def promotions(self, rows: list[tuple[Any, ...]]) -> list[_Op]:
        day = self.day
        return [(self._promotion, [(c, i, k, a, day(d), f, at, s) for c, i, k, a, d, f, at, s in rows])]


class _SQLiteStatements(_DriverStatements):
    """SQLite: ``?`` parameters, days as ISO text (as SQLAlchemy's Date
    keeps them). Key lists join ``VALUES`` rows, so that every row is found
    through the primary key (SQLite searches a row-value ``IN`` over several
    columns by its first column only), chunked under the cap on parameters.

    The statements go straight to the sqlite3 connection: a unit of work
    holds the database's write lock from its ``BEGIN IMMEDIATE`` to its
    COMMIT, and every other process waits for it, so the time SQLAlchemy
    would spend around each statement (its result objects) counts several
    times over."""

    p = "?"

    def __init__(self) -> None:
        super().__init__()
        self._insert = (
            f"INSERT INTO periscolaire_reservation ({_INSERT_COLUMNS}) VALUES ({', '.join(['?'] * 9)})"
        )
        self._update = "UPDATE periscolaire_slot SET taken = ?, waiting = ? WHERE commune = ? AND activity = ? AND day = ?"
        self._counter = (
            "UPDATE periscolaire_counter SET value = value + ? WHERE name = 'sequence' RETURNING value"
        )
        self._sql: dict[tuple[str, int], str] = {}

    @staticmethod
    def day(value: date) -> Any:
        return value.isoformat()

    @staticmethod
    def date_of(value: Any) -> date:
        return date.fromisoformat(value)

    @staticmethod
    def _run(conn: Connection, sql: str, params: Any) -> list[Any]:
        with _driver_errors(conn, sql):
            return _driver(conn).execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def _text(self, kind: str, n: int) -> str:
        sql = self._sql.get((kind, n))
        if sql is None:
            if kind == "lock":  # BEGIN IMMEDIATE took the database's write lock: this only reads
                sql = (
                    "SELECT s.activity, s.day, s.capacity, s.taken, s.waiting "
                    f"FROM (VALUES {', '.join(['(?, ?)'] * n)}) AS u CROSS JOIN periscolaire_slot AS s "
                    "WHERE s.commune = ? AND s.activity = u.column1 AND s.day = u.column2"
                )
            elif kind == "held":
                columns = ", ".join(f"r.{c}" for c in _RESERVATION_COLUMNS.split(", "))
                sql = (
                    f"SELECT {columns} FROM (VALUES {', '.join(['(?, ?, ?)'] * n)}) AS u "
                    "CROSS JOIN periscolaire_reservation AS r WHERE r.commune = ? "
                    "AND r.child = u.column1 AND r.activity = u.column2 AND r.day = u.column3"
                )
            else:
                sql = (
                    f"SELECT {_RESERVATION_COLUMNS} FROM periscolaire_reservation "
                    f"WHERE commune = ? AND child IN ({', '.join(['?'] * n)})"
                )
            self._sql[(kind, n)] = sql
        return sql

    def lock_slots(self, conn: Connection, commune: str, slots: Sequence[Slot]) -> list[Any]:
        rows: list[Any] = []
        for chunk in _chunks(slots, _CHUNK):
            params: list[Any] = [v for a, d in chunk for v in (a, d.isoformat())]
            params.append(commune)
            result = self._run(conn, self._text("lock", len(chunk)), params)
            rows += [(a, date.fromisoformat(d), c, t, w) for a, d, c, t, w in result]
        return rows

    def held(self, conn: Connection, commune: str, keys: Sequence[Key]) -> Iterator[tuple[Key, Held]]:
        for chunk in _chunks(keys, _CHUNK):
            params: list[Any] = [v for k in chunk for v in (k[0], k[1], k[2].isoformat())]
            params.append(commune)
            yield from self._held(self._run(conn, self._text("held", len(chunk)), params))

    def children(self, conn: Connection, commune: str, children: Sequence[str]) -> Iterator[tuple[Key, Held]]:
        for chunk in _chunks(children, _CHUNK):
            yield from self._held(self._run(conn, self._text("children", len(chunk)), (commune, *chunk)))

    def queue(self, conn: Connection, commune: str, code: str, day: date, n: int) -> list[tuple[str, str]]:
        return [
            (child, family)
            for child, family in self._run(conn, self._queue, (commune, code, day.isoformat(), n))
        ]

    def allocate(self, conn: Connection, n: int, first: int | None = None) -> int:
        found = self._run(conn, self._counter, (n,))
        if not found:
            self.write(
                conn, [("INSERT INTO periscolaire_counter (name, value) VALUES ('sequence', ?)", (n,))]
            )
            return 1
        return int(found[0][0]) - n + 1

    def write(self, conn: Connection, ops: list[_Op], *, commit: bool = False) -> None:
        raw = _driver(conn)
        for statement, params in ops:
            if not isinstance(statement, str):
                conn.execute(statement, params)
                continue
            with _driver_errors(conn, statement):
                if isinstance(params, list):
                    raw.executemany(statement, params)
                else:
                    raw.execute(statement, params)

    def update_counts(self, commune: str, counts: list[tuple[str, date, int, int]]) -> list[_Op]:
        return [(self._update, [(t, w, commune, a, d.isoformat()) for a, d, t, w in counts])]


class _PostgreSQLStatements(_DriverStatements):
    """PostgreSQL: lists travel as arrays (``unnest``, ``ANY``), so each
    statement has a few parameters whatever the number of rows, and psycopg
    converts and prepares it once per connection. A unit's first reads go
    in one round trip, and its writes with its COMMIT in another (psycopg's
    pipeline mode: the statements still run one after the other, each
    seeing what the previous ones did).

    The reads are written so that the primary key is the only good index
    even without statistics (fresh tables, before autovacuum's first
    ANALYZE): a unit reads its children's reservations over the days of its
    keys (``child = ANY``, which only the primary key serves) rather than key
    by key, which a planner without statistics may send through the waiting
    list's index — every reservation of the day. The slots are locked one by
    one through their primary key, in the order given (sorted)."""

    defer_writes = True

    def __init__(self) -> None:
        super().__init__()
        c = _RESERVATION_COLUMNS
        self._lock = (
            "SELECT s.activity, s.day, s.capacity, s.taken, s.waiting "
            "FROM unnest(%b::text[], %b::date[]) AS u(a, d) CROSS JOIN LATERAL ("
            "SELECT activity, day, capacity, taken, waiting FROM periscolaire_slot "
            "WHERE commune = %s AND activity = u.a AND day = u.d FOR UPDATE) AS s"
        )
        self._children = (
            f"SELECT {c} FROM periscolaire_reservation WHERE commune = %s AND child = ANY(%s::text[])"
        )
        self._held_sql = f"{self._children} AND day BETWEEN %s AND %s"
        self._next = "SELECT nextval('periscolaire_sequence')"
        self._insert = (
            f"INSERT INTO periscolaire_reservation ({_INSERT_COLUMNS}) "
            "SELECT %s, c, a, d, %s, CASE WHEN t THEN 'accepted' ELSE 'waitlisted' END, %s + o, false, %s "
            "FROM unnest(%b::text[], %b::text[], %b::date[], %b::boolean[]) WITH ORDINALITY AS u(c, a, d, t, o)"
        )
        # An upsert on the locked rows: each row is found through the primary
        # key whatever the planner estimates (an UPDATE joined to the arrays
        # may scan the commune's slots once per array element).
        self._update = (
            "INSERT INTO periscolaire_slot (commune, activity, day, taken, waiting) "
            "SELECT %s, a, d, t, w FROM unnest(%b::text[], %b::date[], %b::integer[], %b::integer[]) "
            "AS u(a, d, t, w) ON CONFLICT (commune, activity, day) DO UPDATE "
            "SET taken = excluded.taken, waiting = excluded.waiting"
        )

    def _lock_params(self, commune: str, slots: Sequence[Slot]) -> tuple[Any, ...]:
        return [a for a, _ in slots], [d for _, d in slots], commune

    def _held_params(self, commune: str, keys: Sequence[Key]) -> tuple[Any, ...]:
        days = [k[2] for k in keys]
        return commune, list({k[0] for k in keys}), min(days), max(days)

    def open(
        self, conn: Connection, commune: str, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> tuple[list[Any], list[tuple[Key, Held]], int | None]:
        raw = _driver(conn)
        with _driver_errors(conn, self._lock):
            with raw.pipeline():  # BEGIN, the locks, the reads, a block of sequences: one round trip
                locked = raw.execute(self._lock, self._lock_params(commune, slots)) if slots else None
                read = self._read(raw, self._held_sql, self._held_params(commune, keys)) if keys else None
                block = raw.execute(self._next)
            rows = locked.fetchall() if locked is not None else []
            found = read.fetchall() if read is not None else []
            first = int(block.fetchone()[0])
        wanted = set(keys)
        return rows, [pair for pair in self._held(found) if pair[0] in wanted], first

    def lock_slots(self, conn: Connection, commune: str, slots: Sequence[Slot]) -> list[Any]:
        return list(conn.exec_driver_sql(self._lock, self._lock_params(commune, slots)))

    @staticmethod
    def _read(raw: Any, sql: str, params: Any) -> Any:
        """A read whose best index depends on the statistics: planned for
        its parameters each time (never prepared; see :func:`_unprepared`)."""
        return raw.execute(sql, params, prepare=False)

    def held(self, conn: Connection, commune: str, keys: Sequence[Key]) -> Iterator[tuple[Key, Held]]:
        wanted = set(keys)
        with _driver_errors(conn, self._held_sql):
            rows = self._read(_driver(conn), self._held_sql, self._held_params(commune, keys)).fetchall()
        return (pair for pair in self._held(rows) if pair[0] in wanted)

    def children(self, conn: Connection, commune: str, children: Sequence[str]) -> Iterator[tuple[Key, Held]]:
        with _driver_errors(conn, self._children):
            rows = self._read(_driver(conn), self._children, (commune, list(children))).fetchall()
        return self._held(rows)

    def queue(self, conn: Connection, commune: str, code: str, day: date, n: int) -> list[tuple[str, str]]:
        with _driver_errors(conn, self._queue):
            rows = self._read(_driver(conn), self._queue, (commune, code, day, n)).fetchall()
        return [(child, family) for child, family in rows]

    def write(self, conn: Connection, ops: list[_Op], *, commit: bool = False) -> None:
        if not ops and not commit:
            return
        raw = _driver(conn)
        with _driver_errors(conn, ops[0][0] if ops else "COMMIT"), raw.pipeline():
            cursor = raw.cursor()
            for sql, params in ops:
                if isinstance(params, list):
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
            if commit:  # SQLAlchemy's own commit then finds nothing to do
                raw.commit()

    def insert(
        self, commune: str, family: str, confirmation: int, added: Sequence[tuple[Key, bool]]
    ) -> list[_Op]:
        columns = (
            [k[0] for k, _ in added],
            [k[1] for k, _ in added],
            [k[2] for k, _ in added],
            [accepted for _, accepted in added],
        )
        return [(self._insert, (commune, family, confirmation, confirmation, *columns))]

    def update_counts(self, commune: str, counts: list[tuple[str, date, int, int]]) -> list[_Op]:
        a, d, t, w = (list(column) for column in zip(*counts, strict=True))
        return [(self._update, (commune, a, d, t, w))]


class _MySQLStatements(_DriverStatements):
    """MariaDB (and MySQL): PyMySQL interpolates parameters in the client,
    so a list is one multi-row statement: ``executemany`` writes one
    ``INSERT`` for all rows, and slot counters go through ``INSERT ... ON
    DUPLICATE KEY UPDATE`` on their locked rows (an ``UPDATE`` would be one
    round trip per row). A unit reads its children's reservations over the
    days of its keys (one index range, instead of one per key)."""

    _MAX = 1000

    def __init__(self) -> None:
        super().__init__()
        self._insert = (
            f"INSERT INTO periscolaire_reservation ({_INSERT_COLUMNS}) VALUES ({', '.join(['%s'] * 9)})"
        )
        self._update = (
            "INSERT INTO periscolaire_slot (commune, activity, day, taken, waiting) VALUES (%s, %s, %s, %s, %s) "
            "ON DUPLICATE KEY UPDATE taken = VALUES(taken), waiting = VALUES(waiting)"
        )
        self._sql: dict[tuple[str, int], str] = {}

    def _text(self, kind: str, n: int) -> str:
        sql = self._sql.get((kind, n))
        if sql is None:
            if kind == "lock":
                sql = (
                    "SELECT activity, day, capacity, taken, waiting FROM periscolaire_slot "
                    f"WHERE commune = %s AND (activity, day) IN ({', '.join(['(%s, %s)'] * n)}) "
                    "ORDER BY activity, day FOR UPDATE"
                )
            else:
                sql = (
                    f"SELECT {_RESERVATION_COLUMNS} FROM periscolaire_reservation "
                    f"WHERE commune = %s AND child IN ({', '.join(['%s'] * n)})"
                )
                if kind == "held":
                    sql += " AND day BETWEEN %s AND %s"
            self._sql[(kind, n)] = sql
        return sql

    def lock_slots(self, conn: Connection, commune: str, slots: Sequence[Slot]) -> list[Any]:
        rows: list[Any] = []
        for chunk in _chunks(slots, self._MAX):  # sorted chunks, in order: the locks stay in sorted order
            params = [v for slot in chunk for v in slot]
            rows += conn.exec_driver_sql(self._text("lock", len(chunk)), (commune, *params)).all()
        return rows

    def open(
        self, conn: Connection, commune: str, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> tuple[list[Any], list[tuple[Key, Held]], int | None]:
        rows = self.lock_slots(conn, commune, slots) if slots else []
        if not keys:
            return rows, [], None
        # The read of the keys brings a block of sequences along (MariaDB):
        # one round trip less while the slots are locked.
        block = conn.dialect.supports_sequences
        held: list[tuple[Key, Held]] = []
        first = None
        for found in self._reads(conn, commune, keys, block):
            if found[0] is None:  # the sequence's row
                first = int(found[5])
            else:
                held += self._held([found])
        wanted = set(keys)
        return rows, [pair for pair in held if pair[0] in wanted], first

    def _reads(self, conn: Connection, commune: str, keys: Sequence[Key], block: bool) -> Iterator[Any]:
        days = [k[2] for k in keys]
        children = sorted({k[0] for k in keys})
        for chunk in _chunks(children, self._MAX):
            sql = self._text("held", len(chunk))
            if block:
                sql = f"SELECT NULL, NULL, NULL, NULL, NULL, NEXTVAL(periscolaire_sequence), NULL UNION ALL {sql}"
                block = False
            yield from conn.exec_driver_sql(sql, (commune, *chunk, min(days), max(days)))

    def held(self, conn: Connection, commune: str, keys: Sequence[Key]) -> Iterator[tuple[Key, Held]]:
        wanted = set(keys)
        return (pair for pair in self._held(self._reads(conn, commune, keys, False)) if pair[0] in wanted)

    def children(self, conn: Connection, commune: str, children: Sequence[str]) -> Iterator[tuple[Key, Held]]:
        for chunk in _chunks(children, self._MAX):
            yield from self._held(conn.exec_driver_sql(self._text("children", len(chunk)), (commune, *chunk)))

    def update_counts(self, commune: str, counts: list[tuple[str, date, int, int]]) -> list[_Op]:
        return [
            (self._update, [(commune, a, d, t, w) for a, d, t, w in chunk])
            for chunk in _chunks(counts, self._MAX)
        ]


def _statements(dialect: sa.Dialect) -> _Statements:
    """The hot path's statements for a dialect and its driver."""
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return _PostgreSQLStatements()
    if dialect.name in ("mysql", "mariadb") and dialect.driver == "pymysql":
        return _MySQLStatements()
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        return _SQLiteStatements()
    return _Statements()


_NEXT_VALUE = sa.select(sequence.next_value())
_COUNTER = (
    sa.update(counter_table)
    .where(counter_table.c.name == "sequence")
    .values(value=counter_table.c.value + sa.bindparam("n"))
    .returning(counter_table.c.value)
)


def _allocate(conn: Connection, dialect: Any, n: int, first: int | None = None) -> int:
    """The first of ``n`` fresh sequence numbers (consecutive), taken under
    the unit of work's locks (``first``: a block taken already)."""
    if dialect.supports_sequences:
        if first is None:
            first = int(conn.execute(_NEXT_VALUE).scalar_one())
        top = first + SEQUENCE_BLOCK - 1
        while top - first + 1 < n:  # a block more (rare: more than 1024 numbers in one unit)
            more = conn.execute(_NEXT_VALUE).scalar_one()
            if more != top + 1:  # not contiguous: start again from this block
                first = more
            top = more + SEQUENCE_BLOCK - 1
        return int(first)
    updated = conn.execute(_COUNTER, {"n": n}).scalar_one_or_none()
    if updated is None:
        conn.execute(sa.insert(counter_table).values(name="sequence", value=n))
        updated = n
    return int(updated) - n + 1


def _raise_sequence(conn: Connection, dialect: str, top: int) -> None:
    """Make sure later sequence numbers are above ``top`` (after a load)."""
    if top <= 0:
        return
    if conn.dialect.supports_sequences:
        if conn.execute(_NEXT_VALUE).scalar_one() <= top:
            if dialect == "postgresql":
                conn.execute(sa.text("SELECT setval('periscolaire_sequence', :v)"), {"v": top})
            else:
                conn.execute(sa.text(f"SELECT SETVAL(periscolaire_sequence, {int(top)})"))
        return
    current = conn.execute(
        sa.select(counter_table.c.value).where(counter_table.c.name == "sequence")
    ).scalar()
    if current is None:
        conn.execute(sa.insert(counter_table).values(name="sequence", value=top))
    elif current < top:
        conn.execute(sa.update(counter_table).where(counter_table.c.name == "sequence").values(value=top))
