"""Family dossiers: one row per dossier and school year, and their files.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COMMUNE = 100
ID = 100
# Byte-for-byte comparison without padding: "F1" and "F1 " are two ids (MariaDB's
# utf8mb4_bin ignores trailing spaces).
OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
LONG_BINARY = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "periscolaire_dossier",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("school_year", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("version", sa.BigInteger, nullable=False, comment="bumped by every write"),
        sa.Column(
            "document", LONG_TEXT, nullable=False, comment="the dossier (JSON) without its health part"
        ),
        sa.Column(
            "health", LONG_TEXT, nullable=False, comment="the health part: fernet:<token> or clear:<JSON>"
        ),
        sa.PrimaryKeyConstraint("commune", "family", "school_year", name=op.f("pk_periscolaire_dossier")),
        comment="periscolaire: one row per family dossier and school year",
        **OPTIONS,
    )
    op.create_table(
        "periscolaire_file",
        sa.Column("commune", sa.String(COMMUNE), nullable=False),
        sa.Column("family", sa.String(ID), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, comment="of the content in clear"),
        sa.Column("content", LONG_BINARY, nullable=False, comment="fernet:<token> or clear:<bytes>"),
        sa.PrimaryKeyConstraint("commune", "family", "sha256", name=op.f("pk_periscolaire_file")),
        comment="periscolaire: the files of the dossiers, by family and content (never changed)",
        **OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("periscolaire_file")
    op.drop_table("periscolaire_dossier")
