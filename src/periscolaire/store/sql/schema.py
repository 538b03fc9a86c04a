"""The tables of the SQL stores, as SQLAlchemy metadata a host may add to its own
Alembic environment (every key starts with the commune)."""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

#: The schema revision this library reads and writes (Alembic's head).
HEAD: Final = "0003"
#: Every revision the migrations know, oldest first.
REVISIONS: Final = ("0001", "0002", "0003")
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

#: On MariaDB, text compares byte for byte, as on the other databases: ids
#: differing by case, accents or a trailing space never meet (``utf8mb4_bin``
#: would ignore trailing spaces: its NO PAD variant does not).
TABLE_OPTIONS: Final[dict[str, Any]] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
#: Long text (MariaDB's TEXT stops at 64 KB).
LONG_TEXT: Final = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
#: Bytes of a file (at most 2000 KB, sealed: a little more; BLOB stops at 64 KB).
LONG_BINARY: Final = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")

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
    **TABLE_OPTIONS,
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
    **TABLE_OPTIONS,
)

journal_table = sa.Table(
    "periscolaire_journal",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("confirmation", sa.BigInteger, primary_key=True),
    sa.Column("family", sa.String(_ID), nullable=False),
    sa.Column("at", sa.String(_INSTANT), nullable=False),
    sa.Column("movements", LONG_TEXT, nullable=False, comment='{"c","a","w","r"}: keys per kind'),
    sa.Column("transmitted", sa.Boolean, nullable=False),
    sa.Column("transmitted_at", sa.String(_INSTANT), nullable=True),
    sa.Index("ix_periscolaire_journal_pending", "commune", "transmitted", "confirmation"),
    comment="periscolaire: the movements of each confirmation, for the nightly report",
    **TABLE_OPTIONS,
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
    **TABLE_OPTIONS,
)

run_table = sa.Table(
    "periscolaire_run",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("at", sa.String(_INSTANT), primary_key=True, comment="commune-local instant of the run"),
    comment="periscolaire: the nightly runs, each known by its instant",
    **TABLE_OPTIONS,
)

account_table = sa.Table(
    "periscolaire_account",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("family", sa.String(_ID), primary_key=True),
    sa.Column("next_number", sa.BigInteger, nullable=False, comment="the number of the next entry"),
    comment="periscolaire: one row per family account, the row its operations lock",
    **TABLE_OPTIONS,
)

#: The longest reference of a payment (and so of an entry's unique key).
REFERENCE = 300
KINDS = ("payment", "consumption", "credit", "debit", "correction")

entry_table = sa.Table(
    "periscolaire_entry",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("family", sa.String(_ID), primary_key=True),
    sa.Column("number", sa.BigInteger, primary_key=True),
    sa.Column("wallet", sa.String(_CODE), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False, comment="signed: positive credits"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("reference", sa.String(REFERENCE), nullable=False),
    sa.Column("reverses", sa.BigInteger, nullable=True, comment="the entry a correction reverses"),
    sa.Column(
        "unique_key",
        sa.String(REFERENCE + 20),
        nullable=True,
        comment="consumption:<reservation>, payment:<reference>, correction:<number>",
    ),
    sa.CheckConstraint("kind IN ('payment', 'consumption', 'credit', 'debit', 'correction')", name="kind"),
    sa.UniqueConstraint("commune", "family", "unique_key", name="uq_periscolaire_entry_unique_key"),
    comment="periscolaire: the ledgers, append-only (nothing updated, nothing deleted)",
    **TABLE_OPTIONS,
)

dossier_table = sa.Table(
    "periscolaire_dossier",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("family", sa.String(_ID), primary_key=True),
    sa.Column("school_year", sa.Integer, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False, comment="bumped by every write"),
    sa.Column("document", LONG_TEXT, nullable=False, comment="the dossier (JSON) without its health part"),
    sa.Column("health", LONG_TEXT, nullable=False, comment="the health part: fernet:<token> or clear:<JSON>"),
    comment="periscolaire: one row per family dossier and school year",
    **TABLE_OPTIONS,
)

file_table = sa.Table(
    "periscolaire_file",
    metadata,
    sa.Column("commune", sa.String(_COMMUNE), primary_key=True),
    sa.Column("family", sa.String(_ID), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True, comment="of the content in clear"),
    sa.Column("content", LONG_BINARY, nullable=False, comment="fernet:<token> or clear:<bytes>"),
    comment="periscolaire: the files of the dossiers, by family and content (never changed)",
    **TABLE_OPTIONS,
)

counter_table = sa.Table(
    "periscolaire_counter",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    comment="periscolaire: sequence numbers where the database has no sequences (SQLite)",
    **TABLE_OPTIONS,
)

sequence = sa.Sequence(
    "periscolaire_sequence", increment=SEQUENCE_BLOCK, start=SEQUENCE_BLOCK, metadata=metadata
)

_S = slot_table.c
_R = reservation_table.c
_J = journal_table.c
_P = promotion_table.c
_KIND_KEYS = ("c", "a", "w", "r")
