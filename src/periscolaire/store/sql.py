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


class SQLBookings:
    """One commune's booking state in a database (see the module)."""

    def __init__(self, store: SQLStore, commune: str) -> None:
        self.store = store
        self.commune = commune
        self.engine = store.engine
        self._known: set[Slot] = set()
        self._ignore_duplicates = _insert_ignoring_duplicates(store.dialect)

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
        return self._write(lambda conn: work(_Unit(self, conn, wanted, keys)))

    # -- reading ----------------------------------------------------------------------

    def _read(self, statement: Any) -> list[Any]:
        with _database_errors(self.store.url), self.engine.connect() as conn:
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
        rows = self._read(
            sa.select(_R.child, _R.activity, _R.day, _R.family, _R.status, _R.sequence, _R.transmitted).where(
                _R.commune == self.commune, _R.child.in_(list(children))
            )
        )
        return {
            (child, code, day): (family, status == "accepted", seq, bool(transmitted))
            for child, code, day, family, status, seq, transmitted in rows
        }

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
        _update_counts(conn, self.commune, [(a, d, t, w) for (a, d), (t, w) in counts.items()])
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


def _update_counts(conn: Connection, commune: str, counts: Iterable[tuple[str, date, int, int]]) -> None:
    rows = [{"c": commune, "a": a, "d": d, "t": t, "w": w} for a, d, t, w in counts]
    if rows:
        conn.execute(_UPDATE_COUNTS, rows)


_UPDATE_COUNTS = (
    sa.update(slot_table)
    .where(_S.commune == sa.bindparam("c"), _S.activity == sa.bindparam("a"), _S.day == sa.bindparam("d"))
    .values(taken=sa.bindparam("t"), waiting=sa.bindparam("w"))
)
_DELETE = sa.delete(reservation_table).where(
    _R.commune == sa.bindparam("c"),
    _R.child == sa.bindparam("k"),
    _R.activity == sa.bindparam("a"),
    _R.day == sa.bindparam("d"),
)
_PROMOTE = (
    sa.update(reservation_table)
    .where(
        _R.commune == sa.bindparam("c"),
        _R.child == sa.bindparam("k"),
        _R.activity == sa.bindparam("a"),
        _R.day == sa.bindparam("d"),
    )
    .values(status="accepted")
)


def _allocate(conn: Connection, dialect: Any, n: int) -> int:
    """The first of ``n`` fresh sequence numbers (consecutive), taken under
    the unit of work's locks."""
    if dialect.supports_sequences:
        first = conn.execute(sa.select(sequence.next_value())).scalar_one()
        top = first + SEQUENCE_BLOCK - 1
        while top - first + 1 < n:  # a block more (rare: more than 1024 numbers in one unit)
            more = conn.execute(sa.select(sequence.next_value())).scalar_one()
            if more != top + 1:  # not contiguous: start again from this block
                first = more
            top = more + SEQUENCE_BLOCK - 1
        return int(first)
    updated = conn.execute(
        sa.update(counter_table)
        .where(counter_table.c.name == "sequence")
        .values(value=counter_table.c.value + n)
        .returning(counter_table.c.value)
    ).scalar_one_or_none()
    if updated is None:
        conn.execute(sa.insert(counter_table).values(name="sequence", value=n))
        updated = n
    return int(updated) - n + 1


def _raise_sequence(conn: Connection, dialect: str, top: int) -> None:
    """Make sure later sequence numbers are above ``top`` (after a load)."""
    if top <= 0:
        return
    if conn.dialect.supports_sequences:
        if conn.execute(sa.select(sequence.next_value())).scalar_one() <= top:
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


