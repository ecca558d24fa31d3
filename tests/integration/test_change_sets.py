"""The /audit list: newest first, filters by kind, user and time, a capped count, detail fields and entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from catalog_ui.services import change_sets
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.change_sets import (
    ChangeSetError,
    change_set_entries,
    change_set_fields,
    get_change_set,
    list_change_sets,
    user_choices,
)
from catalog_ui.services.history import video_timeline
from catalog_ui.services.rollback import ChangeSetTarget, EntryTarget, apply
from catalog_ui.services.users import create_user

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def log(session):
    """Three videos; a report, a bulk hide by Ana, a task Bo queued, and Bo's note edit, a day apart."""
    ana = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    bo = create_user(session, "bo@example.com", "correct-horse-42")
    session.execute(
        text(
            "INSERT INTO video (video_id, title, views) SELECT 'vid0000000' || n, 'Song ' || n, n FROM generate_series(1, 3) n"
        )
    )
    report = open_change_set(session, "report", label="day1.csv")
    for n in (1, 2, 3):
        apply_changes(session, report, f"vid0000000{n}", {"views": 100 + n, "title": f"Title {n}"})
    bulk = open_change_set(session, "bulk", label="Hide: 2 videos", user_id=ana.id, reason="takedown batch")
    for n in (1, 2):
        apply_changes(session, bulk, f"vid0000000{n}", {"hidden": True}, allow_user_fields=True)
    queued = session.execute(
        text(
            "INSERT INTO processing_queue (video_id, task_type, status, created_by) "
            "VALUES ('vid00000003', 'metadata_sync', 'completed', :bo) RETURNING id"
        ),
        {"bo": bo.id},
    ).scalar_one()
    task = open_change_set(session, "task", label="metadata_sync", task_id=queued)
    apply_changes(session, task, "vid00000003", {"views": 500})
    note = open_change_set(session, "user", label="Edit notes", user_id=bo.id)
    apply_changes(session, note, "vid00000001", {"notes": "check"}, allow_user_fields=True)
    for day, cs in enumerate((report, bulk, task, note)):
        session.execute(
            text("UPDATE change_set SET created_at = :t WHERE id = :id"),
            {"t": T0 + timedelta(days=day), "id": cs.id},
        )
    session.commit()
    return {"ana": ana, "bo": bo, "report": report, "bulk": bulk, "task": task, "note": note}


def _ids(page) -> list[int]:
    return [row["id"] for row in page.rows]


def test_newest_first_with_who_what_why_and_how_many(session, log) -> None:
    page = list_change_sets(session, include_hidden=True)
    assert (page.total, page.total_capped, page.pages) == (4, False, 1)
    assert _ids(page) == [log[k].id for k in ("note", "task", "bulk", "report")]
    bulk = page.rows[2]
    assert (bulk["kind"], bulk["label"], bulk["user_name"], bulk["reason"], bulk["video_count"]) == (
        "bulk",
        "Hide: 2 videos",
        "ana",
        "takedown batch",
        2,
    )
    assert bulk["created_at"] == T0 + timedelta(days=1)
    assert page.rows[3]["user_name"] is None and page.rows[3]["video_count"] == 3
    assert (page.rows[1]["user_name"], page.rows[1]["requested_by"]) == (None, "bo")  # the task Bo queued
    assert page.rows[3]["requested_by"] is None


def test_a_user_does_not_see_change_sets_that_only_touched_hidden_videos(session, log) -> None:
    # The bulk hide and Bo's note touched only the videos now hidden (vid1, vid2): they exist for admins only.
    page = list_change_sets(session, include_hidden=False)
    assert (_ids(page), page.total) == ([log["task"].id, log["report"].id], 2)
    assert get_change_set(session, log["note"].id, include_hidden=False) is None
    assert get_change_set(session, log["report"].id, include_hidden=False)["label"] == "day1.csv"
    empty = open_change_set(session, "bulk", label="Hide: 0 videos", user_id=log["ana"].id)
    session.commit()
    assert get_change_set(session, empty.id, include_hidden=False)["video_count"] == 0


def test_filters_by_kind_user_and_period(session, log) -> None:
    assert _ids(list_change_sets(session, include_hidden=True, kind="bulk")) == [log["bulk"].id]
    # Bo's changes: his note, and the task he queued.
    assert _ids(list_change_sets(session, include_hidden=True, user_id=log["bo"].id)) == [
        log["note"].id,
        log["task"].id,
    ]
    period = list_change_sets(
        session, include_hidden=True, since=T0 + timedelta(days=1), until=T0 + timedelta(days=3)
    )
    assert _ids(period) == [log["task"].id, log["bulk"].id]
    assert list_change_sets(session, include_hidden=True, kind="user", user_id=log["ana"].id).total == 0
    with pytest.raises(ChangeSetError, match="Unknown kind 'nope'"):
        list_change_sets(session, include_hidden=True, kind="nope")
    with pytest.raises(ChangeSetError, match="The end of the period must come after its start"):
        list_change_sets(session, include_hidden=True, since=T0, until=T0)
    assert user_choices(session) == [(log["ana"].id, "ana"), (log["bo"].id, "bo")]


def test_pages_and_a_capped_count(session, log, monkeypatch) -> None:
    first, second = (
        list_change_sets(session, include_hidden=True, per_page=3),
        list_change_sets(session, include_hidden=True, per_page=3, page=2),
    )
    assert _ids(first) + _ids(second) == [log[k].id for k in ("note", "task", "bulk", "report")]
    assert first.pages == 2
    monkeypatch.setattr(change_sets, "COUNT_CAP", 2)
    capped = list_change_sets(session, include_hidden=True, per_page=1)
    assert (capped.total, capped.total_capped, capped.pages, len(capped.rows)) == (2, True, 2, 1)


