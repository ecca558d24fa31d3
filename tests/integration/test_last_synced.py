"""The grid sorts "Last synced" by `video.updated_at`, which is exact only while every writer of history
keeps `updated_at` equal to the time of the video's newest `metadata_sync` entry. Each writer is held to it
here, including when a later time is already stored (a concurrent writer, or one with a clock ahead)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import Video, utc_now
from catalog_ui.services import reports, video_flags
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.bulk import BulkTarget, run_bulk
from catalog_ui.services.demo_data import write_demo_reports
from catalog_ui.services.grid_view import GridView
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.rollback import ChangeSetTarget, apply
from catalog_ui.services.video_search import fetch_rows, latest_syncs

ROOT = Path(__file__).resolve().parents[2]

# Every module that writes history entries or moves `video.updated_at`; each is exercised below.
HISTORY_WRITERS = {
    "catalog_ui/services/audit.py",  # user edits (video_flags) and YouTube tasks (tasks.py, sync/)
    "catalog_ui/services/bulk.py",
    "catalog_ui/services/rollback.py",
    "catalog_ui/services/ingest.py",
}
WRITES_HISTORY = re.compile(
    r"INSERT INTO metadata_sync\b|(?<!class )MetadataSync\(|UPDATE video\b|video\.updated_at = "
)


def out_of_step(session: Session) -> list[tuple]:
    """Videos whose `updated_at` is not the time of their newest history entry."""
    return list(
        session.execute(
            text(
                """
                SELECT v.video_id, v.updated_at, newest.sync_time FROM video v
                LEFT JOIN LATERAL (SELECT max(m.sync_time) AS sync_time FROM metadata_sync m
                                   WHERE m.video_id = v.video_id) newest ON true
                WHERE v.updated_at IS DISTINCT FROM newest.sync_time
                """
            )
        )
    )


def test_every_writer_of_history_is_held_to_the_invariant() -> None:
    writers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "catalog_ui").rglob("*.py")
        if path.name != "__init__.py" and WRITES_HISTORY.search(path.read_text())
    }
    assert writers == HISTORY_WRITERS  # a new writer: keep updated_at in step, then test it here


def _ingest(session: Session, path: Path) -> None:
    report, _ = reports.register_path(session, path)
    session.commit()
    assert ingest_report(report.id).status == "completed"


def _bulk_administer(session: Session, video_ids: tuple[str, ...]) -> int:
    result = run_bulk(session, "administer", BulkTarget(video_ids=video_ids), user_id=None, reason="test")
    session.commit()
    assert result.changed == len(video_ids)
    assert result.change_set_id is not None
    return result.change_set_id


def _task_sets_views(session: Session, video_id: str, views: int) -> None:
    change_set = open_change_set(session, "task", label="videos.list")
    assert apply_changes(session, change_set, video_id, {"views": views}, as_of=utc_now())
    session.commit()


def test_reports_tasks_edits_bulk_and_rollback_keep_updated_at_on_the_newest_entry(
    session: Session, tmp_path: Path
) -> None:
    day_one, next_day = write_demo_reports(tmp_path, videos=300, seed=5)
    _ingest(session, day_one)
    assert out_of_step(session) == []
    _ingest(session, next_day)
    assert out_of_step(session) == []

    video_ids = tuple(session.execute(text("SELECT video_id FROM video ORDER BY id LIMIT 3")).scalars())
    _task_sets_views(session, video_ids[0], 424_242)
    assert out_of_step(session) == []
    video_flags.set_notes(session, video_ids[1], "checked", user_id=None)
    video_flags.set_hidden(session, video_ids[1], True, user_id=None)
    session.commit()
    assert out_of_step(session) == []
    bulk_set = _bulk_administer(session, video_ids)
    assert out_of_step(session) == []
    assert apply(session, ChangeSetTarget(bulk_set), user_id=None).videos == 3
    session.commit()
    assert out_of_step(session) == []


def test_a_later_time_already_stored_is_kept(session: Session) -> None:
    """A writer whose time is earlier than the stored one (it started before a concurrent writer
    committed, or its clock is behind) leaves `updated_at` at the newest entry's time."""
    session.add(Video(video_id="aheadvid001", title="Ahead"))
    session.commit()
    ahead = utc_now() + timedelta(hours=1)
    change_set = open_change_set(session, "task", label="a writer with a clock ahead")
    session.execute(
        text(
            "INSERT INTO metadata_sync (video_id, sync_time, changes, change_set_id) "
            """VALUES ('aheadvid001', :t, '{"views": [null, 1]}', :cs)"""
        ),
        {"t": ahead, "cs": change_set.id},
    )
    session.execute(
        text("UPDATE video SET views = 1, updated_at = :t WHERE video_id = 'aheadvid001'"), {"t": ahead}
    )
    session.commit()

    _task_sets_views(session, "aheadvid001", 2)
    video_flags.set_notes(session, "aheadvid001", "later", user_id=None)
    session.commit()
    bulk_set = _bulk_administer(session, ("aheadvid001",))
    apply(session, ChangeSetTarget(bulk_set), user_id=None)
    session.commit()
    entries = session.execute(
        text("SELECT count(*) FROM metadata_sync WHERE video_id = 'aheadvid001'")
    ).scalar()
    assert entries == 5
    assert out_of_step(session) == []
    updated_at = session.execute(text("SELECT updated_at FROM video WHERE video_id = 'aheadvid001'")).scalar()
    assert updated_at == ahead


def test_sorting_by_last_synced_follows_the_newest_history_entry(session: Session) -> None:
    names = [f"lastsync{n:03d}" for n in range(6)]
    for name in names:
        session.add(Video(video_id=name, title=name))
    session.commit()
    # Edited in an order unlike the ids, one of them twice (its second edit makes it the newest).
    for name in (names[3], names[0], names[5], names[1], names[4], names[2], names[0]):
        change_set = open_change_set(session, "user", label="Edit notes")
        apply_changes(session, change_set, name, {"notes": f"{name} {utc_now()}"}, allow_user_fields=True)
        session.commit()
    newest = latest_syncs(session, names)
    expected = sorted(names, key=lambda name: newest[name]["last_synced"])
    assert expected == [names[3], names[5], names[1], names[4], names[2], names[0]]
    for descending in (False, True):
        view = GridView(sort="last_synced", descending=descending, columns=("video_id", "last_synced"))
        rows = fetch_rows(session, view, offset=0).rows
        assert [row["video_id"] for row in rows] == (expected[::-1] if descending else expected)
        first = fetch_rows(session, view, offset=0).first
        assert first is not None and first.key == newest[rows[0]["video_id"]]["last_synced"]  # keyset cursor
