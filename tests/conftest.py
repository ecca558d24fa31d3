"""Test harness: a fresh PostgreSQL database per run (local server or TEST_DATABASE_URL), migrated to head.

Integration tests exercise real transactions, so instead of rolling back, each test starts from emptied
tables (the roles seeded by the first migration stay).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

DEFAULT_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
KEEP_TABLES = ("alembic_version", "role")


def _server_url() -> str:
    from catalog_ui.db import normalize_url

    return normalize_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new database for this run, migrated to head; dropped at the end."""
    from catalog_ui import migrations

    server = make_url(_server_url())
    name = f"catalog_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    os.environ["DATABASE_URL"] = url
    from catalog_ui.settings import get_settings

    get_settings.cache_clear()
    migrations.upgrade(url)
    yield url
    from catalog_ui.db import get_engine

    get_engine().dispose()
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The app's engine on the test database, with every table but the migration's own emptied first."""
    from catalog_ui.db import get_engine

    engine = get_engine()
    _empty_tables(engine)
    yield engine


# A TRUNCATE waits for work a test left running in the app under test (an upload's ingestion goes on after
# the test has seen it start). Waiting for good could deadlock where PostgreSQL cannot see it: holding
# `report`, the TRUNCATE waits for `video`, held by the ingestion's transaction, which waits in the client for
# its progress UPDATE of `report` on another connection, queued behind the TRUNCATE. So it waits a little,
# lets go of what it holds (the work then goes on and ends), and tries again.
TRUNCATE_LOCK_TIMEOUT = "2s"
TRUNCATE_TRIES = 60
LOCK_NOT_AVAILABLE = "55P03"


def _empty_tables(engine: Engine) -> None:
    """Empty every table but KEEP_TABLES, trying again while work left by a previous test holds one."""
    for attempt in range(1, TRUNCATE_TRIES + 1):
        try:
            with engine.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{TRUNCATE_LOCK_TIMEOUT}'"))
                tables = conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND NOT tablename = ANY(:keep)"
                    ),
                    {"keep": list(KEEP_TABLES)},
                ).scalars()
                names = ", ".join(f'"{t}"' for t in tables)
                if names:
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except OperationalError as exc:
            if getattr(exc.orig, "pgcode", None) != LOCK_NOT_AVAILABLE or attempt == TRUNCATE_TRIES:
                raise


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the emptied test database; the test commits what it needs."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
