"""Undoing a whole report across thousands of videos is set-based: a few statements, every video restored."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import event, select, text

from catalog_ui.models import ChangeSet, Report
from catalog_ui.services import reports
from catalog_ui.services.audit import VIDEO_FIELDS
from catalog_ui.services.demo_data import new_video_count, write_demo_reports
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.rollback import ChangeSetTarget, apply, preview
from catalog_ui.services.users import create_user

VIDEOS = 8000


def _snapshot(session) -> dict[str, tuple]:
    columns = ", ".join(VIDEO_FIELDS)
    rows = session.execute(text(f"SELECT video_id, {columns} FROM video ORDER BY video_id"))
    return {row[0]: tuple(row[1:]) for row in rows}


def _ingest(session, path: Path) -> int:
    report, _ = reports.register_path(session, path)
    session.commit()
    assert ingest_report(report.id).status == "completed"
    return report.id


def test_undoing_a_report_restores_every_video_in_a_few_statements(session, engine, tmp_path: Path) -> None:
    admin = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    session.commit()
    day_one, next_day = write_demo_reports(tmp_path, videos=VIDEOS, seed=11)
    _ingest(session, day_one)
    before = _snapshot(session)
    report_id = _ingest(session, next_day)
    after = _snapshot(session)
    report_set = session.execute(select(ChangeSet).where(ChangeSet.report_id == report_id)).scalar_one()
    changed = sum(1 for video_id, values in before.items() if after[video_id] != values)
    assert changed > 2000  # about a third of the videos change from one day to the next
    assert len(after) == VIDEOS + new_video_count(VIDEOS)

    seen = preview(session, ChangeSetTarget(report_set.id))
    assert (seen.videos, seen.conflicts, seen.created) == (changed, 0, new_video_count(VIDEOS))
    session.rollback()

    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        result = apply(session, ChangeSetTarget(report_set.id), user_id=admin.id, reason="bad report")
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    elapsed = time.perf_counter() - started

    assert result.videos == changed
    # The merge lock (wait_for_merges) included, and the planning settings: read, set, put back.
    assert len(statements) <= 20, statements
    assert elapsed < 10
    restored = _snapshot(session)
    assert {video_id: restored[video_id] for video_id in before} == before
    # The videos the report added stay, with the values it gave them.
    added = set(after) - set(before)
    assert {video_id: restored[video_id] for video_id in added} == {
        video_id: after[video_id] for video_id in added
    }
    rollback = session.get(ChangeSet, result.change_set_id)
    assert (rollback.kind, rollback.reverts_change_set_id, rollback.video_count) == (
        "rollback",
        report_set.id,
        changed,
    )
    assert (
        rollback.label
        == f"Undo change set #{report_set.id} (report {Path(session.get(Report, report_id).filename).name})"
    )
    entries = session.execute(
        text("SELECT count(*) FROM metadata_sync WHERE change_set_id = :cs"), {"cs": result.change_set_id}
    ).scalar_one()
    assert entries == changed
