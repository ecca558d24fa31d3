"""What /queue calls: QueueState's handlers against the real database, the cancel-by-filter service, and
how tasks read on the page (counts, throughput, detail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

import catalog_ui.catalog_ui  # noqa: F401 - registers every page and state
import catalog_ui.state.queue as queue_state
from catalog_ui.models import ProcessingQueue
from catalog_ui.services import queue
from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.state.queue import QueueState
from catalog_ui.state.queue_display import (
    retries_text,
    seconds_text,
    task_detail,
    throughput_points,
    throughput_summary,
    trim,
)
from tests.states import state_for

LEASE = 300


def add_videos(session: Session, count: int) -> list[str]:
    ids = [f"qp{n:09d}" for n in range(count)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title) SELECT id, 'Song ' || id FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids},
    )
    session.commit()
    return ids


def status_of(session: Session, task_id: int) -> str:
    session.expire_all()
    return session.get(ProcessingQueue, task_id).status


def said(result: Any) -> str:
    return repr(result)


@pytest.fixture
def people(session: Session) -> dict[str, tuple[int, str]]:
    """An admin and a user, each with an open session: name → (user id, session token)."""
    found = {}
    for name, admin in (("ana", True), ("bo", False)):
        user = create_user(session, f"{name}@example.com", "correct-horse-42", admin=admin)
        token, _ = open_session(session, user, "127.0.0.1", "pytest", "flask-security")
        found[name] = (user.id, token)
    session.commit()
    return found


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The task types the page woke workers for (no broker is touched)."""
    calls: list[str] = []
    monkeypatch.setattr(queue_state, "wake_workers", lambda types: calls.extend(types))
    return calls


def page_for(token: str) -> QueueState:
    return state_for(QueueState, token)


def seed(session: Session, people) -> dict[str, Any]:
    """Five videos: a completed sync with changes, a failed sync, a running one, two pending (one of bo's)."""
    ids = add_videos(session, 5)
    ana, bo = people["ana"][0], people["bo"][0]
    done, _ = queue.enqueue(session, ids[0], "metadata_sync", created_by=ana)
    failed, _ = queue.enqueue(session, ids[1], "metadata_sync", created_by=ana)
    session.commit()
    queue.claim(session, "metadata_sync", 2, "w1", LEASE)
    queue.complete(
        session,
        done.id,
        "w1",
        {
            "changes": {"views": [10, 1500], "title": ["Old", "New"]},
            "fields_changed": ["title", "views"],
            "change_set_id": None,
        },
    )
    queue.fail_permanently(session, failed.id, "w1", "video not found on YouTube")
    running, _ = queue.enqueue(session, ids[2], "ownership_update")
    session.commit()
    queue.claim(session, "ownership_update", 1, "w2", LEASE)
    waiting, _ = queue.enqueue(session, ids[3], "metadata_sync", created_by=bo)
    other, _ = queue.enqueue(session, ids[4], "asset_enrichment", priority=5)
    session.commit()
    return {
        "ids": ids,
        "done": done.id,
        "failed": failed.id,
        "running": running.id,
        "waiting": waiting.id,
        "other": other.id,
    }


# -- the service the page's "cancel all matching" uses ---------------------------------------------------


def test_cancel_by_filter_touches_only_matching_pending_tasks(session: Session, people) -> None:
    ids = add_videos(session, 5)
    bo = people["bo"][0]
    queue.enqueue_many(session, ids[:3], "metadata_sync", created_by=bo)
    queue.enqueue_many(session, ids[3:], "metadata_sync")
    queue.enqueue(session, ids[0], "ownership_update", created_by=bo)
    session.commit()
    running = queue.claim(session, "metadata_sync", 1, "w1", LEASE)[0]  # ids[0], bo's
    session.commit()

    assert queue.cancel(session, task_type="metadata_sync", created_by=bo) == 2
    assert queue.cancel(session, video_id=ids[3]) == 1
    assert queue.cancel(session, []) == 0
    session.commit()

    by_video = {
        (t["video_id"], t["task_type"]): t["status"] for t in queue.list_tasks(session, per_page=50).rows
    }
    assert by_video == {
        (ids[0], "metadata_sync"): "processing",
        (ids[1], "metadata_sync"): "cancelled",
        (ids[2], "metadata_sync"): "cancelled",
        (ids[3], "metadata_sync"): "cancelled",
        (ids[4], "metadata_sync"): "pending",
        (ids[0], "ownership_update"): "pending",
    }
    assert status_of(session, running.id) == "processing"
    assert queue.cancel(session) == 2  # everything still pending
    with pytest.raises(queue.QueueError):
        queue.cancel(session, task_type="bogus")


# -- QueueState ---------------------------------------------------------------------------------------


