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

The package: :mod:`.schema` (the tables), :mod:`.connection` (engines,
errors, migrations), :mod:`.statements` (the hot path, per driver),
:mod:`.bookings` (one commune's bookings and the unit of work),
:mod:`.accounts` (the ledgers), :mod:`.dossiers` (the dossiers and their
files); this module, the store.
"""

from __future__ import annotations

import os
import unicodedata
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from periscolaire.errors import MissingExtra, SchemaError, StoreError

try:
    import sqlalchemy as sa
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise MissingExtra(
        "Les stockages SQL demandent SQLAlchemy : pip install 'periscolaire[sql]' "
        "(ou [postgres], [mariadb]).",
        code="missing_extra",
    ) from exc

from periscolaire.store.health import HealthCipher, HealthDataWarning
from periscolaire.store.sql.accounts import SQLAccounts
from periscolaire.store.sql.bookings import SQLBookings
from periscolaire.store.sql.connection import (
    _database_errors,
    _engine,
    _hide_password,
    alembic_config,
    schema_revision,
    upgrade_schema,
)
from periscolaire.store.sql.dossiers import DirectoryFiles, SQLDossiers
from periscolaire.store.sql.schema import (
    _COMMUNE,
    ATTEMPTS,
    HEAD,
    REVISIONS,
    SEQUENCE_BLOCK,
    VERSION_TABLE,
    account_table,
    counter_table,
    entry_table,
    journal_table,
    metadata,
    promotion_table,
    reservation_table,
    sequence,
    slot_table,
)
from periscolaire.store.sql.statements import _statements

__all__ = [
    "ATTEMPTS",
    "HEAD",
    "REVISIONS",
    "SEQUENCE_BLOCK",
    "VERSION_TABLE",
    "SQLAccounts",
    "SQLBookings",
    "SQLStore",
    "account_table",
    "alembic_config",
    "counter_table",
    "entry_table",
    "journal_table",
    "metadata",
    "promotion_table",
    "reservation_table",
    "schema_revision",
    "sequence",
    "slot_table",
    "upgrade_schema",
]


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class SQLStore:
    """A database store (see the module). One per process: it holds a
    connection pool; open it again in each worker process."""

    def __init__(
        self,
        url: str,
        *,
        upgrade: bool = False,
        check_schema: bool = True,
        health_keys: Iterable[str | bytes] | None = None,
        files: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> None:
        self.url = _hide_password(url)
        self._cipher = HealthCipher(health_keys)
        self._files = None if files is None else DirectoryFiles(files)
        self._warned = False
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
        self._accounts: dict[str, SQLAccounts] = {}
        self._dossiers: dict[str, SQLDossiers] = {}

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
        if revision != "head" and revision not in REVISIONS:
            raise SchemaError(
                f"Révision inconnue : {revision!r} (révisions : {', '.join(REVISIONS)}, ou head).",
                code="unknown_revision",
            )
        current = self.revision()
        if current is not None and current not in REVISIONS:
            raise self._newer(current)
        if current is None and self._partial_schema():
            raise self._incomplete()
        from alembic.util.exc import CommandError

        try:
            with _database_errors(self.url):
                upgrade_schema(self.engine, revision)
        except CommandError as exc:
            raise SchemaError(
                f"La migration de {self.url} a échoué : {exc}", code="migration_failed"
            ) from exc

    def _partial_schema(self) -> bool:
        """Some of the library's tables exist, without its version table."""
        if self._absent_file():
            return False
        with _database_errors(self.url):
            inspector = sa.inspect(self.engine)
            return any(inspector.has_table(name) for name in metadata.tables)

    def _newer(self, current: str) -> SchemaError:
        return SchemaError(
            f"Le schéma du stockage {self.url} ({current}) est plus récent que cette version de "
            f"periscolaire (qui connaît {HEAD}) : mettez periscolaire à jour.",
            code="schema_newer",
        )

    def _incomplete(self) -> SchemaError:
        return SchemaError(
            f"Le stockage {self.url} a une partie des tables de periscolaire, sans leur version : "
            "elles ont été créées hors de « periscolaire db upgrade ». Complétez-les avec vos propres "
            "migrations (docs/embedding.md) ou repartez d'une base vide.",
            code="schema_incomplete",
        )

    def check_schema(self) -> None:
        """:class:`~periscolaire.SchemaError` unless the schema is the library's."""
        current = self.revision()
        command = f"periscolaire db upgrade {self.url}"
        if current == HEAD:
            return
        if current is None and self._host_schema():
            return
        if current is None and self._partial_schema():
            raise self._incomplete()
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
        raise self._newer(current)

    def bookings(self, commune: str) -> SQLBookings:
        found = self._communes.get(commune)
        if found is None:
            if (
                not isinstance(commune, str)
                or not commune
                or len(commune) > _COMMUNE
                or any(unicodedata.category(c) in ("Cc", "Cs") for c in commune)
            ):
                raise StoreError(
                    f"Clé de commune invalide pour un stockage SQL (1 à {_COMMUNE} caractères) : {commune!r}.",
                    code="bad_commune_key",
                )
            found = self._communes[commune] = SQLBookings(self, commune)
        return found

    def accounts(self, commune: str) -> SQLAccounts:
        found = self._accounts.get(commune)
        if found is None:
            self.bookings(commune)  # the same check of the commune key
            found = self._accounts[commune] = SQLAccounts(self, commune)
        return found

    def dossiers(self, commune: str) -> SQLDossiers:
        found = self._dossiers.get(commune)
        if found is None:
            self.bookings(commune)  # the same check of the commune key
            if not self._cipher.encrypts and not self._warned:
                self._warned = True
                warnings.warn(
                    HealthDataWarning(
                        f"{self.url} : les données de santé des dossiers sont gardées EN CLAIR "
                        "(aucune clé donnée : ps.open_store(url, health_keys=[...]), "
                        "pip install 'periscolaire[crypto]')."
                    ),
                    stacklevel=2,
                )
            found = self._dossiers[commune] = SQLDossiers(self, commune, self._cipher, self._files)
        return found

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SQLStore({self.url!r})"
