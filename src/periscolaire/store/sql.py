"""Database stores: SQLite, PostgreSQL and MariaDB through SQLAlchemy 2 Core.

``pip install 'periscolaire[sql]'`` (SQLite), ``'periscolaire[postgres]'``
(psycopg 3) or ``'periscolaire[mariadb]'`` (PyMySQL). Open one with
:func:`periscolaire.open_store`; create or upgrade its tables with
``periscolaire db upgrade URL`` (Alembic migrations shipped in the package).

The tables are plain SQLAlchemy :data:`metadata` a host may add to its own
Alembic environment. Every key starts with the commune (``commune`` column),
and every unit of work stays within one commune:

``periscolaire_slot``
    one row per (commune, activity, day): the row a confirmation locks, with
    the accepted and waiting counts and an agent's capacity override;
``periscolaire_reservation``
    one row per (commune, child, activity, day): family, status, sequence,
    « transmise » flag, and the confirmation that made it;
``periscolaire_journal``
    one row per confirmation until (and after) its nightly transmission: the
    movements as compact JSON;
``periscolaire_promotion``
    the outbox of waiting-list promotions, until their e-mail is marked sent.

A unit of work locks the slots it touches in sorted order (``SELECT ... FOR
UPDATE`` on PostgreSQL and MariaDB, ``BEGIN IMMEDIATE`` on SQLite), reads them
and the reservations concerned, lets the rules decide, writes, commits.
Sequences come from a database sequence (PostgreSQL, MariaDB) in blocks of
:data:`SEQUENCE_BLOCK`, or a counter row (SQLite), always taken under the
slots' locks: on any one day they grow in commit order, which is what keeps
waiting lists first come, first served.

What a unit of work and a session run at every confirmation is SQL written
once per backend and driver (:class:`_Statements`; any other driver gets the
portable SQLAlchemy Core version): one statement per step whatever the number
of days (arrays on PostgreSQL, multi-row statements on MariaDB), and on
PostgreSQL two round trips for the whole unit — the locks, its reads and a
block of sequences, then its writes and the COMMIT (psycopg's pipeline mode).
Reads outside a unit are single statements (in autocommit on PostgreSQL).

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed unit of work
survives the process being killed; a power cut may lose the last commits
(``?synchronous=full`` in the URL keeps them too, at a cost).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from periscolaire.booking import (
    STATUS,
    Decision,
    Held,
    Key,
    Occupancy,
    Promotion,
    Request,
    Reservation,
    ReservationStatus,
    SlotCounts,
    SlotState,
)
from periscolaire.errors import MissingExtra, SchemaError, StoreError
from periscolaire.store import BookingUnit, JournalEntry, Slot

try:
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.engine import Connection, Engine
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise MissingExtra(
        "Les stockages SQL demandent SQLAlchemy : pip install 'periscolaire[sql]' "
        "(ou [postgres], [mariadb]).",
        code="missing_extra",
    ) from exc

__all__ = [
    "HEAD",
    "SEQUENCE_BLOCK",
    "VERSION_TABLE",
    "SQLBookings",
    "SQLStore",
    "metadata",
]

T = TypeVar("T")

#: The schema revision this library reads and writes (Alembic's head).
HEAD: Final = "0001"
#: Every revision the migrations know, oldest first.
REVISIONS: Final = ("0001",)
#: Alembic's version table for the library's own migrations (a host's
#: ``alembic_version`` stays its own).
VERSION_TABLE: Final = "periscolaire_alembic_version"
#: Sequence numbers taken at once from a database sequence.
SEQUENCE_BLOCK: Final = 1024
#: Attempts of a unit of work that meets a deadlock or a serialization failure.
ATTEMPTS: Final = 8

_COMMUNE = 100
_ID = 100
_CODE = 64
_INSTANT = 40  # ISO 8601 text: the instant exactly as given (naive local, or with its offset)

metadata = sa.MetaData(
    naming_convention={
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

slot_table = sa.Table(
    "periscolaire_slot",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("activity", sa.String(_CODE), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("capacity", sa.Integer, nullable=True, comment="places set by an agent (NULL: configuration)"),
    sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
    sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint("taken >= 0 AND waiting >= 0", name="counts"),
    comment="periscolaire: one lockable row per (commune, activity, day)",
)

reservation_table = sa.Table(
    "periscolaire_reservation",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("child", sa.String(_ID), primary_key=True),
    sa.Column("activity", sa.String(_CODE), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("family", sa.String(_ID), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("transmitted", sa.Boolean, nullable=False),
    sa.Column("confirmation", sa.BigInteger, nullable=True, comment="journal entry that made it"),
    sa.CheckConstraint("status IN ('accepted', 'waitlisted')", name="status"),
    sa.Index("ix_periscolaire_reservation_queue", "commune", "activity", "day", "status", "sequence"),
    sa.Index("ix_periscolaire_reservation_family", "commune", "family"),
    sa.Index("ix_periscolaire_reservation_confirmation", "commune", "confirmation"),
    comment="periscolaire: one row per (commune, child, activity, day)",
)

journal_table = sa.Table(
    "periscolaire_journal",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("confirmation", sa.BigInteger, primary_key=True),
    sa.Column("family", sa.String(_ID), nullable=False),
    sa.Column("at", sa.String(_INSTANT), nullable=False),
    sa.Column("movements", sa.Text, nullable=False, comment='{"c","a","w","r"}: keys per kind'),
    sa.Column("transmitted", sa.Boolean, nullable=False),
    sa.Column("transmitted_at", sa.String(_INSTANT), nullable=True),
    sa.Index("ix_periscolaire_journal_pending", "commune", "transmitted", "confirmation"),
    comment="periscolaire: the movements of each confirmation, for the nightly report",
)

promotion_table = sa.Table(
    "periscolaire_promotion",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("child", sa.String(_ID), nullable=False),
    sa.Column("activity", sa.String(_CODE), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("family", sa.String(_ID), nullable=False),
    sa.Column("at", sa.String(_INSTANT), nullable=False),
    sa.Column("sent", sa.Boolean, nullable=False),
    sa.Column("sent_at", sa.String(_INSTANT), nullable=True),
    sa.Index("ix_periscolaire_promotion_pending", "commune", "sent", "id"),
    comment="periscolaire: outbox of waiting-list promotions",
)

counter_table = sa.Table(
    "periscolaire_counter",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    comment="periscolaire: sequence numbers where the database has no sequences (SQLite)",
)

sequence = sa.Sequence(
    "periscolaire_sequence", increment=SEQUENCE_BLOCK, start=SEQUENCE_BLOCK, metadata=metadata
)

_S = slot_table.c
_R = reservation_table.c
_J = journal_table.c
_P = promotion_table.c
_KIND_KEYS = ("c", "a", "w", "r")


def _hide_password(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


# --------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------


def _sqlite_engine(url: sa.URL, options: dict[str, Any]) -> Engine:
    synchronous = str(url.query.get("synchronous", "normal")).upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise StoreError(f"synchronous={synchronous!r} : OFF, NORMAL, FULL ou EXTRA.", code="bad_url")
    url = url.difference_update_query(["synchronous"])
    if url.database in (None, "", ":memory:"):
        raise StoreError(
            "Une base SQLite en mémoire n'est visible que d'une connexion : utilisez memory:// "
            "ou un fichier (sqlite:///portail.db).",
            code="bad_url",
        )
    engine = sa.create_engine(url, connect_args={"timeout": 60}, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN off: ours below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A unit of work takes the write lock at once (no deadlock between
        # two readers upgrading); reads begin deferred and never block.
        immediate = connection.get_execution_options().get("periscolaire_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _engine(url: str, options: dict[str, Any]) -> Engine:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"Adresse de stockage invalide : {url!r}.", code="bad_url") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(parsed, options)
        if backend in ("mysql", "mariadb"):
            if "charset" not in parsed.query:
                parsed = parsed.update_query_dict({"charset": "utf8mb4"})
            return sa.create_engine(parsed, isolation_level="READ COMMITTED", pool_pre_ping=True, **options)
        if backend == "postgresql":
            return sa.create_engine(parsed, isolation_level="READ COMMITTED", pool_pre_ping=True, **options)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        extra = {"postgresql": "postgres", "mysql": "mariadb", "mariadb": "mariadb"}.get(backend, "sql")
        raise MissingExtra(
            f"Le pilote de {backend} manque ({exc}) : pip install 'periscolaire[{extra}]'.",
            code="missing_extra",
        ) from exc
    raise StoreError(f"Base de données non prise en charge : {backend!r}.", code="unknown_url")


@contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """Database failures as :class:`~periscolaire.StoreError` (the driver's
    exception stays the cause)."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        if exc.connection_invalidated or (isinstance(exc, sa.exc.OperationalError) and _unreachable(exc)):
            raise StoreError(f"Stockage injoignable : {url} ({first}).", code="unreachable") from exc
        raise StoreError(f"Le stockage {url} a refusé l'opération : {first}", code="store_failure") from exc