def test_detail_fields_entries_and_which_rollback_undid_it(session, log) -> None:
    report = log["report"].id
    assert change_set_fields(session, report, include_hidden=True) == [("title", 3), ("views", 3)]
    page = change_set_entries(session, report, include_hidden=True, per_page=2)
    assert (page.total, page.pages) == (3, 2)
    assert [(e.video_id, e.video_title) for e in page.entries] == [
        ("vid00000001", "Title 1"),
        ("vid00000002", "Title 2"),
    ]
    assert [(c.field, c.old, c.new) for c in page.entries[0].changes] == [
        ("title", "Song 1", "Title 1"),
        ("views", 1, 101),
    ]
    # Archived entries still belong to their change set.
    session.execute(
        text(
            "INSERT INTO metadata_sync_archive (id, video_id, video_title, sync_time, changes, change_set_id) "
            "SELECT id, video_id, video_title, sync_time, changes, change_set_id FROM metadata_sync "
            "WHERE change_set_id = :cs AND video_id = 'vid00000003'"
        ),
        {"cs": report},
    )
    session.execute(
        text("DELETE FROM metadata_sync WHERE change_set_id = :cs AND video_id = 'vid00000003'"),
        {"cs": report},
    )
    session.commit()
    last = change_set_entries(session, report, include_hidden=True, page=2, per_page=2)
    assert [(e.video_id, e.archived) for e in last.entries] == [("vid00000003", True)]

    # Hidden videos (the bulk hid 1 and 2) exist only for admins, in the audit log too.
    visible = change_set_entries(session, report, include_hidden=False)
    assert ([e.video_id for e in visible.entries], visible.total) == (["vid00000003"], 1)

    assert get_change_set(session, log["bulk"].id, include_hidden=True)["reverted_by"] is None
    undo = apply(session, ChangeSetTarget(log["bulk"].id), user_id=log["ana"].id)
    session.commit()
    assert get_change_set(session, log["bulk"].id, include_hidden=True)["reverted_by"] == undo.change_set_id
    assert (
        get_change_set(session, undo.change_set_id, include_hidden=True)["reverts_change_set_id"]
        == log["bulk"].id
    )
    assert get_change_set(session, 999999, include_hidden=True) is None

    # One entry of the report's three reverted: the report is not "undone by" it; the task's only one is.
    entry_of = {
        cs: session.execute(
            text("SELECT min(id) FROM metadata_sync WHERE change_set_id = :cs"), {"cs": cs}
        ).scalar_one()
        for cs in (report, log["task"].id)
    }
    apply(session, EntryTarget(entry_of[report]), user_id=log["ana"].id)
    task_undo = apply(session, EntryTarget(entry_of[log["task"].id]), user_id=log["ana"].id)
    session.commit()
    assert get_change_set(session, report, include_hidden=True)["reverted_by"] is None
    assert (
        get_change_set(session, log["task"].id, include_hidden=True)["reverted_by"] == task_undo.change_set_id
    )


def test_a_user_counts_only_the_visible_videos_of_a_change_set(session, log) -> None:
    # vid1 and vid2 are hidden: the report touched three videos, but only one exists for a user.
    mixed = open_change_set(session, "task", label="asset_enrichment")
    apply_changes(session, mixed, "vid00000001", {"label": "Hidden Records"})
    apply_changes(session, mixed, "vid00000003", {"views": 900})
    # One of the hidden videos' report entries was archived: it still counts as hidden.
    session.execute(
        text(
            "WITH moved AS (DELETE FROM metadata_sync WHERE change_set_id = :cs AND video_id = 'vid00000002' "
            "RETURNING id, video_id, sync_time, changes, change_set_id) "
            "INSERT INTO metadata_sync_archive (id, video_id, sync_time, changes, change_set_id) "
            "SELECT * FROM moved"
        ),
        {"cs": log["report"].id},
    )
    session.commit()
    report, task = log["report"].id, mixed.id

    def count(change_set_id: int, include_hidden: bool) -> int:
        return get_change_set(session, change_set_id, include_hidden=include_hidden)["video_count"]

    assert (count(report, True), count(task, True)) == (3, 2)
    assert (count(report, False), count(task, False)) == (1, 1)
    listed = {row["id"]: row["video_count"] for row in list_change_sets(session, include_hidden=False).rows}
    assert (listed[report], listed[task]) == (1, 1)
    assert change_set_fields(session, report, include_hidden=False) == [("title", 1), ("views", 1)]
    assert change_set_fields(session, task, include_hidden=False) == [("views", 1)]
    assert change_set_fields(session, task, include_hidden=True) == [("label", 1), ("views", 1)]

    # The video page's "with N others" too.
    def others(include_hidden: bool) -> dict[int, int]:
        page = video_timeline(session, "vid00000003", include_hidden=include_hidden)
        return {entry.change_set_id: entry.video_count for entry in page.entries}

    assert others(True) == {report: 3, task: 2, log["task"].id: 1}
    assert others(False) == {report: 1, task: 1, log["task"].id: 1}
    entries = change_set_entries(session, report, include_hidden=False).entries
    assert [(e.video_id, e.video_count) for e in entries] == [("vid00000003", 1)]