def test_the_page_shows_counts_filters_and_a_tasks_detail(session: Session, people) -> None:
    tasks = seed(session, people)
    state = page_for(people["bo"][1])
    QueueState.load.fn(state)

    by_type = {row.task_type: row for row in state.count_rows}
    assert (by_type["metadata_sync"].completed, by_type["metadata_sync"].failed) == ("1", "1")
    assert (by_type["metadata_sync"].pending, by_type["ownership_update"].processing) == ("1", "1")
    assert (state.count_total.total, state.count_total.pending) == ("5", "2")
    assert len(state.throughput) == 15
    assert state.throughput[-1]["minute"] == "now"
    assert sum(p["completed"] for p in state.throughput) == sum(p["failed"] for p in state.throughput) == 1
    assert [r.id for r in state.rows] == [
        tasks["other"],
        tasks["waiting"],
        tasks["running"],
        tasks["failed"],
        tasks["done"],
    ]
    assert state.total_label == "5 tasks"
    failed_row = next(r for r in state.rows if r.id == tasks["failed"])
    assert (failed_row.status, failed_row.error, failed_row.video_title) == (
        "failed",
        "video not found on YouTube",
        f"Song {tasks['ids'][1]}",
    )

    QueueState.set_status_filter.fn(state, "failed")
    assert [r.id for r in state.rows] == [tasks["failed"]]
    QueueState.show_cell.fn(state, "all", "pending")
    assert (state.type_filter, [r.id for r in state.rows]) == ("all", [tasks["other"], tasks["waiting"]])
    QueueState.only_mine.fn(state)
    assert (state.creator_filter, [r.id for r in state.rows]) == ("bo@example.com", [tasks["waiting"]])
    QueueState.set_creator_filter.fn(state, "nobody@example.com")
    assert state.creator_error == "No user with the e-mail or username 'nobody@example.com'."
    assert (state.rows, state.total) == ([], 0)
    QueueState.clear_filters.fn(state)
    QueueState.set_video_filter.fn(state, f"  {tasks['ids'][2]} ")
    assert [r.id for r in state.rows] == [tasks["running"]]
    assert state.filtered

    assert QueueState.open_detail.fn(state, tasks["done"]) is None
    detail = state.detail
    assert (detail.status, detail.task_type, detail.video_id) == (
        "completed",
        "metadata_sync",
        tasks["ids"][0],
    )
    assert detail.result_summary == "Changed 2 fields: Title, Views."
    assert [(c.label, c.old, c.new) for c in detail.changes] == [
        ("Title", "Old", "New"),
        ("Views", "10", "1,500"),
    ]
    assert detail.started_at and detail.completed_at and detail.ran.endswith(" s")
    assert '"fields_changed"' in detail.result_json
    assert "Task #999999 no longer exists." in said(QueueState.open_detail.fn(state, 999999))
    assert not state.detail_open


def test_admin_actions_change_tasks_and_wake_the_workers(session: Session, people, woken) -> None:
    tasks = seed(session, people)
    state = page_for(people["ana"][1])
    QueueState.load.fn(state)

    assert "back in the queue" in said(QueueState.retry.fn(state, tasks["failed"]))
    assert status_of(session, tasks["failed"]) == "pending"
    assert woken == ["metadata_sync"]
    assert "was not retried" in said(QueueState.retry.fn(state, tasks["failed"]))
    assert "Unknown task." in said(QueueState.retry.fn(state, "x"))

    assert f"Task #{tasks['waiting']} cancelled." in said(QueueState.cancel.fn(state, tasks["waiting"]))
    assert status_of(session, tasks["waiting"]) == "cancelled"
    assert "no longer pending" in said(QueueState.cancel.fn(state, tasks["running"]))
    assert status_of(session, tasks["running"]) == "processing"

    QueueState.open_detail.fn(state, tasks["other"])
    assert state.priority_draft == "5"
    for typed, message in (
        ("high", "Priority must be a whole number of 0 or more."),
        ("-1", "Priority must be a whole number of 0 or more."),
        ("3000000000", "Priority must be at most 2,147,483,647."),
    ):
        QueueState.set_priority_draft.fn(state, typed)
        assert message in said(QueueState.save_priority.fn(state))
    QueueState.set_priority_draft.fn(state, "50")
    assert "now has priority 50" in said(QueueState.save_priority.fn(state))
    assert state.detail.priority == 50
    QueueState.open_detail.fn(state, tasks["running"])
    QueueState.set_priority_draft.fn(state, "9")
    assert "only a waiting task's priority can change" in said(QueueState.save_priority.fn(state))


