"""History archival: entries older than the retention period move to `metadata_sync_archive` exactly, and
everything that shows history (timeline, a report's changes, "Last synced") still finds them there."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import utc_now
from catalog_ui.services import reports
from catalog_ui.services.archive import archive_history
from catalog_ui.services.history import video_timeline
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.video_search import latest_syncs
from tests.cli import run_catalog_ui
from tests.integration.test_ingest_cli import last_line
from workers.main import Scheduler

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
COLUMNS = "id, video_id, channel_display_name, video_title, sync_time, changes, change_set_id"


def _two_days(session: Session) -> tuple[int, int]:
    """The two fixture reports ingested; the first one's entries dated 200 days back."""
    ids = []
    for name in ("cms_videos_2026-03-01.csv", "cms_videos_2026-03-02.csv.gz"):
        report, _ = reports.register_path(session, FIXTURES / name)
        session.commit()
        ingest_report(report.id)
        ids.append(report.id)
    session.execute(
        text(
            "UPDATE metadata_sync m SET sync_time = m.sync_time - interval '200 days' FROM change_set c "
            "WHERE c.id = m.change_set_id AND c.report_id = :r"
        ),
        {"r": ids[0]},
    )
    session.commit()
    return ids[0], ids[1]


def _rows(session: Session, table: str) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(f"SELECT {COLUMNS} FROM {table} ORDER BY id"))]


def test_old_entries_move_to_the_archive_exactly_once(session: Session, engine: Engine) -> None:
    first, second = _two_days(session)
    before = _rows(session, "metadata_sync")
    cutoff = utc_now() - timedelta(days=183)
    old = [row for row in before if row[4] < cutoff]
    assert len(old) == 4  # the first report's four new videos

    assert archive_history(engine, cutoff, batch=3) == 4  # batches smaller than the work
    assert archive_history(engine, cutoff, batch=3) == 0

    assert _rows(session, "metadata_sync_archive") == old
    assert _rows(session, "metadata_sync") == [row for row in before if row not in old]

    # Still found: the video's timeline with the archive, the report's changes, "Last synced".
    entries = video_timeline(session, "vidBravo002", include_archived=True).entries
    assert [(e.archived, e.kind) for e in entries] == [(True, "report")]
    assert video_timeline(session, "vidBravo002").entries == []
    rows, total = reports.report_changes(session, first, include_hidden=True)
    assert (total, len(rows)) == (4, 4) and all("__created__" in row["changes"] for row in rows)
    assert reports.report_changes(session, second, include_hidden=True)[1] == 3
    assert latest_syncs(session, ["vidBravo002"])["vidBravo002"]["last_synced"] == old[1][4]


def _archive_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "HISTORY_RETENTION_DAYS"}
    return run_catalog_ui("archive", *args, env={**env, "DATABASE_URL": database_url})


def test_the_archive_command_and_the_scheduler(session: Session, engine: Engine, database_url: str) -> None:
    _two_days(session)
    kept = _archive_cli(database_url, "--days", "300")
    assert kept.returncode == 0, kept.stderr
    assert last_line(kept.stdout) == "0 history entries older than 300 days moved to the archive."
    moved = _archive_cli(database_url)  # HISTORY_RETENTION_DAYS: 183
    assert last_line(moved.stdout) == "4 history entries older than 183 days moved to the archive."

    asked: list[int] = []
    scheduler = Scheduler(wake=lambda _type, _force: None, archive=lambda: asked.append(1))
    scheduler.run_once()
    scheduler.run_once()  # within the scan interval: not asked again
    assert asked == [1]