class _Unit:
    """A unit of work on locked slots of one commune (a transaction)."""

    def __init__(
        self, bookings: SQLBookings, conn: Connection, slots: Sequence[Slot], keys: Sequence[Key]
    ) -> None:
        self._conn = conn
        self._commune = commune = bookings.commune
        self._counts: dict[str, SlotCounts] = {}
        if slots:
            rows = conn.execute(
                sa.select(_S.activity, _S.day, _S.capacity, _S.taken, _S.waiting)
                .where(_S.commune == commune, sa.tuple_(_S.activity, _S.day).in_(list(slots)))
                .order_by(_S.activity, _S.day)
                .with_for_update()
            )
            taken: dict[str, dict[date, int]] = {}
            waiting: dict[str, dict[date, int]] = {}
            overrides: dict[str, dict[date, int]] = {}
            for activity, day, capacity, n_taken, n_waiting in rows:
                taken.setdefault(activity, {})[day] = n_taken
                waiting.setdefault(activity, {})[day] = n_waiting
                if capacity is not None:
                    overrides.setdefault(activity, {})[day] = capacity
            for code, by_day in taken.items():
                self._counts[code] = SlotCounts(by_day, waiting[code], overrides.setdefault(code, {}))
        self._held: dict[Key, Held | None] = dict.fromkeys(keys)
        if keys:
            for child, code, day, family, status, seq, transmitted in conn.execute(
                sa.select(
                    _R.child, _R.activity, _R.day, _R.family, _R.status, _R.sequence, _R.transmitted
                ).where(_R.commune == commune, sa.tuple_(_R.child, _R.activity, _R.day).in_(list(keys)))
            ):
                self._held[(child, code, day)] = (family, status == "accepted", seq, bool(transmitted))

    def held(self, key: Key) -> Held | None:
        try:
            return self._held[key]
        except KeyError:
            pass
        row = self._conn.execute(
            sa.select(_R.family, _R.status, _R.sequence, _R.transmitted).where(
                _R.commune == self._commune, _R.child == key[0], _R.activity == key[1], _R.day == key[2]
            )
        ).first()
        held = None if row is None else (row[0], row[1] == "accepted", row[2], bool(row[3]))
        self._held[key] = held
        return held

    def counts(self, code: str) -> SlotCounts:
        return self._counts.get(code) or SlotCounts({}, {}, {})

    def queue(self, code: str, day: date, n: int) -> list[tuple[Key, str]]:
        rows = self._conn.execute(
            sa.select(_R.child, _R.family)
            .where(_R.commune == self._commune, _R.activity == code, _R.day == day, _R.status == "waitlisted")
            .order_by(_R.sequence)
            .limit(n)
        )
        return [((child, code, day), family) for child, family in rows]

    def set_override(self, code: str, day: date, places: int | None) -> None:
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
        conn = self._conn
        commune = self._commune
        movements = _movements_json(decision)
        needed = len(decision.added) + len(decision.promoted) + 1
        first = _allocate(conn, conn.dialect, needed)
        confirmation = first
        if decision.cancelled:
            conn.execute(
                _DELETE, [{"c": commune, "k": k[0], "a": k[1], "d": k[2]} for k, _ in decision.cancelled]
            )
        if decision.promoted:
            conn.execute(
                _PROMOTE, [{"c": commune, "k": k[0], "a": k[1], "d": k[2]} for k, _ in decision.promoted]
            )
        if decision.added:
            family = decision.family
            conn.execute(
                sa.insert(reservation_table),
                [
                    {
                        "commune": commune,
                        "child": key[0],
                        "activity": key[1],
                        "day": key[2],
                        "family": family,
                        "status": STATUS[accepted].value,
                        "sequence": first + i,
                        "transmitted": False,
                        "confirmation": confirmation,
                    }
                    for i, (key, accepted) in enumerate(decision.added, start=1)
                ],
            )
        _update_counts(conn, commune, decision.slots())
        if movements is not None:
            conn.execute(
                sa.insert(journal_table).values(
                    commune=commune,
                    confirmation=confirmation,
                    family=decision.family,
                    at=_instant(decision.now),
                    movements=movements,
                    transmitted=False,
                )
            )
        if decision.promoted:
            base = first + len(decision.added) + 1
            conn.execute(
                sa.insert(promotion_table),
                [
                    {
                        "commune": commune,
                        "id": base + i,
                        "child": key[0],
                        "activity": key[1],
                        "day": key[2],
                        "family": owner,
                        "at": _instant(decision.now),
                        "sent": False,
                        "sent_at": None,
                    }
                    for i, (key, owner) in enumerate(decision.promoted)
                ],
            )
