"""Bookings: slots, reservations, the journal of movements and its nightly runs, the promotions outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateSequence, DropSequence

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

COMMUNE = 100
ID = 100
CODE = 64
INSTANT = 40
SEQUENCE = sa.Sequence("periscolaire_sequence", increment=1024, start=1024)
# MariaDB: text compares byte for byte (ids differing by case or accents never meet).
# Byte-for-byte comparison without padding: "F1" and "F1 " are two ids (MariaDB's
# utf8mb4_bin ignores trailing spaces).
OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "periscolaire_slot",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("activity", sa.String(CODE), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column(
            "capacity", sa.Integer, nullable=True, comment="places set by an agent (NULL: configuration)"
        ),
        sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
        sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("taken >= 0 AND waiting >= 0", name=op.f("ck_periscolaire_slot_counts")),
        sa.PrimaryKeyConstraint("commune", "activity", "day", name=op.f("pk_periscolaire_slot")),
        comment="periscolaire: one lockable row per (commune, activity, day)",
        **OPTIONS,
    )
    op.create_table(
        "periscolaire_reservation",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("child", sa.String(ID), nullable=False),
        sa.Column("activity", sa.String(CODE), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("transmitted", sa.Boolean, nullable=False),
        sa.Column("confirmation", sa.BigInteger, nullable=True, comment="journal entry that made it"),
        sa.CheckConstraint(
            "status IN ('accepted', 'waitlisted')", name=op.f("ck_periscolaire_reservation_status")
        ),
        sa.PrimaryKeyConstraint(
            "commune", "child", "activity", "day", name=op.f("pk_periscolaire_reservation")
        ),
        comment="periscolaire: one row per (commune, child, activity, day)",
        **OPTIONS,
    )
    op.create_index(
        "ix_periscolaire_reservation_queue",
        "periscolaire_reservation",
        ["commune", "activity", "day", "status", "sequence"],
    )
    op.create_index("ix_periscolaire_reservation_family", "periscolaire_reservation", ["commune", "family"])
    op.create_index(
        "ix_periscolaire_reservation_confirmation", "periscolaire_reservation", ["commune", "confirmation"]
    )
    op.create_table(
        "periscolaire_journal",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("confirmation", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("at", sa.String(INSTANT), nullable=False),
        sa.Column("movements", LONG_TEXT, nullable=False, comment='{"c","a","w","r"}: keys per kind'),
        sa.Column("transmitted", sa.Boolean, nullable=False),
        sa.Column("transmitted_at", sa.String(INSTANT), nullable=True),
        sa.PrimaryKeyConstraint("commune", "confirmation", name=op.f("pk_periscolaire_journal")),
        comment="periscolaire: the movements of each confirmation, for the nightly report",
        **OPTIONS,
    )
    op.create_index(
        "ix_periscolaire_journal_pending",
        "periscolaire_journal",
        ["commune", "transmitted", "confirmation"],
    )
    op.create_table(
        "periscolaire_promotion",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("child", sa.String(ID), nullable=False),
        sa.Column("activity", sa.String(CODE), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("at", sa.String(INSTANT), nullable=False),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("sent_at", sa.String(INSTANT), nullable=True),
        sa.PrimaryKeyConstraint("commune", "id", name=op.f("pk_periscolaire_promotion")),
        comment="periscolaire: outbox of waiting-list promotions",
        **OPTIONS,
    )
    op.create_index("ix_periscolaire_promotion_pending", "periscolaire_promotion", ["commune", "sent", "id"])
    op.create_table(
        "periscolaire_run",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("at", sa.String(INSTANT), nullable=False, comment="commune-local instant of the run"),
        sa.PrimaryKeyConstraint("commune", "at", name=op.f("pk_periscolaire_run")),
        comment="periscolaire: the nightly runs, each known by its instant",
        **OPTIONS,
    )
    op.create_table(
        "periscolaire_counter",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periscolaire_counter")),
        comment="periscolaire: sequence numbers where the database has no sequences (SQLite)",
        **OPTIONS,
    )
    if op.get_bind().dialect.supports_sequences:
        op.execute(CreateSequence(SEQUENCE))


def downgrade() -> None:
    if op.get_bind().dialect.supports_sequences:
        op.execute(DropSequence(SEQUENCE))
    op.drop_table("periscolaire_counter")
    op.drop_table("periscolaire_run")
    op.drop_table("periscolaire_promotion")
    op.drop_table("periscolaire_journal")
    op.drop_table("periscolaire_reservation")
    op.drop_table("periscolaire_slot")
