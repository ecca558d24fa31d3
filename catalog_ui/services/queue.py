"""The processing queue: enqueue, claim under a lease, finish, retry with backoff, recover lost leases, pause.

The `processing_queue` table is the queue; Dramatiq messages only wake workers. Every transition is a
compare-and-set in SQL that names the status it expects (and, for a running task, the worker token that
claimed it), so a task never runs twice at once and a worker that lost its lease cannot finish it.
Functions take a Session and never commit: the caller owns the transaction. The Queue page's lists and
actions are at the end of the module.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    any_,
    bindparam,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlmodel import Session

from catalog_ui.models import ProcessingQueue, Video
from catalog_ui.models.queue import (
    ACTIVE_PREDICATE,
    ACTIVE_STATUSES,
    TASK_STATUSES,
    TASK_TYPES,
    QueuePause,
)
from catalog_ui.services.visibility import HIDDEN_VIDEO_IDS, not_hidden

PQ = ProcessingQueue
MAX_PER_PAGE = 200
RETRY_FAILED_ATTEMPTS = 3  # see `retry_failed`


class QueueError(ValueError):
    """A user-facing problem with a queue action (unknown task type or video, bad priority)."""


@dataclass(frozen=True)
class ClaimedTask:
    """A task a worker holds: what it needs to run it."""

    id: int
    video_id: str
    task_type: str
    priority: int
    payload: dict[str, Any] | None
    retry_count: int
    attempts: int


@dataclass(frozen=True)
class TaskPage:
    """One page of the task list: rows as dicts (with the video's title) and the total matching."""

    rows: list[dict[str, Any]]
    total: int


def check_task_type(task_type: str) -> str:
    """Return `task_type` when it is known, else raise QueueError."""
    if task_type not in TASK_TYPES:
        raise QueueError(f"Unknown task type '{task_type}'; use one of {', '.join(TASK_TYPES)}.")
    return task_type


def _check_priority(priority: int) -> int:
    if not isinstance(priority, int) or priority < 0:
        raise QueueError("Priority must be a whole number of 0 or more.")
    return priority


# -- enqueue ------------------------------------------------------------------------------------------


def enqueue(
    session: Session,
    video_id: str,
    task_type: str,
    *,
    priority: int = 0,
    payload: dict[str, Any] | None = None,
    created_by: int | None = None,
) -> tuple[ProcessingQueue, bool]:
    """Queue one task; returns (task, created).

    When the video already has a pending or running task of this type, that task is returned (created
    False); a pending one is raised to `priority` when that is higher. Unknown videos raise QueueError.
    `created_at` is the statement's time, not the transaction's start, so age order holds even when the
    caller's transaction has been open a while.
    """
    check_task_type(task_type)
    _check_priority(priority)
    insert = text(
        f"""
        INSERT INTO processing_queue (video_id, task_type, priority, payload, created_by, created_at)
        SELECT v.video_id, :task_type, :priority, :payload, :created_by, statement_timestamp()
        FROM video v WHERE v.video_id = :video_id
        ON CONFLICT (video_id, task_type) WHERE {ACTIVE_PREDICATE} DO NOTHING
        RETURNING id
        """
    ).bindparams(bindparam("payload", type_=JSONB))
    params = {
        "video_id": video_id,
        "task_type": task_type,
        "priority": priority,
        "payload": payload,
        "created_by": created_by,
    }
    # A conflicting task can finish between the INSERT and the SELECT: then inserting again succeeds.
    for _ in range(3):
        new_id = session.execute(insert, params).scalar()
        if new_id is not None:
            return session.get(PQ, new_id), True
        existing = session.execute(
            select(PQ)
            .where(PQ.video_id == video_id, PQ.task_type == task_type, PQ.status.in_(ACTIVE_STATUSES))
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.status == "pending" and priority > existing.priority:
                set_priority(session, existing.id, priority)
                session.refresh(existing)
            return existing, False
        if not _video_exists(session, video_id):
            raise QueueError(f"Video {video_id} is not in the catalog.")
    raise RuntimeError(f"could not enqueue {task_type} for {video_id}: its active task kept changing")


def _video_exists(session: Session, video_id: str) -> bool:
    return session.execute(select(Video.id).where(Video.video_id == video_id)).first() is not None


def enqueue_many(
    session: Session,
    videos: Iterable[str] | Select,
    task_type: str,
    *,
    priority: int = 0,
    payload: dict[str, Any] | None = None,
    created_by: int | None = None,
) -> tuple[int, int]:
    """Queue a task for each video in one statement; returns (created, already queued).

    `videos` is a list of video ids or a SELECT of one column of video ids (e.g. a catalog filter), which
    runs inside the INSERT. Ids not in the catalog are ignored; duplicates count once.
    """
    check_task_type(task_type)
    _check_priority(priority)
    if isinstance(videos, Select):
        wanted = select(Video.video_id).where(Video.video_id.in_(videos.scalar_subquery()))
    else:
        ids = list(dict.fromkeys(videos))
        if not ids:
            return 0, 0
        wanted = select(Video.video_id).where(
            Video.video_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
        )
    source = wanted.cte("source")
    rows = select(
        source.c.video_id,
        literal(task_type, String),
        literal(priority, Integer),
        literal(payload, JSONB),
        literal(created_by, Integer),
        func.statement_timestamp(),
    ).order_by(source.c.video_id)
    inserted = (
        pg_insert(PQ)
        .from_select(["video_id", "task_type", "priority", "payload", "created_by", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["video_id", "task_type"], index_where=text(ACTIVE_PREDICATE))
        .returning(PQ.id)
        .cte("inserted")
    )
    counts = select(
        select(func.count()).select_from(inserted).scalar_subquery(),
        select(func.count()).select_from(source).scalar_subquery(),
    )
    created, total = session.execute(counts).one()
    return int(created), int(total) - int(created)


# -- claim and finish (workers) -----------------------------------------------------------------------


def claim(
    session: Session, task_type: str, limit: int, worker_id: str, lease_seconds: float
) -> list[ClaimedTask]:
    """Take up to `limit` due pending tasks of `task_type` for `worker_id`: highest priority, then oldest.

    Tasks other workers are claiming are skipped, not waited for (`FOR UPDATE SKIP LOCKED`); tasks whose
    retry is not due yet are skipped; a paused task type yields nothing. (The pick is a materialized CTE:
    as a subquery the planner may rescan it, and each rescan would lock the next rows too.) Each claimed task is
    `processing`, held by `worker_id` until `lease_seconds` from now, its `attempts` counted.
    """
    check_task_type(task_type)
    rows = session.execute(
        text(
            """
            WITH picked AS MATERIALIZED (
                SELECT id FROM processing_queue
                WHERE status = 'pending' AND task_type = :task_type
                  AND (next_attempt_at IS NULL OR next_attempt_at <= clock_timestamp())
                  AND NOT EXISTS (
                      SELECT 1 FROM queue_pause p
                      WHERE p.task_type = :task_type AND p.paused_until > clock_timestamp())
                ORDER BY priority DESC, created_at, id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE processing_queue q
            SET status = 'processing', worker_id = :worker_id, started_at = statement_timestamp(),
                lease_expires_at = statement_timestamp() + make_interval(secs => :lease),
                next_attempt_at = NULL, attempts = q.attempts + 1
            FROM picked
            WHERE q.id = picked.id AND q.status = 'pending'
            RETURNING q.id, q.video_id, q.task_type, q.priority, q.payload, q.retry_count, q.attempts,
                      q.created_at
            """
        ),
        {"task_type": task_type, "limit": limit, "worker_id": worker_id, "lease": float(lease_seconds)},
    ).mappings()
    ordered = sorted(rows, key=lambda r: (-r["priority"], r["created_at"], r["id"]))
    return [
        ClaimedTask(
            id=r["id"],
            video_id=r["video_id"],
            task_type=r["task_type"],
            priority=r["priority"],
            payload=r["payload"],
            retry_count=r["retry_count"],
            attempts=r["attempts"],
        )
        for r in ordered
    ]


def renew_leases(session: Session, task_ids: list[int], worker_id: str, lease_seconds: float) -> int:
    """Push the lease of tasks `worker_id` still holds to `lease_seconds` from now; returns how many."""
    if not task_ids:
        return 0
    result = session.execute(
        text(
            """
            UPDATE processing_queue SET lease_expires_at = clock_timestamp() + make_interval(secs => :lease)
            WHERE id = ANY(:ids) AND status = 'processing' AND worker_id = :worker_id
            """
        ),
        {"ids": list(task_ids), "worker_id": worker_id, "lease": float(lease_seconds)},
    )
    return result.rowcount


def complete(session: Session, task_id: int, worker_id: str, result: dict[str, Any] | None) -> bool:
    """processing → completed with `result`; False when `worker_id` no longer holds the task."""
    return bool(complete_many(session, worker_id, {task_id: result}))


def complete_many(session: Session, worker_id: str, results: dict[int, dict[str, Any] | None]) -> list[int]:
    """`complete` for several tasks in one statement; returns the ids `worker_id` still held (now completed)."""
    if not results:
        return []
    rows = session.execute(
        text(
            """
            UPDATE processing_queue q
            SET status = 'completed', completed_at = clock_timestamp(), result = done.result,
                lease_expires_at = NULL
            FROM (SELECT (e ->> 'id')::bigint AS id, e -> 'result' AS result
                  FROM jsonb_array_elements(:done) AS e) AS done
            WHERE q.id = done.id AND q.status = 'processing' AND q.worker_id = :worker_id
            RETURNING q.id
            """
        ).bindparams(bindparam("done", type_=JSONB)),
        {"worker_id": worker_id, "done": [{"id": i, "result": r} for i, r in results.items()]},
    ).scalars()
    return sorted(rows)


def fail_permanently(session: Session, task_id: int, worker_id: str, message: str) -> bool:
    """processing → failed with `message` (retrying cannot help); False when the lease was lost."""
    row = session.execute(
        text(
            """
            UPDATE processing_queue
            SET status = 'failed', completed_at = clock_timestamp(), error_message = :message,
                lease_expires_at = NULL
            WHERE id = :id AND status = 'processing' AND worker_id = :worker_id
            RETURNING id
            """
        ),
        {"id": task_id, "worker_id": worker_id, "message": message},
    ).first()
    return row is not None


def backoff_delay(
    retry_count: int,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds before retry number `retry_count + 1`: base·2^retry_count capped at `cap`, with jitter.

    The jitter keeps between half and all of the exponential delay, so tasks that failed together do not
    return together. A server's Retry-After is a floor.
    """
    exponential = min(cap, base * (2 ** min(retry_count, 62)))
    delay = exponential * (0.5 + 0.5 * rand())
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def retry_later(
    session: Session,
    task_id: int,
    worker_id: str,
    message: str,
    *,
    max_retries: int,
    base_delay: float,
    max_delay: float,
    retry_after: float | None = None,
) -> str | None:
    """After a transient error: back to pending after a backoff (retry_count + 1), or failed past the max.

    Returns the new status ('pending' or 'failed'), or None when `worker_id` no longer holds the task.
    """
    current = session.execute(
        text(
            """
            SELECT retry_count FROM processing_queue
            WHERE id = :id AND status = 'processing' AND worker_id = :worker_id FOR UPDATE
            """
        ),
        {"id": task_id, "worker_id": worker_id},
    ).scalar()
    if current is None:
        return None
    if current >= max_retries:
        fail_permanently(session, task_id, worker_id, f"gave up after {current} retries: {message}")
        return "failed"
    delay = backoff_delay(current, base_delay, max_delay, retry_after)
    session.execute(
        text(
            """
            UPDATE processing_queue
            SET status = 'pending', retry_count = retry_count + 1, error_message = :message,
                next_attempt_at = clock_timestamp() + make_interval(secs => :delay),
                worker_id = NULL, lease_expires_at = NULL, started_at = NULL
            WHERE id = :id AND status = 'processing' AND worker_id = :worker_id
            """
        ),
        {"id": task_id, "worker_id": worker_id, "message": message, "delay": delay},
    )
    return "pending"


def release(session: Session, task_ids: list[int], worker_id: str) -> int:
    """processing → pending without counting a retry (the task never really ran, e.g. quota spent)."""
    if not task_ids:
        return 0
    result = session.execute(
        text(
            """
            UPDATE processing_queue
            SET status = 'pending', worker_id = NULL, lease_expires_at = NULL, started_at = NULL
            WHERE id = ANY(:ids) AND status = 'processing' AND worker_id = :worker_id
            """
        ),
        {"ids": list(task_ids), "worker_id": worker_id},
    )
    return result.rowcount


def recover_expired_leases(session: Session, max_retries: int) -> list[int]:
    """Tasks whose worker vanished (lease expired) go back to pending, counted as a retry; returns their ids.

    A task already retried `max_retries` times is failed instead, so a task that kills its worker every
    time cannot loop forever.
    """
    rows = session.execute(
        text(
            """
            UPDATE processing_queue
            SET status = CASE WHEN retry_count >= :max THEN 'failed' ELSE 'pending' END,
                retry_count = CASE WHEN retry_count >= :max THEN retry_count ELSE retry_count + 1 END,
                completed_at = CASE WHEN retry_count >= :max THEN clock_timestamp() END,
                started_at = CASE WHEN retry_count >= :max THEN started_at END,
                worker_id = CASE WHEN retry_count >= :max THEN worker_id END,
                error_message = 'lease expired: worker ' || coalesce(worker_id, '?')
                    || ' stopped before finishing the task',
                lease_expires_at = NULL, next_attempt_at = NULL
            WHERE status = 'processing' AND lease_expires_at < clock_timestamp()
            RETURNING id
            """
        ),
        {"max": max_retries},
    ).scalars()
    return sorted(rows)


# -- pauses -------------------------------------------------------------------------------------------


def pause_task_type(session: Session, task_type: str, until: datetime, reason: str | None = None) -> None:
    """Stop claiming `task_type` until `until` (replaces an earlier pause)."""
    check_task_type(task_type)
    session.execute(
        text(
            """
            INSERT INTO queue_pause (task_type, paused_until, reason, updated_at)
            VALUES (:task_type, :until, :reason, clock_timestamp())
            ON CONFLICT (task_type) DO UPDATE
            SET paused_until = EXCLUDED.paused_until, reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at
            """
        ),
        {"task_type": task_type, "until": until, "reason": reason},
    )


def resume_task_type(session: Session, task_type: str) -> bool:
    """End a pause now; False when the type was not paused."""
    check_task_type(task_type)
    result = session.execute(text("DELETE FROM queue_pause WHERE task_type = :t"), {"t": task_type})
    return result.rowcount > 0


def paused_until(session: Session, task_type: str) -> datetime | None:
    """When the pause of `task_type` ends, or None when it is not paused."""
    return session.execute(
        select(QueuePause.paused_until).where(
            QueuePause.task_type == task_type, QueuePause.paused_until > func.clock_timestamp()
        )
    ).scalar()


def pauses(session: Session) -> dict[str, dict[str, Any]]:
    """Current pauses by task type: `{"paused_until", "reason"}`."""
    rows = session.execute(
        select(QueuePause.task_type, QueuePause.paused_until, QueuePause.reason).where(
            QueuePause.paused_until > func.clock_timestamp()
        )
    )
    return {r.task_type: {"paused_until": r.paused_until, "reason": r.reason} for r in rows}


def due_task_types(session: Session) -> list[str]:
    """Task types that are not paused and have a pending task a worker could claim now."""
    rows = session.execute(
        text(
            """
            SELECT t FROM unnest(CAST(:types AS text[])) AS t
            WHERE NOT EXISTS (
                SELECT 1 FROM queue_pause p WHERE p.task_type = t AND p.paused_until > clock_timestamp())
              AND EXISTS (
                SELECT 1 FROM processing_queue q
                WHERE q.status = 'pending' AND q.task_type = t
                  AND (q.next_attempt_at IS NULL OR q.next_attempt_at <= clock_timestamp()))
            """
        ),
        {"types": list(TASK_TYPES)},
    ).scalars()
    return list(rows)


# -- the Queue page -----------------------------------------------------------------------------------


def _filters(
    status: str | None, task_type: str | None, video_id: str | None, created_by: int | None
) -> list[Any]:
    conditions: list[Any] = []
    if status:
        if status not in TASK_STATUSES:
            raise QueueError(f"Unknown status '{status}'.")
        conditions.append(PQ.status == status)
    if task_type:
        conditions.append(PQ.task_type == check_task_type(task_type))
    if video_id:
        conditions.append(PQ.video_id == video_id.strip())
    if created_by is not None:
        conditions.append(PQ.created_by == created_by)
    return conditions


def list_tasks(
    session: Session,
    status: str | None = None,
    task_type: str | None = None,
    video_id: str | None = None,
    created_by: int | None = None,
    page: int = 1,
    per_page: int = 50,
    *,
    include_hidden: bool = False,
) -> TaskPage:
    """Tasks newest first, filtered, one page at a time; each row has the task's columns and `video_title`.

    The tasks of hidden videos are left out unless `include_hidden` (an admin's view): a hidden video does
    not exist for anybody else."""
    conditions = _filters(status, task_type, video_id, created_by)
    if not include_hidden:
        conditions.append(Video.hidden.is_(False))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = (
        select(PQ, Video.title)
        .join(Video, Video.video_id == PQ.video_id)
        .where(*conditions)
        .order_by(PQ.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    rows = [{**task.model_dump(), "video_title": title} for task, title in session.execute(query)]
    counted = select(func.count()).select_from(PQ)
    if not include_hidden:
        counted = counted.join(Video, Video.video_id == PQ.video_id)
    total = session.execute(counted.where(*conditions)).scalar_one()
    return TaskPage(rows=rows, total=total)


def get_task(session: Session, task_id: int, *, include_hidden: bool = False) -> ProcessingQueue | None:
    """The task `task_id`, or None; None too for a hidden video's task unless `include_hidden`."""
    task = session.get(PQ, task_id)
    if task is None or include_hidden:
        return task
    hidden = session.execute(select(Video.hidden).where(Video.video_id == task.video_id)).scalar()
    return None if hidden else task


def counts_by_status_and_type(session: Session, *, include_hidden: bool = False) -> dict[str, dict[str, int]]:
    """`{task_type: {status: count}}` with every type and status present (zeros included); hidden videos'
    tasks count only when `include_hidden` (admins)."""
    counts = {task_type: dict.fromkeys(TASK_STATUSES, 0) for task_type in TASK_TYPES}
    query = select(PQ.task_type, PQ.status, func.count()).group_by(PQ.task_type, PQ.status)
    if not include_hidden:
        query = query.where(not_hidden(PQ.video_id))
    for task_type, status, count in session.execute(query):
        counts.setdefault(task_type, dict.fromkeys(TASK_STATUSES, 0))[status] = count
    return counts


def throughput(session: Session, minutes: int = 15, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    """Tasks finished per minute over the last `minutes` minutes, oldest first, empty minutes included;
    hidden videos' tasks count only when `include_hidden` (admins).

    Each row: `minute` (start, UTC), `completed`, `failed`.
    """
    minutes = max(1, min(minutes, 24 * 60))
    visible = "" if include_hidden else f"AND video_id NOT IN ({HIDDEN_VIDEO_IDS})"
    rows = session.execute(
        text(
            f"""
            WITH span AS (
                SELECT generate_series(date_trunc('minute', now()) - make_interval(mins => :m - 1),
                                       date_trunc('minute', now()), interval '1 minute') AS minute
            ), done AS (
                SELECT date_trunc('minute', completed_at) AS minute,
                       count(*) FILTER (WHERE status = 'completed') AS completed,
                       count(*) FILTER (WHERE status = 'failed') AS failed
                FROM processing_queue
                WHERE completed_at IS NOT NULL
                  AND completed_at >= date_trunc('minute', now()) - make_interval(mins => :m - 1) {visible}
                GROUP BY 1
            )
            SELECT span.minute, coalesce(done.completed, 0) AS completed, coalesce(done.failed, 0) AS failed
            FROM span LEFT JOIN done USING (minute) ORDER BY span.minute
            """
        ),
        {"m": minutes},
    ).mappings()
    return [dict(row) for row in rows]


def _action_filter(
    prefix: str,
    status: str,
    task_ids: list[int] | None,
    task_type: str | None,
    video_id: str | None,
    created_by: int | None,
) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions (columns behind `prefix`) and parameters selecting the tasks a page action targets."""
    conditions = [f"{prefix}status = '{status}'"]
    params: dict[str, Any] = {}
    if task_ids is not None:
        conditions.append(f"{prefix}id = ANY(:ids)")
        params["ids"] = list(task_ids)
    if task_type:
        conditions.append(f"{prefix}task_type = :task_type")
        params["task_type"] = check_task_type(task_type)
    if video_id:
        conditions.append(f"{prefix}video_id = :video_id")
        params["video_id"] = video_id.strip()
    if created_by is not None:
        conditions.append(f"{prefix}created_by = :created_by")
        params["created_by"] = created_by
    return conditions, params


def retry_failed(
    session: Session,
    task_ids: list[int] | None = None,
    *,
    task_type: str | None = None,
    video_id: str | None = None,
    created_by: int | None = None,
) -> int:
    """Put failed tasks (these ids, or all matching the filters) back to pending with a fresh retry count.

    A failed task is skipped when its video already has an active task of that type; of several failed
    tasks of one (video, type) only the newest returns. Returns how many were put back.
    """
    if task_ids is not None and not task_ids:
        return 0
    conditions, params = _action_filter("f.", "failed", task_ids, task_type, video_id, created_by)
    statement = text(
        f"""
            WITH chosen AS (
                SELECT DISTINCT ON (f.video_id, f.task_type) f.id
                FROM processing_queue f
                WHERE {" AND ".join(conditions)}
                  AND NOT EXISTS (
                      SELECT 1 FROM processing_queue a
                      WHERE a.video_id = f.video_id AND a.task_type = f.task_type AND a.{ACTIVE_PREDICATE})
                ORDER BY f.video_id, f.task_type, f.id DESC
            )
            UPDATE processing_queue q
            SET status = 'pending', retry_count = 0, next_attempt_at = NULL, started_at = NULL,
                completed_at = NULL, worker_id = NULL, lease_expires_at = NULL
            FROM chosen WHERE q.id = chosen.id AND q.status = 'failed'
            """
    )
    # An enqueue committing meanwhile can make one of the chosen tasks a second active one (the unique
    # index refuses it): run the statement again, and it sees that task and leaves its failed one out.
    attempts = 0
    while True:
        try:
            with session.begin_nested():
                return session.execute(statement, params).rowcount
        except IntegrityError as exc:
            attempts += 1
            if attempts == RETRY_FAILED_ATTEMPTS or not _is_active_task_conflict(exc):
                raise


def _is_active_task_conflict(exc: IntegrityError) -> bool:
    return getattr(getattr(exc.orig, "diag", None), "constraint_name", None) == "uq_queue_active_task"


def cancel(
    session: Session,
    task_ids: list[int] | None = None,
    *,
    task_type: str | None = None,
    video_id: str | None = None,
    created_by: int | None = None,
) -> int:
    """pending → cancelled for these tasks, or every pending task matching the filters; returns how many.

    Running tasks are left alone (they finish or fail on their own).
    """
    if task_ids is not None and not task_ids:
        return 0
    conditions, params = _action_filter("", "pending", task_ids, task_type, video_id, created_by)
    result = session.execute(
        text(
            f"""
            UPDATE processing_queue SET status = 'cancelled', completed_at = clock_timestamp()
            WHERE {" AND ".join(conditions)}
            """
        ),
        params,
    )
    return result.rowcount


def set_priority(session: Session, task_id: int, priority: int) -> bool:
    """Change a pending task's priority; False when the task is not pending."""
    _check_priority(priority)
    result = session.execute(
        text("UPDATE processing_queue SET priority = :p WHERE id = :id AND status = 'pending'"),
        {"id": task_id, "p": priority},
    )
    return result.rowcount > 0