def test_bulk_retry_and_cancel_follow_the_filters_after_a_confirmation(
    session: Session, people, woken
) -> None:
    ids = add_videos(session, 4)
    queue.enqueue_many(session, ids, "metadata_sync")
    queue.enqueue(session, ids[0], "asset_enrichment")
    session.commit()
    for task in queue.claim(session, "metadata_sync", 3, "w1", LEASE):
        queue.fail_permanently(session, task.id, "w1", "video not found on YouTube")
    session.commit()
    state = page_for(people["ana"][1])
    QueueState.load.fn(state)

    QueueState.set_type_filter.fn(state, "metadata_sync")
    assert QueueState.ask_bulk.fn(state, "retry") is None
    assert state.confirm_open
    assert state.confirm_title == "Retry 3 failed tasks matching type metadata_sync?"
    assert "3 tasks back in the queue." in said(QueueState.confirm_bulk.fn(state))
    assert woken == ["metadata_sync"]
    assert queue.counts_by_status_and_type(session)["metadata_sync"]["pending"] == 4

    QueueState.clear_filters.fn(state)
    QueueState.ask_bulk.fn(state, "cancel")
    assert state.confirm_title == "Cancel 5 pending tasks?"
    QueueState.close_confirm.fn(state)
    assert not state.confirm_open
    QueueState.set_video_filter.fn(state, ids[0])
    QueueState.ask_bulk.fn(state, "cancel")
    assert state.confirm_title == f"Cancel 2 pending tasks matching video {ids[0]}?"
    assert "2 tasks cancelled." in said(QueueState.confirm_bulk.fn(state))
    assert QueueState.confirm_bulk.fn(state) is None  # a double click on Confirm acts once, says nothing more
    assert queue.counts_by_status_and_type(session)["asset_enrichment"]["cancelled"] == 1
    assert "No failed tasks matching video" in said(QueueState.ask_bulk.fn(state, "retry"))


def test_a_user_cannot_run_admin_actions(session: Session, people, woken) -> None:
    tasks = seed(session, people)
    state = page_for(people["bo"][1])
    QueueState.load.fn(state)
    for handler, args in (
        (QueueState.retry, (tasks["failed"],)),
        (QueueState.cancel, (tasks["waiting"],)),
        (QueueState.save_priority, ()),
        (QueueState.ask_bulk, ("cancel",)),
        (QueueState.confirm_bulk, ()),
    ):
        assert "admin role" in said(handler.fn(state, *args))
    assert (status_of(session, tasks["failed"]), status_of(session, tasks["waiting"])) == (
        "failed",
        "pending",
    )
    assert woken == []


def test_open_tabs_share_one_recent_reading_of_the_counts(session: Session) -> None:
    ids = add_videos(session, 2)
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    assert queue_state.read_overview()[0]["metadata_sync"]["pending"] == 1
    queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()
    assert queue_state.read_overview(max_age_s=3600)[0]["metadata_sync"]["pending"] == 1  # reused
    assert queue_state.read_overview()[0]["metadata_sync"]["pending"] == 2  # read again


# -- how tasks read ------------------------------------------------------------------------------------


def test_display_helpers() -> None:
    assert [seconds_text(s) for s in (0.42, 12, 75, 3600, 7260)] == [
        "0.4 s",
        "12 s",
        "1 min 15 s",
        "1 h",
        "2 h 1 min",
    ]
    assert trim("a\n  b") == "a b"
    assert [retries_text(0, 0), retries_text(1, 2), retries_text(2, 1)] == [
        "0 retries · not started yet",
        "1 retry · claimed 2 times",
        "2 retries · claimed 1 time",
    ]
    assert trim("x" * 200) == "x" * 119 + "…"
    minutes = [{"minute": None, "completed": c, "failed": f} for c, f in ((0, 0), (1200, 4), (98, 2))]
    assert [p["minute"] for p in throughput_points(minutes)] == ["-2m", "-1m", "now"]
    assert throughput_summary(minutes) == (
        "1,298 completed · 6 failed in the last 3 min · 1,204/min in the last full minute"
    )
    created = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    task = ProcessingQueue(
        id=7,
        video_id="v",
        task_type="metadata_sync",
        status="completed",
        created_at=created,
        started_at=created + timedelta(seconds=90),
        completed_at=created + timedelta(seconds=90.8),
        result={"changes": {}, "fields_changed": [], "change_set_id": None},
        payload={"reason": "manual"},
    )
    detail = task_detail(task, "Song")
    assert (detail.waited, detail.ran) == ("1 min 30 s", "0.8 s")
    assert detail.result_summary == "Nothing changed: YouTube had the values the catalog already holds."
    assert detail.payload_json == '{\n  "reason": "manual"\n}'
    assert (detail.changes, detail.change_set_id, detail.lease_expires_at) == ([], 0, "")
