"""Run one claimed batch of a task type: claim, fetch from YouTube, apply each task's effect, finish it.

Three short steps so that no transaction stays open while YouTube answers:
1. claim up to a batch of tasks under a lease (committed at once, so other workers skip them);
2. fetch: the task type's module (`services.sync.*`) calls the API and gives one outcome per task;
3. apply, in one transaction: channels first (videos refer to them), then the batch's videos locked in
   video id order (two workers always lock in the same order), a change set and `apply_changes` per
   task that changes something, and one compare-and-set completing the whole batch. When a value does
   not fit a column or a lease was lost, that transaction is rolled back and redone task by task, each
   in a savepoint, so only the guilty task fails and a task whose lease was lost keeps no effect.

Completions are compare-and-sets on the lease, in the same transaction as the effect. The effect is
idempotent: running a task again after its effect was applied finds no difference, opens no change set
and writes no history (its `result` then lists no changes).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from catalog_ui.db import get_engine
from catalog_ui.models import ChangeSet, Channel, Video
from catalog_ui.services import queue
from catalog_ui.services.audit import apply_changes, diff_values, open_change_set
from catalog_ui.services.locks import wait_for_merges
from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.sync import assets, metadata, ownership
from catalog_ui.services.sync.clients import ConfigurationError, next_quota_reset
from catalog_ui.services.sync.outcome import (
    APPLY,
    FAILED,
    QUOTA,
    RETRY,
    FetchContext,
    FetchResult,
    Outcome,
    not_configured,
)
from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

Fetcher = Callable[[list[ClaimedTask], FetchContext], FetchResult]
FETCHERS: dict[str, Fetcher] = {
    "metadata_sync": metadata.fetch,
    "ownership_update": ownership.fetch,
    "asset_enrichment": assets.fetch,
}


@dataclass
class BatchSummary:
    """What one batch did; `limit` is how many tasks it asked for (a full claim means more may wait)."""

    task_type: str
    limit: int
    claimed: int = 0
    completed: int = 0
    failed: int = 0
    retried: int = 0
    released: int = 0
    lost: int = 0
    paused_until: datetime | None = None


class _LeaseLost(Exception):
    """The task's lease went to someone else while we fetched; its effect must not be kept."""


def batch_limit(task_type: str) -> int:
    """How many tasks of `task_type` one batch claims (settings; metadata_sync at most 50)."""
    settings = get_settings()
    if task_type == "metadata_sync":
        return settings.queue_batch_size
    return settings.queue_content_id_batch_size


def new_worker_token() -> str:
    """A token naming this claim's holder: host, process and a random part (unique per batch)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def run_batch(
    task_type: str,
    *,
    limit: int | None = None,
    engine: Engine | None = None,
    on_claimed: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Claim, fetch and apply one batch of `task_type`; returns its summary (claimed 0: nothing was due).

    `on_claimed(claimed, limit)` runs right after the claim commits, before the API calls (the worker
    uses it to wake another thread when the claim was full). Once the claim has committed, nothing but
    the database failing keeps the batch from its finish: an error of `on_claimed` (Redis down) is
    logged and the batch goes on, and any error while fetching becomes a retry of each task.
    """
    queue.check_task_type(task_type)
    settings = get_settings()
    engine = engine or get_engine()
    limit = limit or batch_limit(task_type)
    token = new_worker_token()
    with Session(engine) as session:
        tasks = queue.claim(session, task_type, limit, token, settings.queue_lease_s)
        session.commit()
    summary = BatchSummary(task_type=task_type, limit=limit, claimed=len(tasks))
    if on_claimed is not None:
        _notify_claimed(on_claimed, summary)
    if not tasks:
        return summary

    try:
        context = FetchContext(
            heartbeat=_LeaseKeeper(engine, [t.id for t in tasks], token, settings.queue_lease_s),
            read_assets=lambda video_ids: _read_assets(engine, video_ids),
            fresh_channels=lambda channel_ids: _fresh_channels(
                engine, channel_ids, settings.queue_channel_refresh_s
            ),
        )
        fetched = FETCHERS[task_type](tasks, context)
    except ConfigurationError as exc:
        fetched = FetchResult.every(tasks, not_configured(str(exc)))
    except Exception as exc:
        # Our own bug or an unforeseen answer: retried with backoff (then failed), never lost.
        log.exception("%s batch of %d tasks failed while fetching", task_type, len(tasks))
        fetched = FetchResult.every(tasks, Outcome(RETRY, message=f"{type(exc).__name__}: {exc}"))

    with Session(engine, expire_on_commit=False) as session:
        _finish(session, tasks, fetched, token, summary)
        session.commit()
    if summary.failed or summary.retried or summary.lost or summary.released:
        log.info("%s batch: %s", task_type, summary)
    return summary


