"""The queue service on real PostgreSQL: transitions and their compare-and-set refusals, dedup, priority,
set-based enqueue, leases, pauses and the Queue page's helpers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog_ui.models import ProcessingQueue, Video, utc_now
from catalog_ui.services import queue

LEASE = 60


def add_videos(session: Session, count: int, prefix: str = "v") -> list[str]:
    """Insert `count` videos with 11-character ids and return the ids."""
    ids = [f"{prefix}{n:0{11 - len(prefix)}d}" for n in range(count)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title) SELECT id, 'Video ' || id FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids},
    )
    session.commit()
    return ids


def add_user(session: Session) -> int:
    user_id = session.execute(
        text("""INSERT INTO "user" (email, username) VALUES ('ops@example.com', 'ops') RETURNING id""")
    ).scalar_one()
    session.commit()
    return user_id


def task_row(session: Session, task_id: int) -> ProcessingQueue:
    session.expire_all()
    return session.get(ProcessingQueue, task_id)


def claim_one(session: Session, task_type: str = "metadata_sync", worker: str = "w1") -> queue.ClaimedTask:
    claimed = queue.claim(session, task_type, 1, worker, LEASE)
    session.commit()
    assert len(claimed) == 1
    return claimed[0]


# -- enqueue and dedup ---------------------------------------------------------------------------------


def test_enqueue_creates_a_pending_task_recording_its_creator(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    user_id = add_user(session)

    task, created = queue.enqueue(
        session, video_id, "metadata_sync", priority=3, payload={"why": "test"}, created_by=user_id
    )
    session.commit()

    assert created
    stored = task_row(session, task.id)
    assert (stored.status, stored.priority, stored.created_by) == ("pending", 3, user_id)
    assert stored.payload == {"why": "test"}
    assert stored.retry_count == 0 and stored.attempts == 0 and stored.started_at is None


def test_enqueue_again_returns_the_active_task_and_raises_its_priority(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    first, _ = queue.enqueue(session, video_id, "metadata_sync", priority=1)
    session.commit()

    again, created = queue.enqueue(session, video_id, "metadata_sync", priority=7)
    lower, created_lower = queue.enqueue(session, video_id, "metadata_sync", priority=0)
    other_type, created_other = queue.enqueue(session, video_id, "ownership_update")
    session.commit()

    assert not created and not created_lower and created_other
    assert again.id == lower.id == first.id != other_type.id
    assert task_row(session, first.id).priority == 7


def test_a_finished_task_does_not_block_a_new_one(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    first, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    claimed = claim_one(session)
    assert queue.complete(session, claimed.id, "w1", {"changes": {}})
    session.commit()

    second, created = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    assert created and second.id != first.id


def test_the_partial_unique_index_refuses_a_second_active_task(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    with pytest.raises(IntegrityError, match="uq_queue_active_task"):
        session.execute(
            text("INSERT INTO processing_queue (video_id, task_type) VALUES (:v, 'metadata_sync')"),
            {"v": video_id},
        )
    session.rollback()


def test_enqueue_refuses_unknown_videos_types_and_priorities(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    with pytest.raises(queue.QueueError, match="not in the catalog"):
        queue.enqueue(session, "missing0000", "metadata_sync")
    with pytest.raises(queue.QueueError, match="Unknown task type"):
        queue.enqueue(session, video_id, "reboot")
    with pytest.raises(queue.QueueError, match="Priority"):
        queue.enqueue(session, video_id, "metadata_sync", priority=-1)


def test_enqueue_many_from_a_list_is_one_statement_and_deduplicates(session: Session) -> None:
    ids = add_videos(session, 5000)
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()

    created, existing = queue.enqueue_many(
        session, [*ids, ids[1], "unknown0000"], "metadata_sync", priority=2, created_by=None
    )
    session.commit()

    assert (created, existing) == (4999, 1)
    count = session.execute(
        select(ProcessingQueue.id).where(ProcessingQueue.task_type == "metadata_sync")
    ).all()
    assert len(count) == 5000
    assert queue.enqueue_many(session, ids, "metadata_sync") == (0, 5000)
    assert queue.enqueue_many(session, [], "metadata_sync") == (0, 0)


def test_enqueue_many_from_a_catalog_filter(session: Session) -> None:
    add_videos(session, 300, prefix="a")
    add_videos(session, 200, prefix="b")
    user_id = add_user(session)
    wanted = select(Video.video_id).where(Video.video_id.like("b%"))

    created, existing = queue.enqueue_many(
        session, wanted, "ownership_update", priority=4, payload={"source": "filter"}, created_by=user_id
    )
    session.commit()

    assert (created, existing) == (200, 0)
    rows = session.execute(
        select(
            ProcessingQueue.video_id,
            ProcessingQueue.priority,
            ProcessingQueue.created_by,
            ProcessingQueue.payload,
        )
    ).all()
    assert len(rows) == 200
    assert {r.video_id[0] for r in rows} == {"b"}
    assert {(r.priority, r.created_by, r.payload["source"]) for r in rows} == {(4, user_id, "filter")}


# -- claim: priority, order, exclusivity -----------------------------------------------------------------


def test_claim_takes_highest_priority_then_oldest(session: Session) -> None:
    ids = add_videos(session, 3000)
    queue.enqueue_many(session, ids[:2990], "metadata_sync")
    session.commit()
    urgent, _ = queue.enqueue(session, ids[2995], "metadata_sync", priority=9)
    middle, _ = queue.enqueue(session, ids[2996], "metadata_sync", priority=5)
    session.commit()

    first = queue.claim(session, "metadata_sync", 1, "w1", LEASE)
    second = queue.claim(session, "metadata_sync", 3, "w1", LEASE)
    session.commit()

    assert [t.id for t in first] == [urgent.id]
    assert second[0].id == middle.id
    oldest = session.execute(
        select(ProcessingQueue.id).where(ProcessingQueue.priority == 0).order_by(ProcessingQueue.id).limit(2)
    ).scalars()
    assert [t.id for t in second[1:]] == list(oldest)


def test_claim_marks_processing_under_a_lease(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    claimed = claim_one(session, worker="host:1:abc")

    stored = task_row(session, task.id)
    assert claimed.id == task.id and claimed.attempts == 1
    assert stored.status == "processing" and stored.worker_id == "host:1:abc"
    assert stored.started_at is not None
    assert (
        timedelta(seconds=LEASE - 5) < stored.lease_expires_at - stored.started_at <= timedelta(seconds=LEASE)
    )
    assert queue.claim(session, "metadata_sync", 10, "w2", LEASE) == []


def test_claim_only_takes_its_task_type(session: Session) -> None:
    ids = add_videos(session, 2)
    queue.enqueue(session, ids[0], "ownership_update")
    queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()

    claimed = queue.claim(session, "ownership_update", 10, "w1", LEASE)

    assert [t.video_id for t in claimed] == [ids[0]]


def test_concurrent_claims_never_share_a_task(engine: Engine, session: Session) -> None:
    ids = add_videos(session, 600)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    taken: list[list[int]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        while True:
            with Session(engine) as own:
                batch = queue.claim(own, "metadata_sync", 7, f"w{n}", LEASE)
                own.commit()
            if not batch:
                return
            with lock:
                taken.append([t.id for t in batch])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    flat = [task_id for batch in taken for task_id in batch]
    assert len(flat) == len(set(flat)) == 600
    assert all(len(batch) <= 7 for batch in taken)


def test_claim_skips_rows_another_transaction_holds(engine: Engine, session: Session) -> None:
    ids = add_videos(session, 10)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()

    with Session(engine) as holder:
        held = queue.claim(holder, "metadata_sync", 4, "holder", LEASE)  # not committed: rows stay locked
        started = time.monotonic()
        with Session(engine) as other:
            others = queue.claim(other, "metadata_sync", 10, "other", LEASE)
            other.commit()
        elapsed = time.monotonic() - started
        holder.rollback()

    assert len(held) == 4 and len(others) == 6
    assert not {t.id for t in held} & {t.id for t in others}
    assert elapsed < 1.0  # skipped, not waited for


# -- finishing: every transition and its refusals -----------------------------------------------------


def test_complete_stores_the_result_and_only_the_holder_may_complete(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    claimed = claim_one(session, worker="w1")

    assert not queue.complete(session, claimed.id, "intruder", {"x": 1})
    assert queue.complete(session, claimed.id, "w1", {"changes": {"views": [1, 2]}})
    assert not queue.complete(session, claimed.id, "w1", {"again": True})  # completed is final
    assert not queue.fail_permanently(session, claimed.id, "w1", "late")
    session.commit()

    stored = task_row(session, claimed.id)
    assert stored.status == "completed" and stored.result == {"changes": {"views": [1, 2]}}
    assert stored.completed_at >= stored.started_at and stored.lease_expires_at is None


def test_a_pending_task_cannot_be_completed_or_failed(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    assert not queue.complete(session, task.id, "w1", {})
    assert not queue.fail_permanently(session, task.id, "w1", "no")
    assert queue.retry_later(session, task.id, "w1", "no", max_retries=3, base_delay=1, max_delay=5) is None
    assert queue.release(session, [task.id], "w1") == 0
    assert task_row(session, task.id).status == "pending"


def test_fail_permanently_records_the_message(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    claimed = claim_one(session)

    assert not queue.fail_permanently(session, claimed.id, "w2", "not yours")
    assert queue.fail_permanently(session, claimed.id, "w1", "video not found on YouTube")
    session.commit()

    stored = task_row(session, claimed.id)
    assert (stored.status, stored.error_message, stored.retry_count) == (
        "failed",
        "video not found on YouTube",
        0,
    )
    assert stored.completed_at is not None


def test_retry_later_backs_off_then_fails_after_the_maximum(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    for retry in range(1, 3):
        claimed = claim_one(session)
        status = queue.retry_later(
            session, claimed.id, "w1", f"503 #{retry}", max_retries=2, base_delay=10, max_delay=100
        )
        session.commit()
        stored = task_row(session, task.id)
        assert status == "pending" and stored.status == "pending"
        assert stored.retry_count == retry and stored.error_message == f"503 #{retry}"
        assert stored.worker_id is None and stored.started_at is None
        wait = (stored.next_attempt_at - utc_now()).total_seconds()
        assert 10 * 2 ** (retry - 1) * 0.5 - 1 <= wait <= 10 * 2 ** (retry - 1)
        assert queue.claim(session, "metadata_sync", 1, "w1", LEASE) == []  # not due yet
        session.execute(
            text("UPDATE processing_queue SET next_attempt_at = now() - interval '1 second' WHERE id = :id"),
            {"id": task.id},
        )
        session.commit()

    claimed = claim_one(session)
    assert queue.retry_later(
        session, claimed.id, "w1", "503 #3", max_retries=2, base_delay=10, max_delay=100
    ) == ("failed")
    session.commit()
    stored = task_row(session, task.id)
    assert stored.status == "failed" and stored.retry_count == 2 and stored.attempts == 3
    assert stored.error_message == "gave up after 2 retries: 503 #3"


def test_retry_later_respects_retry_after(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    claimed = claim_one(session)

    queue.retry_later(
        session, claimed.id, "w1", "429", max_retries=5, base_delay=1, max_delay=2, retry_after=120
    )
    session.commit()

    wait = (task_row(session, task.id).next_attempt_at - utc_now()).total_seconds()
    assert 115 <= wait <= 120


def test_release_puts_a_task_back_without_counting_a_retry(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    claimed = claim_one(session)

    assert queue.release(session, [claimed.id], "someone-else") == 0
    assert queue.release(session, [claimed.id], "w1") == 1
    session.commit()

    stored = task_row(session, task.id)
    assert (stored.status, stored.retry_count, stored.attempts, stored.worker_id) == ("pending", 0, 1, None)


def test_expired_leases_return_to_pending_and_the_old_holder_cannot_finish(session: Session) -> None:
    ids = add_videos(session, 2)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    expired = queue.claim(session, "metadata_sync", 1, "dead-worker", 0.05)[0]
    alive = queue.claim(session, "metadata_sync", 1, "live-worker", LEASE)[0]
    session.commit()
    time.sleep(0.1)

    assert queue.recover_expired_leases(session, max_retries=3) == [expired.id]
    session.commit()

    stored = task_row(session, expired.id)
    assert (stored.status, stored.retry_count, stored.worker_id, stored.started_at) == (
        "pending",
        1,
        None,
        None,
    )
    assert "dead-worker" in stored.error_message
    assert task_row(session, alive.id).status == "processing"
    assert not queue.complete(session, expired.id, "dead-worker", {})
    assert not queue.renew_leases(session, [expired.id], "dead-worker", LEASE)
    assert queue.renew_leases(session, [alive.id], "live-worker", LEASE) == 1


def test_a_task_that_keeps_losing_its_worker_ends_failed(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    for _ in range(2):
        queue.claim(session, "metadata_sync", 1, "doomed", 0.01)
        session.commit()
        time.sleep(0.05)
        queue.recover_expired_leases(session, max_retries=1)
        session.commit()

    stored = task_row(session, task.id)
    assert stored.status == "failed" and stored.retry_count == 1
    assert "lease expired" in stored.error_message


# -- pauses ---------------------------------------------------------------------------------------------


def test_a_paused_task_type_is_not_claimed_until_the_pause_ends(session: Session) -> None:
    ids = add_videos(session, 2)
    queue.enqueue(session, ids[0], "metadata_sync")
    queue.enqueue(session, ids[1], "ownership_update")
    session.commit()
    until = utc_now() + timedelta(hours=3)

    queue.pause_task_type(session, "metadata_sync", until, reason="quotaExceeded")
    session.commit()

    assert queue.paused_until(session, "metadata_sync") == until
    assert queue.paused_until(session, "ownership_update") is None
    assert queue.pauses(session)["metadata_sync"]["reason"] == "quotaExceeded"
    assert queue.claim(session, "metadata_sync", 5, "w1", LEASE) == []
    assert queue.due_task_types(session) == ["ownership_update"]
    assert len(queue.claim(session, "ownership_update", 5, "w1", LEASE)) == 1
    session.rollback()

    queue.pause_task_type(session, "metadata_sync", utc_now() - timedelta(seconds=1))  # ended
    assert queue.paused_until(session, "metadata_sync") is None
    assert len(queue.claim(session, "metadata_sync", 5, "w1", LEASE)) == 1
    session.rollback()

    queue.pause_task_type(session, "metadata_sync", until)
    assert queue.resume_task_type(session, "metadata_sync")
    assert not queue.resume_task_type(session, "metadata_sync")
    assert len(queue.claim(session, "metadata_sync", 5, "w1", LEASE)) == 1


def test_due_task_types_ignores_retries_not_due(session: Session) -> None:
    (video_id,) = add_videos(session, 1)
    task, _ = queue.enqueue(session, video_id, "asset_enrichment")
    session.commit()
    assert queue.due_task_types(session) == ["asset_enrichment"]
    session.execute(
        text("UPDATE processing_queue SET next_attempt_at = now() + interval '1 hour' WHERE id = :id"),
        {"id": task.id},
    )
    assert queue.due_task_types(session) == []


# -- the Queue page's helpers ---------------------------------------------------------------------------


def test_list_tasks_filters_and_pages(session: Session) -> None:
    ids = add_videos(session, 30)
    user_id = add_user(session)
    queue.enqueue_many(session, ids[:20], "metadata_sync", created_by=user_id)
    queue.enqueue_many(session, ids[20:], "ownership_update")
    session.commit()
    claim_one(session, "ownership_update")

    page = queue.list_tasks(session, task_type="metadata_sync", page=2, per_page=8)
    assert page.total == 20 and len(page.rows) == 8
    assert [r["id"] for r in page.rows] == sorted((r["id"] for r in page.rows), reverse=True)
    assert page.rows[0]["video_title"].startswith("Video ")

    assert queue.list_tasks(session, status="processing").total == 1
    assert queue.list_tasks(session, created_by=user_id).total == 20
    assert [r["video_id"] for r in queue.list_tasks(session, video_id=ids[25]).rows] == [ids[25]]
    with pytest.raises(queue.QueueError, match="Unknown status"):
        queue.list_tasks(session, status="exploded")


def test_counts_and_throughput(session: Session) -> None:
    ids = add_videos(session, 6)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    done = queue.claim(session, "metadata_sync", 3, "w1", LEASE)
    for task in done[:2]:
        queue.complete(session, task.id, "w1", {})
    queue.fail_permanently(session, done[2].id, "w1", "nope")
    session.commit()

    counts = queue.counts_by_status_and_type(session)
    assert counts["metadata_sync"] == {
        "pending": 3,
        "processing": 0,
        "completed": 2,
        "failed": 1,
        "cancelled": 0,
    }
    assert set(counts["asset_enrichment"].values()) == {0}

    minutes = queue.throughput(session, minutes=5)
    assert len(minutes) == 5
    assert minutes[-1]["completed"] == 2 and minutes[-1]["failed"] == 1
    assert all(m["completed"] == 0 for m in minutes[:-1])

    # A hidden video's tasks count for admins only.
    session.execute(text("UPDATE video SET hidden = true WHERE video_id = :v"), {"v": done[0].video_id})
    session.commit()
    assert queue.counts_by_status_and_type(session)["metadata_sync"]["completed"] == 1
    assert queue.counts_by_status_and_type(session, include_hidden=True)["metadata_sync"]["completed"] == 2
    assert queue.throughput(session, minutes=5)[-1]["completed"] == 1
    assert queue.throughput(session, minutes=5, include_hidden=True)[-1]["completed"] == 2


def test_retry_failed_skips_a_task_enqueued_again_while_it_runs(session: Session, engine: Engine) -> None:
    # "Retry all failed" while somebody's "Sync now" for one of those videos commits: that video keeps its
    # new task, and the others are retried (no unique-key error ends the whole retry).
    ids = add_videos(session, 3)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    for task in queue.claim(session, "metadata_sync", 3, "w1", LEASE):
        queue.fail_permanently(session, task.id, "w1", "boom")
    session.commit()
    outcome: list[int] = []
    with Session(engine) as sync_now:
        queue.enqueue(sync_now, ids[0], "metadata_sync")  # not committed yet

        def retry_all() -> None:
            with Session(engine) as admin:
                outcome.append(queue.retry_failed(admin, task_type="metadata_sync"))
                admin.commit()

        worker = threading.Thread(target=retry_all)
        worker.start()
        worker.join(timeout=1.0)  # it waits on the uncommitted twin's key
        sync_now.commit()
    worker.join(timeout=30)
    assert outcome == [2]
    statuses = session.execute(
        select(ProcessingQueue.video_id, ProcessingQueue.status).order_by(ProcessingQueue.id)
    ).all()
    assert sorted(statuses) == [
        (ids[0], "failed"),
        (ids[0], "pending"),
        (ids[1], "pending"),
        (ids[2], "pending"),
    ]


def test_retry_failed_by_ids_and_by_filter(session: Session) -> None:
    ids = add_videos(session, 4)
    queue.enqueue_many(session, ids, "metadata_sync")
    queue.enqueue(session, ids[0], "ownership_update")
    session.commit()
    for task in queue.claim(session, "metadata_sync", 4, "w1", LEASE) + queue.claim(
        session, "ownership_update", 1, "w1", LEASE
    ):
        queue.fail_permanently(session, task.id, "w1", "boom")
    session.commit()
    failed_sync = (
        session.execute(
            select(ProcessingQueue.id)
            .where(ProcessingQueue.task_type == "metadata_sync")
            .order_by(ProcessingQueue.video_id)
        )
        .scalars()
        .all()
    )
    queue.enqueue(session, ids[3], "metadata_sync")  # an active twin: its failed task must stay failed
    session.commit()

    assert queue.retry_failed(session, [failed_sync[0]]) == 1
    assert queue.retry_failed(session, task_type="metadata_sync") == 2  # ids[1], ids[2]
    assert queue.retry_failed(session, task_type="metadata_sync") == 0
    assert queue.retry_failed(session) == 1  # the ownership_update task
    session.commit()

    retried = task_row(session, failed_sync[0])
    assert (retried.status, retried.retry_count, retried.completed_at) == ("pending", 0, None)
    assert task_row(session, failed_sync[3]).status == "failed"


def test_cancel_only_touches_pending_tasks(session: Session) -> None:
    ids = add_videos(session, 3)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    running = claim_one(session)
    pending = [t for t in queue.list_tasks(session, status="pending").rows]

    assert queue.cancel(session, [running.id, *(t["id"] for t in pending)]) == 2
    session.commit()

    assert task_row(session, running.id).status == "processing"
    assert {task_row(session, t["id"]).status for t in pending} == {"cancelled"}
    assert queue.enqueue(session, pending[0]["video_id"], "metadata_sync")[1]  # cancelled does not block


def test_set_priority_on_pending_tasks_only(session: Session) -> None:
    ids = add_videos(session, 2)
    first, _ = queue.enqueue(session, ids[0], "metadata_sync")
    second, _ = queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()

    assert queue.set_priority(session, second.id, 10)
    session.commit()
    running = claim_one(session)
    assert running.id == second.id
    assert not queue.set_priority(session, running.id, 1)
    with pytest.raises(queue.QueueError):
        queue.set_priority(session, first.id, -3)
    assert queue.get_task(session, first.id).priority == 0
    assert queue.get_task(session, 10**9) is None
