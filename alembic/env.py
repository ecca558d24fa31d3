"""Alembic environment: migrates the database named by catalog_ui.db (DATABASE_URL or the embedded server)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlmodel import SQLModel

import catalog_ui.models  # noqa: F401 - registers every table on the metadata
from catalog_ui.db import connect_timeout_args, database_url
from catalog_ui.services.locks import MIGRATION_LOCK_KEY

target_metadata = SQLModel.metadata


def _url() -> str:
    # Tests point Alembic at their own database through the config; everything else uses the settings.
    return context.config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    """Emit SQL without a connection (`alembic upgrade --sql`)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a real connection, in one transaction, one process at a time.

    Two instances started at once on an empty database would both create `alembic_version` (the second
    fails on a duplicate key); the migration lock makes the second wait for the first to commit and then
    find nothing to do. It is a session lock: held across the commits of any migration that has its own,
    and released when the connection closes (NullPool: at the end of the block), whatever happened."""
    url = _url()
    engine = create_engine(url, poolclass=pool.NullPool, connect_args=connect_timeout_args(url))
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