def _notify_claimed(on_claimed: Callable[[int, int], None], summary: BatchSummary) -> None:
    """Call `on_claimed`; its failure is logged, never raised: raised, it would leave the claimed batch
    `processing` until its lease expires, and then charge each task a retry for a worker that never
    stopped."""
    try:
        on_claimed(summary.claimed, summary.limit)
    except Exception as exc:
        log.warning(
            "%s batch of %d tasks: could not wake other workers (%s: %s); going on with the batch",
            summary.task_type,
            summary.claimed,
            type(exc).__name__,
            exc,
        )


def _finish(
    session: Session, tasks: list[ClaimedTask], fetched: FetchResult, token: str, summary: BatchSummary
) -> None:
    by_video = sorted(tasks, key=lambda t: t.video_id)
    to_apply = [t for t in by_video if fetched.outcomes[t.id].kind == APPLY]
    try:
        _prepare(session, fetched, summary, isolate_channels=False)
        summary.completed += _apply_batch(session, to_apply, fetched, token)
    except (_LeaseLost, DataError, IntegrityError) as exc:
        # Rare: a value our columns cannot hold, or a lease lost. Start again task by task, each in a
        # savepoint, so only the guilty task fails (or, for a lost lease, keeps none of its effect).
        log.info("%s batch: applying task by task (%s)", summary.task_type, type(exc).__name__)
        session.rollback()
        _prepare(session, fetched, summary, isolate_channels=True)
        for task in to_apply:
            _apply_one(
                session, task, fetched.outcomes[task.id].values or {}, fetched.fetched_at, token, summary
            )

    settings = get_settings()
    for task in by_video:
        outcome = fetched.outcomes[task.id]
        if outcome.kind == FAILED:
            _count(summary, queue.fail_permanently(session, task.id, token, outcome.message or ""), "failed")
        elif outcome.kind == RETRY:
            status = queue.retry_later(
                session,
                task.id,
                token,
                outcome.message or "",
                max_retries=settings.queue_max_retries,
                base_delay=settings.queue_backoff_base_s,
                max_delay=settings.queue_backoff_max_s,
                retry_after=outcome.retry_after,
            )
            _count(summary, status is not None, "retried" if status == "pending" else "failed")
        elif outcome.kind == QUOTA:
            _count(summary, queue.release(session, [task.id], token) > 0, "released")


def _prepare(
    session: Session, fetched: FetchResult, summary: BatchSummary, *, isolate_channels: bool
) -> None:
    """Store the batch's channels (videos refer to them) and pause the task type when its quota is spent
    (or, for refused credentials, every type using them, briefly; a longer pause already set stays)."""
    if fetched.channels:
        metadata.upsert_channels(session, fetched.channels, isolate=isolate_channels)
    quota = next((o for o in fetched.outcomes.values() if o.kind == QUOTA), None)
    if quota is not None:
        summary.paused_until = until = quota.pause_until or next_quota_reset()
        for task_type in quota.pause_types or (summary.task_type,):
            current = queue.paused_until(session, task_type)
            if current is None or current < until:
                queue.pause_task_type(session, task_type, until, reason=quota.message)
        log.warning("%s paused until %s: %s", summary.task_type, until, quota.message)


def _count(summary: BatchSummary, held: bool, field: str) -> None:
    if held:
        setattr(summary, field, getattr(summary, field) + 1)
    else:
        summary.lost += 1


