"""Migrations run both ways on an empty database, and the models have no drift from them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from catalog_ui import migrations
from tests.cli import ROOT

SEED_CHAIN = [
    "001_initial_schema",
    "002_add_firebase_auth",
    "003_add_processing_queue",
    "004_add_metadata_sync",
]


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A second, empty database on the same server, dropped afterwards."""
    server = make_url(database_url)
    name = f"catalog_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run_sql(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_revisions_start_with_the_seed_history_and_form_one_line() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert chain[: len(SEED_CHAIN)] == SEED_CHAIN


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    migrations.upgrade(empty_database)
    assert {"video", "metadata_sync", "change_set", "report_archive"} <= _tables(empty_database)
    migrations.downgrade(empty_database, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    migrations.upgrade(empty_database)
    assert "video" in _tables(empty_database)


def test_two_instances_migrating_an_empty_database_at_once_both_succeed(empty_database: str) -> None:
    """Two `python -m catalog_ui migrate` at once (two containers starting): the second waits for the
    first, then finds the database at the newest schema; neither crashes on the version table."""
    env = {**os.environ, "DATABASE_URL": empty_database}
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "catalog_ui", "migrate"],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    done = [(proc.wait(timeout=300), *proc.communicate()) for proc in started]

    assert [(code, out.strip(), err.strip()) for code, out, err in done] == [
        (0, "Database is at the newest schema.", "")
    ] * 2
    assert "video" in _tables(empty_database)


def test_models_match_migrations(empty_database: str) -> None:
    migrations.upgrade(empty_database)
    command.check(migrations.alembic_config(empty_database))  # raises when autogenerate finds drift


def _documents(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(text("SELECT document::text FROM video_search ORDER BY video_pk")).scalars()
            )
    finally:
        engine.dispose()


def test_search_documents_are_rebuilt_both_ways(empty_database: str) -> None:
    migrations.upgrade(empty_database, "010_report_details")
    _run_sql(
        empty_database,
        "INSERT INTO video (video_id, title, isrc) VALUES ('migrate0001', 'Golden Hour', 'USABC2400001')",
    )
    ids_and_words = "'USABC2400001':1A 'golden':2 'hour':3 'migrate0001':1A"
    assert _documents(empty_database) == [ids_and_words]
    migrations.upgrade(empty_database, "011_search_words")
    assert _documents(empty_database) == ["'golden':1 'hour':2"]
    migrations.downgrade(empty_database, "010_report_details")
    assert _documents(empty_database) == [ids_and_words]


def test_accounts_differing_only_in_case_stop_the_upgrade_naming_them(empty_database: str) -> None:
    migrations.upgrade(empty_database, "015_hidden_videos_index")
    _run_sql(
        empty_database,
        """INSERT INTO "user" (email, username) VALUES ('ana@example.com', 'Ana'), """
        """('bo@example.com', 'ana'), ('cy@example.com', 'cy')""",
    )
    with pytest.raises(RuntimeError, match="same username but for letter case: Ana, ana"):
        migrations.upgrade(empty_database)
    _run_sql(empty_database, """UPDATE "user" SET username = 'bo' WHERE email = 'bo@example.com'""")
    migrations.upgrade(empty_database)
    assert {"idx_user_email_lower", "idx_user_username_lower"} <= {
        index["name"] for index in _indexes(empty_database, "user")
    }


def test_rejected_rows_stored_before_get_the_video_id_their_text_names(empty_database: str) -> None:
    migrations.upgrade(empty_database, "018_report_storage_retries")
    _run_sql(
        empty_database,
        """
        INSERT INTO video (video_id, hidden) VALUES ('vidAlpha001', true), ('vidCharl003', false);
        INSERT INTO report (filename) VALUES ('old.csv');
        INSERT INTO report_rejection (report_id, line, reason, raw) VALUES
            (1, 2, 'not a whole number', 'vidCharl003,Fine,many'),
            (1, 3, 'not a whole number', '"vidCharl003","Remix of vidAlpha001",x'),
            (1, 4, 'not a valid video id', 'not-an-id,Unknown,3'),
            (1, 5, 'not a whole number', 'vidZulu0026,Not in the catalog,x'),
            (1, 6, 'expected 3 columns, found 1', NULL);
        """,
    )
    migrations.upgrade(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT line, video_id FROM report_rejection ORDER BY line")).all()
    finally:
        engine.dispose()
    # a hidden video named anywhere in the text wins: the row was left out of users' views before
    assert [tuple(row) for row in stored] == [
        (2, "vidCharl003"),
        (3, "vidAlpha001"),
        (4, None),
        (5, None),
        (6, None),
    ]


def _indexes(url: str, table: str) -> list[dict]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_indexes(table)
    finally:
        engine.dispose()
