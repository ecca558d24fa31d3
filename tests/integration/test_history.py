"""A video's timeline: newest first with its source, field filter, archived entries on demand, pages, views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from catalog_ui.models import MetadataSync, Video
from catalog_ui.models.audit import CREATED
from catalog_ui.services.audit import open_change_set
from catalog_ui.services.history import (
    HistoryError,
    archived_entry_count,
    history_fields,
    video_timeline,
    views_series,
)
from catalog_ui.services.queue import enqueue
from catalog_ui.services.users import create_user
from catalog_ui.state.history_display import source_text

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _entry(session, change_set, video_id: str, changes: dict, at: datetime) -> None:
    session.add(MetadataSync(video_id=video_id, changes=changes, change_set_id=change_set.id, sync_time=at))
    change_set.video_count += 1
    session.flush()


def _archive_before(session, cutoff: datetime) -> None:
    session.execute(
        text(
            "INSERT INTO metadata_sync_archive (id, video_id, channel_display_name, video_title, sync_time, "
            "changes, change_set_id) SELECT id, video_id, channel_display_name, video_title, sync_time, "
            "changes, change_set_id FROM metadata_sync WHERE sync_time < :cutoff"
        ),
        {"cutoff": cutoff},
    )
    session.execute(text("DELETE FROM metadata_sync WHERE sync_time < :cutoff"), {"cutoff": cutoff})


@pytest.fixture
def story(session):
    """vid00000001 created by a report, its views changed by a task, hidden in a bulk action by Ana."""
    ana = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    for n in range(1, 5):
        session.add(Video(video_id=f"vid0000000{n}", title=f"Song {n}", views=100 * n))
    session.flush()
    report = open_change_set(session, "report", label="cms_videos_2026-03-01.csv.gz")
    _entry(session, report, "vid00000001", {CREATED: [None, "report"]}, T0)
    task = open_change_set(session, "task", label="metadata_sync")
    _entry(
        session,
        task,
        "vid00000001",
        {"views": [100, 250], "title": ["Song 1", "Song One"]},
        T0 + timedelta(hours=1),
    )
    bulk = open_change_set(session, "bulk", label="Hide", user_id=ana.id, reason="takedown batch")
    for n in range(1, 5):
        _entry(session, bulk, f"vid0000000{n}", {"hidden": [False, True]}, T0 + timedelta(hours=2))
    session.commit()
    return {"ana": ana, "report": report, "task": task, "bulk": bulk}


def test_timeline_is_newest_first_with_sources(session, story) -> None:
    page = video_timeline(session, "vid00000001")
    assert page.total == 3
    assert [e.kind for e in page.entries] == ["bulk", "task", "report"]
    bulk, task, created = page.entries
    assert (bulk.user, bulk.reason, bulk.video_count, bulk.label) == ("ana", "takedown batch", 4, "Hide")
    assert [(c.field, c.old, c.new) for c in bulk.changes] == [("hidden", False, True)]
    assert bulk.sync_time == T0 + timedelta(hours=2)
    # Fields come in the order of the video's columns, whatever order the JSON kept.
    assert [(c.field, c.old, c.new) for c in task.changes] == [
        ("title", "Song 1", "Song One"),
        ("views", 100, 250),
    ]
    assert task.user is None and task.change_set_id == story["task"].id
    assert created.created and not task.created
    assert created.label == "cms_videos_2026-03-01.csv.gz"
    assert not any(e.archived for e in page.entries)


def test_a_tasks_entry_names_who_queued_the_task(session, story) -> None:
    # A task changes a video because somebody queued it: the timeline says who, as it does for a user's
    # edit; a task whose change set lost its task (or a report) names nobody.
    bo = create_user(session, "bo@example.com", "correct-horse-42")
    task, _ = enqueue(session, "vid00000002", "metadata_sync", created_by=bo.id)
    change_set = open_change_set(session, "task", task_id=task.id, label=f"metadata_sync #{task.id}")
    _entry(session, change_set, "vid00000002", {"views": [200, 210]}, T0 + timedelta(hours=3))
    session.commit()

    queued, _ = video_timeline(session, "vid00000002").entries
    assert (queued.user, queued.requested_by) == (None, "bo")
    assert source_text(queued) == f"Task metadata_sync #{task.id}, queued by bo"
    unknown = video_timeline(session, "vid00000001", field="views").entries[0]
    assert unknown.requested_by is None and source_text(unknown) == "Task metadata_sync"


def test_timeline_filters_by_field(session, story) -> None:
    assert [e.kind for e in video_timeline(session, "vid00000001", field="views").entries] == ["task"]
    assert [e.kind for e in video_timeline(session, "vid00000001", field=CREATED).entries] == ["report"]
    assert video_timeline(session, "vid00000001", field="notes").total == 0
    with pytest.raises(HistoryError, match="'views; DROP TABLE video' is not a video field"):
        video_timeline(session, "vid00000001", field="views; DROP TABLE video")
    assert history_fields(session, "vid00000001") == ["title", "views", "hidden", CREATED]


def test_archived_entries_are_included_on_demand(session, story) -> None:
    _archive_before(session, T0 + timedelta(minutes=90))
    session.commit()
    assert archived_entry_count(session, "vid00000001") == 2
    live = video_timeline(session, "vid00000001")
    assert [e.kind for e in live.entries] == ["bulk"] and live.total == 1
    both = video_timeline(session, "vid00000001", include_archived=True)
    assert both.total == 3
    assert [(e.kind, e.archived) for e in both.entries] == [("bulk", False), ("task", True), ("report", True)]
    assert [
        e.kind for e in video_timeline(session, "vid00000001", field="views", include_archived=True).entries
    ] == ["task"]
    assert history_fields(session, "vid00000001") == ["hidden"]
    assert history_fields(session, "vid00000001", include_archived=True) == [
        "title",
        "views",
        "hidden",
        CREATED,
    ]


def test_timeline_pages_through_thousands_of_entries(session) -> None:
    session.add(Video(video_id="busy0000001", views=0))
    session.flush()
    task = open_change_set(session, "task", label="metadata_sync")
    session.execute(
        text(
            "INSERT INTO metadata_sync (video_id, sync_time, changes, change_set_id) "
            "SELECT 'busy0000001', :t0 + n * interval '1 minute', "
            "jsonb_build_object('views', jsonb_build_array(n - 1, n)), :cs FROM generate_series(1, 2500) n"
        ),
        {"t0": T0, "cs": task.id},
    )
    session.commit()
    first = video_timeline(session, "busy0000001", per_page=100)
    assert (first.total, first.pages) == (2500, 25)
    assert [e.changes[0].new for e in first.entries[:3]] == [2500, 2499, 2498]
    last = video_timeline(session, "busy0000001", page=25, per_page=100)
    assert [e.changes[0].new for e in last.entries][-2:] == [2, 1]
    assert video_timeline(session, "busy0000001", page=26, per_page=100).entries == []


def test_views_series_starts_at_creation_and_thins_long_histories(session, story) -> None:
    task = story["task"]
    _entry(session, task, "vid00000001", {"views": [250, 400]}, T0 + timedelta(hours=3))
    session.commit()
    assert views_series(session, "vid00000001") == [
        (T0, 100),
        (T0 + timedelta(hours=1), 250),
        (T0 + timedelta(hours=3), 400),
    ]
    # vid00000002 has no recorded views change: no series.
    assert views_series(session, "vid00000002") == []

    session.execute(
        text(
            "INSERT INTO metadata_sync (video_id, sync_time, changes, change_set_id) "
            "SELECT 'vid00000002', :t0 + n * interval '1 day', "
            "jsonb_build_object('views', jsonb_build_array(n * 10 - 10, n * 10)), :cs FROM generate_series(1, 1000) n"
        ),
        {"t0": T0, "cs": task.id},
    )
    session.commit()
    thinned = views_series(session, "vid00000002", max_points=100)
    assert len(thinned) == 101
    assert thinned[0] == (T0 + timedelta(days=1), 10)
    assert thinned[1] == (T0 + timedelta(days=11), 110)
    assert thinned[-1] == (T0 + timedelta(days=1000), 10000)


def test_views_series_reads_archived_points_on_demand(session, story) -> None:
    _archive_before(session, T0 + timedelta(minutes=90))
    session.commit()
    assert views_series(session, "vid00000001") == []
    assert views_series(session, "vid00000001", include_archived=True) == [
        (T0, 100),
        (T0 + timedelta(hours=1), 250),
    ]