def _apply_batch(session: Session, tasks: list[ClaimedTask], fetched: FetchResult, token: str) -> int:
    """Apply every task of the batch and complete them together; returns how many completed.

    The round trips are what limits throughput, so: one locking read of the batch's videos (in video id
    order, only the fields written), then one insert of a change set per task that changes something, then `apply_changes` per task with the
    writes flushed together, then one compare-and-set completing them all. Raises `_LeaseLost` when any
    task was no longer held (the caller rolls back and goes task by task).
    """
    if not tasks:
        return 0
    values = {t.id: fetched.outcomes[t.id].values or {} for t in tasks}
    fields = sorted({field for task_values in values.values() for field in task_values})
    results: dict[int, dict[str, Any]] = {}
    wait_for_merges(session)
    with session.no_autoflush:
        # Only the fields the batch writes, as plain rows: `apply_changes` loads each video it changes.
        table = Video.__table__
        stored = {
            row.video_id: row._mapping
            for row in session.execute(
                select(table.c.video_id, *(table.c[f] for f in fields))
                .where(table.c.video_id.in_([t.video_id for t in tasks]))
                .order_by(table.c.video_id)
                .with_for_update()
            )
        }
        changing = []
        for task in tasks:
            current = stored.get(task.video_id)
            if current is None or not diff_values({f: current[f] for f in values[task.id]}, values[task.id]):
                results[task.id] = dict(NO_CHANGE)
            else:
                changing.append(task)
        # The change sets `open_change_set` would create, inserted in one flush instead of one each.
        opened = [(task, ChangeSet(kind="task", task_id=task.id, label=_label(task))) for task in changing]
        session.add_all([change_set for _, change_set in opened])
        session.flush()
        for task, change_set in opened:
            changes = apply_changes(
                session, change_set, task.video_id, values[task.id], as_of=fetched.fetched_at
            )
            results[task.id] = _result(changes, change_set.id)
        session.flush()
    completed = queue.complete_many(session, token, results)
    if len(completed) != len(results):
        raise _LeaseLost
    return len(completed)


def _apply_one(
    session: Session,
    task: ClaimedTask,
    values: dict[str, Any],
    as_of: datetime,
    token: str,
    summary: BatchSummary,
) -> None:
    try:
        with session.begin_nested():
            result = apply_task_values(session, task, values, as_of)
            if not queue.complete(session, task.id, token, result):
                raise _LeaseLost
        summary.completed += 1
    except _LeaseLost:
        summary.lost += 1
    except (DataError, IntegrityError) as exc:
        # YouTube sent a value our columns cannot hold: this task fails, the batch goes on.
        log.warning("%s #%d (%s): values not stored: %s", task.task_type, task.id, task.video_id, exc.orig)
        message = f"could not store YouTube's values: {str(exc.orig).strip()}"
        _count(summary, queue.fail_permanently(session, task.id, token, message), "failed")


NO_CHANGE: dict[str, Any] = {"changes": {}, "fields_changed": [], "change_set_id": None}


def _label(task: ClaimedTask) -> str:
    return f"{task.task_type} #{task.id}"


def _result(changes: dict[str, list[Any]], change_set_id: int | None) -> dict[str, Any]:
    return {"changes": changes, "fields_changed": sorted(changes), "change_set_id": change_set_id}


def apply_task_values(
    session: Session, task: ClaimedTask, values: dict[str, Any], as_of: datetime
) -> dict[str, Any]:
    """Write `values` to the task's video under its own change set; return the task's `result`.

    Only differing fields are written, each with history; nothing differs → no change set, no write.
    """
    wait_for_merges(session)
    video = session.execute(
        select(Video).where(Video.video_id == task.video_id).with_for_update()
    ).scalar_one_or_none()
    if video is None or not diff_values({f: getattr(video, f) for f in values}, values):
        return dict(NO_CHANGE)
    change_set = open_change_set(session, "task", task_id=task.id, label=_label(task))
    changes = apply_changes(session, change_set, task.video_id, values, as_of=as_of)
    return _result(changes, change_set.id)


def _read_assets(engine: Engine, video_ids: list[str]) -> dict[str, str | None]:
    with Session(engine) as session:
        rows = session.execute(select(Video.video_id, Video.asset_id).where(Video.video_id.in_(video_ids)))
        return {video_id: asset_id for video_id, asset_id in rows}


def _fresh_channels(engine: Engine, channel_ids: list[str], max_age_s: float) -> set[str]:
    if not channel_ids or max_age_s <= 0:
        return set()
    with Session(engine) as session:
        rows = session.execute(
            select(Channel.channel_id).where(
                Channel.channel_id.in_(channel_ids),
                Channel.updated_at > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, max_age_s),
            )
        )
        return set(rows.scalars())


class _LeaseKeeper:
    """Renews a batch's leases when a third of the lease has passed since the last renewal."""

    def __init__(self, engine: Engine, task_ids: list[int], token: str, lease_s: float) -> None:
        self._engine = engine
        self._task_ids = task_ids
        self._token = token
        self._lease_s = lease_s
        self._renewed = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self._renewed < self._lease_s / 3:
            return
        with Session(self._engine) as session:
            queue.renew_leases(session, self._task_ids, self._token, self._lease_s)
            session.commit()
        self._renewed = time.monotonic()