def _unreachable(exc: sa.exc.DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(
        word in text
        for word in (
            "connection refused",
            "could not connect",
            "can't connect",
            "connection failed",
            "unable to open",
            "no such host",
            "name or service not known",
            "timeout expired",
        )
    )


def _is_transient(exc: sa.exc.DBAPIError) -> bool:
    """A deadlock, a lock wait or a serialization failure: run the unit of work again."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1205, 1213, 1020):  # MariaDB: lock wait timeout, deadlock, record changed
        return True
    return "database is locked" in str(orig)


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class SQLStore:
    """A database store (see the module). One per process: it holds a
    connection pool; open it again in each worker process."""

    def __init__(self, url: str, *, upgrade: bool = False, check_schema: bool = True, **options: Any) -> None:
        self.url = _hide_password(url)
        self.engine = _engine(url, options)
        self.dialect = self.engine.dialect.name
        self.statements = _statements(self.engine.dialect)
        try:
            if upgrade:
                self.upgrade()
            elif check_schema:
                self.check_schema()
        except BaseException:
            self.engine.dispose()
            raise
        self._communes: dict[str, SQLBookings] = {}

    def revision(self) -> str | None:
        """The library's schema revision in this database (None: no tables)."""
        if self._absent_file():
            return None  # do not create an empty file by looking
        with _database_errors(self.url):
            return schema_revision(self.engine)

    def _absent_file(self) -> bool:
        database = self.engine.url.database
        return self.dialect == "sqlite" and bool(database) and not Path(str(database)).exists()

    def _host_schema(self) -> bool:
        """Whether a host's own migrations made every table, column and the
        sequence the library uses (no ``periscolaire_alembic_version`` then)."""
        if self._absent_file():
            return False
        with _database_errors(self.url):
            inspector = sa.inspect(self.engine)
            for table in metadata.tables.values():
                if not inspector.has_table(table.name):
                    return False
                present = {column["name"] for column in inspector.get_columns(table.name)}
                if not set(table.columns.keys()) <= present:
                    return False
            return not self.engine.dialect.supports_sequences or inspector.has_sequence(sequence.name)

    def upgrade(self, revision: str = "head") -> None:
        """Apply the shipped migrations up to ``revision``."""
        with _database_errors(self.url):
            upgrade_schema(self.engine, revision)

    def check_schema(self) -> None:
        """:class:`~periscolaire.SchemaError` unless the schema is the library's."""
        current = self.revision()
        command = f"periscolaire db upgrade {self.url}"
        if current == HEAD:
            return
        if current is None and self._host_schema():
            return
        if current is None:
            raise SchemaError(
                f"Le stockage {self.url} n'a pas les tables de periscolaire : lancez « {command} ».",
                code="schema_missing",
                command=command,
            )
        if current in REVISIONS:
            raise SchemaError(
                f"Le schéma du stockage {self.url} est ancien ({current}, attendu {HEAD}) : lancez « {command} ».",
                code="schema_outdated",
                command=command,
            )
        raise SchemaError(
            f"Le schéma du stockage {self.url} ({current}) est plus récent que cette version de "
            f"periscolaire (qui connaît {HEAD}) : mettez periscolaire à jour.",
            code="schema_newer",
        )

    def bookings(self, commune: str) -> SQLBookings:
        found = self._communes.get(commune)
        if found is None:
            if not isinstance(commune, str) or not commune or len(commune) > _COMMUNE:
                raise StoreError(
                    f"Clé de commune invalide pour un stockage SQL (1 à {_COMMUNE} caractères) : {commune!r}.",
                    code="bad_commune_key",
                )
            found = self._communes[commune] = SQLBookings(self, commune)
        return found

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SQLStore({self.url!r})"


def schema_revision(engine: Engine) -> str | None:
    """The library's schema revision in this database (None: no tables)."""
    inspector = sa.inspect(engine)
    if not inspector.has_table(VERSION_TABLE):
        return None
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else ",".join(sorted(rows)) or None


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Any:
    """An Alembic configuration for the shipped migrations (``alembic`` is
    part of the ``sql`` extra)."""
    try:
        from alembic.config import Config
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise MissingExtra(
            "Les migrations demandent Alembic : pip install 'periscolaire[sql]'.", code="missing_extra"
        ) from exc
    config = Config()
    config.set_main_option("script_location", "periscolaire.store:migrations")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply the shipped migrations up to ``revision``."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


# --------------------------------------------------------------------------
# One commune's bookings
# --------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _movements_json(decision: Decision) -> str | None:
    entry = decision.journal()
    if entry is None:
        return None
    return json.dumps(
        {
            kind: [[k[0], k[1], k[2].isoformat()] for k in keys]
            for kind, keys in zip(_KIND_KEYS, entry[1:], strict=True)
        },
        separators=(",", ":"),
    )


def _keys(data: Any) -> tuple[Key, ...]:
    return tuple((child, code, date.fromisoformat(day)) for child, code, day in data)


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


@contextmanager
def _unprepared(conn: Connection) -> Iterator[None]:
    """Statements planned for their parameters each time they run.

    psycopg prepares a statement run five times on a connection, and
    PostgreSQL then settles on a generic plan made with the statistics of
    the moment — on fresh tables, none (or none ever where autovacuum is
    off) — which may go through any index starting with the commune, and
    read every reservation of the commune where the primary key finds a
    child's. The locks and the writes are prepared: only the primary key
    serves them."""
    raw = _driver(conn)
    threshold = getattr(raw, "prepare_threshold", _NOT_PSYCOPG)
    if threshold is _NOT_PSYCOPG:
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


_NOT_PSYCOPG: Any = object()


def _driver(conn: Connection) -> Any:
    raw = conn.connection.driver_connection
    assert raw is not None
    return raw


@contextmanager
def _driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """The driver's errors, for statements sent past SQLAlchemy (psycopg's
    pipeline mode), as SQLAlchemy's own (the store's retries and messages
    read those)."""
    dialect = conn.dialect
    error = dialect.loaded_dbapi.Error
    try:
        yield
    except error as exc:
        disconnect = dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, error, connection_invalidated=disconnect, dialect=dialect
        ) from exc


