"""Family accounts: one locked row per account and its append-only ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COMMUNE = 100
ID = 100
CODE = 64
REFERENCE = 300
# Byte-for-byte comparison without padding: "F1" and "F1 " are two ids (MariaDB's
# utf8mb4_bin ignores trailing spaces).
OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}


def upgrade() -> None:
    op.create_table(
        "periscolaire_account",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("next_number", sa.BigInteger, nullable=False, comment="the number of the next entry"),
        sa.PrimaryKeyConstraint("commune", "family", name=op.f("pk_periscolaire_account")),
        comment="periscolaire: one row per family account, the row its operations lock",
        **OPTIONS,
    )
    op.create_table(
        "periscolaire_entry",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("number", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("wallet", sa.String(CODE), nullable=False),
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
        sa.CheckConstraint(
            "kind IN ('payment', 'consumption', 'credit', 'debit', 'correction')",
            name=op.f("ck_periscolaire_entry_kind"),
        ),
        sa.PrimaryKeyConstraint("commune", "family", "number", name=op.f("pk_periscolaire_entry")),
        sa.UniqueConstraint("commune", "family", "unique_key", name="uq_periscolaire_entry_unique_key"),
        comment="periscolaire: the ledgers, append-only (nothing updated, nothing deleted)",
        **OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("periscolaire_entry")
    op.drop_table("periscolaire_account")
