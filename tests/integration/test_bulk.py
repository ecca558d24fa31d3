"""Bulk actions on real PostgreSQL: one change set per action, one history entry per changed video with its
old and new values, chunked progress, selections and whole filters, all or nothing when a chunk fails, and
enqueueing a task type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, ProcessingQueue, Video
from catalog_ui.services import bulk
from catalog_ui.services.bulk import BulkError, BulkPreview, BulkTarget, enqueue_bulk, preview, run_bulk
from catalog_ui.services.grid_view import VideoFilter, parse_view
from catalog_ui.services.users import create_user


@pytest.fixture
def admin_id(session: Session) -> int:
    return create_user(session, "ana@example.com", "correct-horse-42", admin=True).id


@pytest.fixture
def videos(session: Session) -> list[str]:
    """30 videos: the first 10 on channel Nova (3 of them already hidden), the rest on Echo."""
    session.execute(
        text(
            "INSERT INTO video (video_id, title, channel_display_name, hidden) "
            "SELECT 'bulk' || lpad(g::text, 7, '0'), 'Song ' || g, CASE WHEN g <= 10 THEN 'Nova' ELSE 'Echo' END, "
            "g IN (1, 2, 3) FROM generate_series(1, 30) g"
        )
    )
    session.commit()
    return [f"bulk{n:07d}" for n in range(1, 31)]


def _entries(session: Session, change_set_id: int) -> dict[str, dict]:
    rows = session.execute(
        select(MetadataSync.video_id, MetadataSync.changes).where(MetadataSync.change_set_id == change_set_id)
    ).all()
    return {video_id: changes for video_id, changes in rows}


def test_hiding_a_selection_is_one_change_set_with_one_entry_per_changed_video(
    session: Session, videos: list[str], admin_id: int
) -> None:
    target = BulkTarget(video_ids=tuple(videos[1:6]))  # 2 and 3 are hidden already
    assert preview(session, "hide", target) == BulkPreview(matching=5, changing=3)
    result = run_bulk(session, "hide", target, user_id=admin_id, reason="  takedown batch ")
    session.commit()
    assert result.changed == 3
    change_set = session.get(ChangeSet, result.change_set_id)
    assert (change_set.kind, change_set.label, change_set.user_id) == ("bulk", "Hide: 3 videos", admin_id)
    assert (change_set.reason, change_set.video_count) == ("takedown batch", 3)
    assert change_set.filter == {"scope": "selected", "videos": 5}
    assert _entries(session, result.change_set_id) == {
        "bulk0000004": {"hidden": [False, True]},
        "bulk0000005": {"hidden": [False, True]},
        "bulk0000006": {"hidden": [False, True]},
    }
    hidden = (
        session.execute(select(Video.video_id).where(Video.hidden).order_by(Video.video_id)).scalars().all()
    )
    assert hidden == videos[:6]


def test_all_matching_a_filter_runs_in_chunks_with_progress(
    session: Session, videos: list[str], admin_id: int, monkeypatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 4)
    view, _ = parse_view("channel=Echo")
    target = BulkTarget(filter=view.filter.for_viewer(False))
    calls: list[tuple[int, int]] = []
    result = run_bulk(
        session,
        "administer",
        target,
        user_id=admin_id,
        reason=None,
        progress=lambda d, t: calls.append((d, t)),
    )
    session.commit()
    assert result.changed == 20
    assert calls == [(0, 20), (4, 20), (8, 20), (12, 20), (16, 20), (20, 20)]
    change_set = session.get(ChangeSet, result.change_set_id)
    assert change_set.filter == {"scope": "all matching", "filter": {"channel": ["Echo"]}}
    assert change_set.reason is None
    entries = _entries(session, result.change_set_id)
    assert sorted(entries) == videos[10:]
    stamp = entries["bulk0000011"]["administered_at"][1]
    assert entries["bulk0000011"] == {"administered": [False, True], "administered_at": [None, stamp]}
    assert datetime.fromisoformat(stamp).tzinfo is not None
    administered_at = session.execute(
        select(func.count()).select_from(Video).where(Video.administered, Video.administered_at.is_not(None))
    ).scalar_one()
    assert administered_at == 20


def test_unmarking_clears_the_stamp_and_records_it(
    session: Session, videos: list[str], admin_id: int
) -> None:
    marked = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    session.execute(
        text("UPDATE video SET administered = true, administered_at = :at WHERE video_id = :id"),
        {"at": marked, "id": videos[5]},
    )
    session.commit()
    result = run_bulk(session, "unadminister", BulkTarget(video_ids=tuple(videos[4:7])), user_id=admin_id)
    session.commit()
    assert result.changed == 1
    assert _entries(session, result.change_set_id) == {
        videos[5]: {"administered": [True, False], "administered_at": [marked.isoformat(), None]}
    }


def test_unhiding_records_each_video_and_moves_its_last_synced_time(
    session: Session, videos: list[str], admin_id: int
) -> None:
    before = dict(session.execute(text("SELECT video_id, updated_at FROM video")).all())
    target = BulkTarget(video_ids=tuple(videos[:5]))  # 1, 2 and 3 are hidden
    assert preview(session, "unhide", target) == BulkPreview(matching=5, changing=3)
    result = run_bulk(session, "unhide", target, user_id=admin_id)
    session.commit()
    assert result.changed == 3
    change_set = session.get(ChangeSet, result.change_set_id)
    assert (change_set.label, change_set.video_count, change_set.reason) == ("Unhide: 3 videos", 3, None)
    assert _entries(session, result.change_set_id) == {v: {"hidden": [True, False]} for v in videos[:3]}
    rows = session.execute(
        text(
            "SELECT v.video_id, v.hidden, v.updated_at, s.hidden AS sort_hidden, s.updated_at AS sort_updated, "
            "m.sync_time FROM video v JOIN video_sort s ON s.video_pk = v.id "
            "LEFT JOIN metadata_sync m ON m.video_id = v.video_id AND m.change_set_id = :cs ORDER BY v.video_id"
        ),
        {"cs": result.change_set_id},
    ).all()
    for row in rows:
        assert (row.hidden, row.sort_hidden, row.sort_updated) == (False, False, row.updated_at)
        # "Last synced" is the newest entry's time; a video the action left alone keeps its own
        assert row.updated_at == (row.sync_time if row.video_id in videos[:3] else before[row.video_id])


def test_unmarking_records_only_the_fields_that_change(
    session: Session, videos: list[str], admin_id: int
) -> None:
    stale = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # a stamp left behind on a video not administered
    session.execute(
        text("UPDATE video SET administered_at = :at WHERE video_id = :id"), {"at": stale, "id": videos[8]}
    )
    session.execute(text("UPDATE video SET administered = true WHERE video_id = :id"), {"id": videos[9]})
    session.commit()
    target = BulkTarget(video_ids=tuple(videos[7:10]))
    assert preview(session, "unadminister", target) == BulkPreview(matching=3, changing=2)
    result = run_bulk(session, "unadminister", target, user_id=admin_id)
    session.commit()
    assert result.changed == 2
    assert session.get(ChangeSet, result.change_set_id).label == "Unmark administered: 2 videos"
    assert _entries(session, result.change_set_id) == {
        videos[8]: {"administered_at": [stale.isoformat(), None]},
        videos[9]: {"administered": [True, False]},
    }


def _catalog_state(session: Session) -> dict[str, list[tuple]]:
    queries = {
        "video": "SELECT video_id, hidden, administered, administered_at, updated_at FROM video ORDER BY id",
        "video_sort": "SELECT video_pk, video_id, views, updated_at, hidden FROM video_sort ORDER BY video_pk",
        "change_set": "SELECT id FROM change_set",
        "metadata_sync": "SELECT id FROM metadata_sync",
    }
    return {name: [tuple(row) for row in session.execute(text(sql))] for name, sql in queries.items()}


def test_a_chunk_that_fails_leaves_nothing_of_the_action_behind(
    session: Session, engine: Engine, videos: list[str], admin_id: int, monkeypatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 4)
    session.commit()  # the admin
    before = _catalog_state(session)
    session.commit()
    view, _ = parse_view("channel=Echo")  # videos 11 to 30: chunks 11-14, 15-18, 19-22, …
    calls: list[int] = []
    # The acting connection gives up on a row lock after 300 ms, whatever its transactions do.
    impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=300"})
    try:
        with Session(impatient) as acting, Session(engine) as task:
            # Another transaction (a task, a report merge) holds the third chunk's first video.
            task.execute(text("SELECT 1 FROM video WHERE video_id = :id FOR UPDATE"), {"id": videos[18]})
            with pytest.raises(OperationalError, match="lock timeout"):
                run_bulk(
                    acting,
                    "administer",
                    BulkTarget(filter=view.filter.for_viewer(False)),
                    user_id=admin_id,
                    progress=lambda done, total: calls.append(done),
                )
            acting.rollback()  # what the caller does (db.session_scope)
            task.rollback()
    finally:
        impatient.dispose()
    assert calls == [0, 4, 8]  # two chunks were written before the third one failed
    assert _catalog_state(session) == before


def test_nothing_to_change_writes_nothing(session: Session, videos: list[str], admin_id: int) -> None:
    result = run_bulk(session, "hide", BulkTarget(video_ids=tuple(videos[:3])), user_id=admin_id)
    session.commit()
    assert (result.change_set_id, result.changed) == (None, 0)
    assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == 0


def test_a_filter_never_reaches_videos_its_user_cannot_see(
    session: Session, videos: list[str], admin_id: int
) -> None:
    target = BulkTarget(filter=VideoFilter(hidden="include").for_viewer(False))
    assert preview(session, "unhide", target) == BulkPreview(matching=27, changing=0)
    admin_target = BulkTarget(filter=VideoFilter(hidden="only").for_viewer(True))
    assert preview(session, "unhide", admin_target) == BulkPreview(matching=3, changing=3)


def test_bad_requests_are_refused_clearly(session: Session, videos: list[str]) -> None:
    with pytest.raises(BulkError) as empty:
        run_bulk(session, "hide", BulkTarget(), user_id=None)
    assert str(empty.value) == "Select at least one video."
    with pytest.raises(BulkError) as unknown:
        preview(session, "explode", BulkTarget(video_ids=("x",)))
    assert str(unknown.value) == "Unknown bulk action 'explode'."


def test_enqueue_a_task_type_for_all_matching(
    session: Session, videos: list[str], admin_id: int, monkeypatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 7)
    view, _ = parse_view("channel=Nova")
    target = BulkTarget(filter=view.filter.for_viewer(False))
    calls: list[tuple[int, int]] = []
    assert enqueue_bulk(
        session, target, "metadata_sync", user_id=admin_id, progress=lambda d, t: calls.append((d, t))
    ) == (7, 0)
    session.commit()
    assert calls == [(0, 7), (7, 7)]
    assert enqueue_bulk(session, target, "metadata_sync", user_id=admin_id) == (0, 7)
    session.commit()
    tasks = session.execute(select(ProcessingQueue.video_id, ProcessingQueue.created_by)).all()
    assert sorted(tasks) == [(video_id, admin_id) for video_id in videos[3:10]]