class SQLBookings:
    """One commune's booking state in a database (see the module)."""

    def __init__(self, store: SQLStore, commune: str) -> None:
        self.store = store
        self.commune = commune
        self.engine = store.engine
        self._known: set[Slot] = set()
        self._ignore_duplicates = _insert_ignoring_duplicates(store.dialect)
        self.statements = store.statements
        # One statement needs no transaction: on PostgreSQL, a read in
        # autocommit saves the BEGIN and ROLLBACK round trips (psycopg
        # switches in the client). PyMySQL would pay a round trip to switch.
        self._reading = store.engine
        if store.dialect == "postgresql":
            self._reading = store.engine.execution_options(isolation_level="AUTOCOMMIT")

    # -- units of work ---------------------------------------------------------------

    def prepare(self, slots: Sequence[Slot]) -> None:
        """Create the rows of slots this process has not seen yet (in a
        transaction of their own: an existing row is left alone)."""
        missing = sorted({s for s in slots if s not in self._known})
        if missing:
            self._write(lambda conn: self._insert_slots(conn, missing))
            self._known.update(missing)

    def _insert_slots(self, conn: Connection, slots: Sequence[Slot]) -> None:
        rows = [{"commune": self.commune, "activity": a, "day": d} for a, d in slots]
        for start in range(0, len(rows), 500):
            conn.execute(self._ignore_duplicates, rows[start : start + 500])

    def run(
        self, work: Callable[[BookingUnit], T], *, keys: Sequence[Key] = (), slots: Sequence[Slot] = ()
    ) -> T:
        wanted = sorted({*slots, *((k[1], k[2]) for k in keys)})
        self.prepare(wanted)

        def unit_of_work(conn: Connection) -> T:
            unit = _Unit(self, conn, wanted, keys)
            result = work(unit)
            unit.finish()
            return result

        return self._write(unit_of_work)

    # -- reading ----------------------------------------------------------------------

    def _read(self, statement: Any) -> list[Any]:
        with _database_errors(self.store.url), self._reading.connect() as conn, _unprepared(conn):
            return list(conn.execute(statement))

    def held(self, key: Key) -> Held | None:
        rows = self._read(
            sa.select(_R.family, _R.status, _R.sequence, _R.transmitted).where(
                _R.commune == self.commune, _R.child == key[0], _R.activity == key[1], _R.day == key[2]
            )
        )
        if not rows:
            return None
        family, status, sequence_, transmitted = rows[0]
        return (family, status == "accepted", sequence_, bool(transmitted))

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]:
        if not children:
            return {}
        with _database_errors(self.store.url), self._reading.connect() as conn:
            return dict(self.statements.children(conn, self.commune, list(children)))

    def slot(self, code: str, day: date) -> SlotState:
        rows = self._read(
            sa.select(_S.capacity, _S.taken, _S.waiting).where(
                _S.commune == self.commune, _S.activity == code, _S.day == day
            )
        )
        if not rows:
            return SlotState(None, 0, 0)
        return SlotState(*rows[0])

    def occupancy(self, code: str, first: date, last: date) -> Occupancy:
        rows = self._read(
            sa.select(_S.day, _S.taken, _S.capacity).where(
                _S.commune == self.commune, _S.activity == code, _S.day.between(first, last)
            )
        )
        return Occupancy(
            {day: taken for day, taken, _ in rows if taken},
            {day: capacity for day, _, capacity in rows if capacity is not None},
        )

    def waiting_list(self, code: str, day: date) -> list[Key]:
        rows = self._read(
            sa.select(_R.child)
            .where(_R.commune == self.commune, _R.activity == code, _R.day == day, _R.status == "waitlisted")
            .order_by(_R.sequence)
        )
        return [(child, code, day) for (child,) in rows]

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        statement = (
            sa.select(_R.child, _R.activity, _R.day, _R.family, _R.status, _R.sequence, _R.transmitted)
            .where(_R.commune == self.commune)
            .order_by(_R.sequence)
        )
        if family is not None:
            statement = statement.where(_R.family == family)
        for child, code, day, owner, status, seq, transmitted in self._read(statement):
            yield Reservation(child, code, day, owner, ReservationStatus(status), seq, bool(transmitted))

    def count(self) -> int:
        rows = self._read(
            sa.select(sa.func.count()).select_from(reservation_table).where(_R.commune == self.commune)
        )
        return int(rows[0][0])

    def load(self, rows: Sequence[Reservation]) -> None:
        self.prepare([(r.activity, r.day) for r in rows])
        self._write(lambda conn: self._load(conn, rows))

    def _load(self, conn: Connection, rows: Sequence[Reservation]) -> None:
        present = conn.execute(
            sa.select(sa.func.count()).select_from(reservation_table).where(_R.commune == self.commune)
        ).scalar_one()
        if present:
            raise StoreError(
                f"La commune {self.commune!r} a déjà des réservations dans ce stockage.", code="not_empty"
            )
        values = [
            {
                "commune": self.commune,
                "child": r.child,
                "activity": r.activity,
                "day": r.day,
                "family": r.family,
                "status": ReservationStatus(r.status).value,
                "sequence": r.sequence,
                "transmitted": r.transmitted,
                "confirmation": None,
            }
            for r in rows
        ]
        for start in range(0, len(values), 1000):
            conn.execute(sa.insert(reservation_table), values[start : start + 1000])
        counts: dict[Slot, list[int]] = {}
        for r in rows:
            pair = counts.setdefault((r.activity, r.day), [0, 0])
            pair[0 if r.status == ReservationStatus.ACCEPTED else 1] += 1
        if counts:
            ops = self.statements.update_counts(
                self.commune, [(a, d, t, w) for (a, d), (t, w) in counts.items()]
            )
            self.statements.write(conn, ops)
        top = max((r.sequence for r in rows), default=0)
        _raise_sequence(conn, self.store.dialect, top)

    # -- the nightly run and the outbox ------------------------------------------------

    def untransmitted(self, family: str | None = None) -> list[JournalEntry]:
        statement = (
            sa.select(_J.family, _J.at, _J.movements)
            .where(_J.commune == self.commune, _J.transmitted == sa.false())
            .order_by(_J.confirmation)
        )
        if family is not None:
            statement = statement.where(_J.family == family)
        return [_entry(*row) for row in self._read(statement)]

    def transmit(self, now: datetime) -> list[JournalEntry]:
        run = _instant(now)

        def work(conn: Connection) -> list[JournalEntry]:
            done = list(
                conn.execute(
                    sa.select(_J.family, _J.at, _J.movements)
                    .where(_J.commune == self.commune, _J.transmitted == sa.true(), _J.transmitted_at == run)
                    .order_by(_J.confirmation)
                )
            )
            if done:  # the same night again: the same movements
                return [_entry(*row) for row in done]
            rows = list(
                conn.execute(
                    sa.select(_J.confirmation, _J.family, _J.at, _J.movements)
                    .where(_J.commune == self.commune, _J.transmitted == sa.false())
                    .order_by(_J.confirmation)
                    .with_for_update()
                )
            )
            confirmations = [row[0] for row in rows]
            for start in range(0, len(confirmations), 500):
                chunk = confirmations[start : start + 500]
                conn.execute(
                    sa.update(journal_table)
                    .where(_J.commune == self.commune, _J.confirmation.in_(chunk))
                    .values(transmitted=True, transmitted_at=run)
                )
                conn.execute(
                    sa.update(reservation_table)
                    .where(
                        _R.commune == self.commune, _R.confirmation.in_(chunk), _R.transmitted == sa.false()
                    )
                    .values(transmitted=True)
                )
            # Reservations loaded from elsewhere have no journal entry: the night marks them too.
            conn.execute(
                sa.update(reservation_table)
                .where(_R.commune == self.commune, _R.confirmation.is_(None), _R.transmitted == sa.false())
                .values(transmitted=True)
            )
            return [_entry(family, at, movements) for _, family, at, movements in rows]

        return self._write(work)

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a write transaction; again after a deadlock or a
        serialization failure (``work`` must be repeatable: it reads, then
        writes what it read)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with (
                    _database_errors(self.store.url),
                    self.engine.connect().execution_options(periscolaire_write=True) as conn,
                    conn.begin(),
                ):
                    return work(conn)
            except StoreError as exc:
                cause = exc.__cause__
                if attempt < ATTEMPTS and isinstance(cause, sa.exc.DBAPIError) and _is_transient(cause):
                    time.sleep(0.005 * attempt)  # let the other transaction finish
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def pending_promotions(self) -> list[Promotion]:
        rows = self._read(
            sa.select(_P.id, _P.child, _P.activity, _P.day, _P.family, _P.at)
            .where(_P.commune == self.commune, _P.sent == sa.false())
            .order_by(_P.id)
        )
        return [
            Promotion(Request(child, code, day), family, datetime.fromisoformat(at), id=pid)
            for pid, child, code, day, family, at in rows
        ]

    def mark_sent(self, ids: Sequence[int], now: datetime | None) -> None:
        ids = list(ids)

        def work(conn: Connection) -> None:
            for start in range(0, len(ids), 500):
                conn.execute(
                    sa.update(promotion_table)
                    .where(_P.commune == self.commune, _P.id.in_(ids[start : start + 500]))
                    .values(sent=True, sent_at=_instant(now))
                )

        if ids:
            self._write(work)

    def __repr__(self) -> str:
        return f"SQLBookings({self.store.url!r}, commune={self.commune!r})"


