"""Alembic environment of periscolaire's own migrations.

Run through ``periscolaire db upgrade URL`` (or
:func:`periscolaire.store.sql.upgrade_schema`); the version is kept in its own
table (``periscolaire_alembic_version``), so that a host's Alembic history and
the library's never mix.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from periscolaire.store.sql import VERSION_TABLE, metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
