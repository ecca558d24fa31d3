"""`make run`'s preparation: the first admin is created once, the demo catalog arrives through the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from catalog_ui.cli import ensure_first_admin
from catalog_ui.launcher import load_demo_catalog
from catalog_ui.services.auth import sign_in_password
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
