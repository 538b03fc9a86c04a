"""Engines per backend, database errors as the library's own, and the schema's
revision and migrations."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from periscolaire.errors import MissingExtra, StoreError
from periscolaire.store.sql.schema import ATTEMPTS, VERSION_TABLE

T = TypeVar("T")


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
    except TypeError as exc:  # an option create_engine does not know
        raise StoreError(f"Option de stockage invalide : {exc}.", code="unknown_option") from None
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
    except sa.exc.StatementError as exc:  # the driver refused a value before sending it
        raise StoreError(f"Le stockage {url} a refusé une valeur : {exc.orig}", code="store_failure") from exc


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


class CommunePart:
    """What a commune's part of a SQL store (its bookings, its accounts...)
    shares: the engine, write transactions retried after a deadlock, and
    single-statement reads (in autocommit on PostgreSQL)."""

    def __init__(self, store: Any, commune: str) -> None:
        self.store = store
        self.commune = commune
        self.engine: Engine = store.engine
        # One statement needs no transaction: on PostgreSQL, a read in
        # autocommit saves the BEGIN and ROLLBACK round trips (psycopg
        # switches in the client). PyMySQL would pay a round trip to switch.
        self._reading = store.engine
        if store.dialect == "postgresql":
            self._reading = store.engine.execution_options(isolation_level="AUTOCOMMIT")

    def _read(self, statement: Any) -> list[Any]:
        with _database_errors(self.store.url), self._reading.connect() as conn, _unprepared(conn):
            return list(conn.execute(statement))

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


def insert_ignoring_duplicates(dialect: str, table: sa.Table) -> Any:
    """An INSERT that leaves a row already there alone (and does not fail)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return sa.insert(table).prefix_with("IGNORE")
