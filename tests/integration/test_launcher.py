"""`make run`'s preparation: the first admin is created once, the demo catalog arrives through the pipeline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.cli import ensure_first_admin
from catalog_ui.launcher import load_demo_catalog
from catalog_ui.services.auth import sign_in_password
from catalog_ui.services.users import create_user
from catalog_ui.settings import get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_first_admin_is_created_once_and_can_sign_in(engine, session, data_dir: Path) -> None:
    line = ensure_first_admin()
    assert line is not None and "admin@example.com" in line
    password = line.rsplit(" ", 1)[1]
    token, principal = sign_in_password(session, "admin", password)
    assert token and principal.is_admin
    assert ensure_first_admin() is None


def test_a_first_admin_committed_meanwhile_by_another_instance_is_not_an_error(
    engine, data_dir: Path
) -> None:
    """Two instances started at once: the other one inserted the admin and has not committed yet when this
    one checks; this one's insert waits for it, then finds the admin there."""
    outcome: dict[str, object] = {}

    def start_this_instance() -> None:
        try:
            outcome["line"] = ensure_first_admin()
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc

    with Session(engine) as other:
        create_user(other, "admin@example.com", "another-horse-43", username="admin", admin=True)
        other.flush()
        this = threading.Thread(target=start_this_instance)
        this.start()
        _wait_for_a_lock_wait(engine)
        other.commit()
    this.join(timeout=60)

    assert outcome == {"line": None}
    with Session(engine) as session:
        assert session.execute(text('SELECT count(*) FROM "user"')).scalar_one() == 1


def _wait_for_a_lock_wait(engine) -> None:
    """Until a connection to the test database waits for a lock (the other instance's uncommitted row)."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.commit()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second instance never waited for the first one's admin")


def test_demo_catalog_is_ingested_as_two_reports_once(engine, session, data_dir: Path) -> None:
    load_demo_catalog(200)
    counts = session.execute(
        text("SELECT (SELECT count(*) FROM video), (SELECT count(*) FROM report WHERE status = 'completed')")
    ).one()
    assert counts == (202, 2)  # 200 videos, then the next day's 1% new ones
    assert (data_dir / "demo" / "cms_videos_2026-01-02.csv.gz").exists()
    history = session.execute(text("SELECT count(*) FROM metadata_sync")).scalar_one()
    load_demo_catalog(200)  # not empty any more: nothing happens
    assert session.execute(text("SELECT count(*) FROM metadata_sync")).scalar_one() == history


def test_no_demo_when_disabled(engine, session, data_dir: Path) -> None:
    load_demo_catalog(0)
    assert session.execute(text("SELECT count(*) FROM video")).scalar_one() == 0