def _entry(family: str, at: str, movements: str) -> JournalEntry:
    data = json.loads(movements)
    return JournalEntry(family, datetime.fromisoformat(at), *(_keys(data.get(k, ())) for k in _KIND_KEYS))


def _insert_ignoring_duplicates(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(slot_table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(slot_table).on_conflict_do_nothing()
    return sa.insert(slot_table).prefix_with("IGNORE")


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


_HELD = sa.select(_R.family, _R.status, _R.sequence, _R.transmitted).where(
    _R.commune == sa.bindparam("c"),
    _R.child == sa.bindparam("k"),
    _R.activity == sa.bindparam("a"),
    _R.day == sa.bindparam("d"),
)


class _Unit:
    """A unit of work on locked slots of one commune (a transaction).

    On PostgreSQL its writes wait in :attr:`_pending` until the unit reads
    again or ends (:meth:`finish`), and then travel together, with the
    COMMIT at the end; elsewhere they run as the decision is applied."""

    def __init__(
        self, bookings: SQLBookings, conn: Connection, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> None:
        self._conn = conn
        self._commune = commune = bookings.commune
        self._sql = sql = bookings.statements
        self._pending: list[_Op] = []
        self._counts: dict[str, SlotCounts] = {}
        rows, held, self._first = sql.open(conn, commune, slots, keys)
        taken: dict[str, dict[date, int]] = {}
        waiting: dict[str, dict[date, int]] = {}
        overrides: dict[str, dict[date, int]] = {}
        for activity, day, capacity, n_taken, n_waiting in rows:
            by_day = taken.get(activity)
            if by_day is None:
                by_day = taken[activity] = {}
                waiting[activity] = {}
                overrides[activity] = {}
            by_day[day] = n_taken
            waiting[activity][day] = n_waiting
            if capacity is not None:
                overrides[activity][day] = capacity
        for code, by_day in taken.items():
            self._counts[code] = SlotCounts(by_day, waiting[code], overrides[code])
        self._held: dict[Key, Held | None] = dict.fromkeys(keys)
        self._held.update(held)

    def _flush(self) -> None:
        if self._pending:
            ops, self._pending = self._pending, []
            self._sql.write(self._conn, ops)

    def finish(self) -> None:
        """Run the writes still waiting; on PostgreSQL, commit with them."""
        ops, self._pending = self._pending, []
        self._sql.write(self._conn, ops, commit=True)

    def held(self, key: Key) -> Held | None:
        try:
            return self._held[key]
        except KeyError:
            pass
        self._flush()
        with _unprepared(self._conn):
            row = self._conn.execute(
                _HELD, {"c": self._commune, "k": key[0], "a": key[1], "d": key[2]}
            ).first()
        held = None if row is None else (row[0], row[1] == "accepted", row[2], bool(row[3]))
        self._held[key] = held
        return held

    def counts(self, code: str) -> SlotCounts:
        return self._counts.get(code) or SlotCounts({}, {}, {})

    def queue(self, code: str, day: date, n: int) -> list[tuple[Key, str]]:
        self._flush()
        rows = self._sql.queue(self._conn, self._commune, code, day, n)
        return [((child, code, day), family) for child, family in rows]

    def set_override(self, code: str, day: date, places: int | None) -> None:
        self._flush()
        self._conn.execute(
            sa.update(slot_table)
            .where(_S.commune == self._commune, _S.activity == code, _S.day == day)
            .values(capacity=places)
        )
        overrides = self.counts(code).overrides
        assert isinstance(overrides, dict), "set_override on a slot the unit did not lock"
        if places is None:
            overrides.pop(day, None)
        else:
            overrides[day] = places  # what a decision in this unit reads next

    def apply(self, decision: Decision) -> None:
        self._flush()
        conn = self._conn
        commune = self._commune
        sql = self._sql
        needed = len(decision.added) + len(decision.promoted) + 1
        first = sql.allocate(conn, needed, self._first)
        self._first = None  # a block serves one decision
        confirmation = first
        ops = self._pending
        if decision.cancelled:
            ops += sql.delete(commune, [key for key, _ in decision.cancelled])
        if decision.promoted:
            ops += sql.promote(commune, [key for key, _ in decision.promoted])
        if decision.added:
            ops += sql.insert(commune, decision.family, confirmation, decision.added)
        counts = list(decision.slots())
        if counts:
            ops += sql.update_counts(commune, counts)
        movements = _movements_json(decision)
        if movements is not None:
            at = _instant(decision.now)
            ops += sql.journal((commune, confirmation, decision.family, at, movements, False))
        if decision.promoted:
            base = first + len(decision.added) + 1
            at = _instant(decision.now)
            ops += sql.promotions(
                [
                    (commune, base + i, *key, owner, at, False)
                    for i, (key, owner) in enumerate(decision.promoted)
                ]
            )
        if not sql.defer_writes:
            self._flush()
