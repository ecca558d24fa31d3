"""The Dramatiq actors, thin wrappers around services; importing this module sets up the broker.

The `processing_queue` table is the queue (Dramatiq's Redis broker has no per-message priority): a
`process_tasks(task_type)` message only wakes a worker thread, which claims batches from the table,
highest priority first, until none is due or its time budget is spent. `wake(task_type)` keeps at most
one such message waiting per task type; a runner that claimed a full batch wakes one more, so every
thread joins in while a backlog lasts and the waiting message sees any task enqueued before it starts.
"""

from __future__ import annotations

import logging
import threading
import time

import dramatiq
from dramatiq.middleware.time_limit import TimeLimitExceeded

from catalog_ui.db import get_engine, session_scope
from catalog_ui.services import queue, reports, storage, tasks
from catalog_ui.services.archive import archive_history, retention_cutoff
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.stopping import StopRequest
from catalog_ui.settings import get_settings
from workers.broker import redis_client, setup_broker

log = logging.getLogger(__name__)

setup_broker()

TASKS_QUEUE = "tasks"
REPORTS_QUEUE = "reports"
WAKE_TTL_S = 60  # a wake-up flag outlives a lost message by at most this long
INGEST_TIME_LIMIT_MS = 6 * 3600 * 1000
ARCHIVE_INTERVAL_S = 6 * 3600  # history older than the retention period moves to the archive this often
SCAN_TIME_LIMIT_MS = 10 * 60 * 1000
# A scan queued or running holds this flag; it expires on its own should its message be lost.
SCAN_FLAG = "scan_reports:busy"
SCAN_FLAG_TTL_S = 15 * 60

_stopping = StopRequest()
_local_flags: dict[str, float] = {}
_local_flags_lock = threading.Lock()


def _flag_key(name: str) -> str:
    return f"{get_settings().queue_namespace}:flag:{name}"


def _set_flag(name: str, ttl_s: float) -> bool:
    """Set flag `name` for `ttl_s` seconds unless it is set; True when this call set it."""
    client = redis_client()
    if client is not None:
        return bool(client.set(_flag_key(name), "1", nx=True, px=max(1, int(ttl_s * 1000))))
    now = time.monotonic()
    with _local_flags_lock:
        if _local_flags.get(name, 0.0) > now:
            return False
        _local_flags[name] = now + ttl_s
        return True


def _hold_flag(name: str, ttl_s: float) -> None:
    """Set flag `name` for `ttl_s` seconds from now, set or not."""
    client = redis_client()
    if client is not None:
        client.set(_flag_key(name), "1", px=max(1, int(ttl_s * 1000)))
    else:
        with _local_flags_lock:
            _local_flags[name] = time.monotonic() + ttl_s


def _clear_flag(name: str) -> None:
    client = redis_client()
    if client is not None:
        client.delete(_flag_key(name))
    else:
        with _local_flags_lock:
            _local_flags.pop(name, None)


def wake(task_type: str, force: bool = False) -> bool:
    """Make sure a worker looks at `task_type`'s tasks soon (call after the enqueue commits).

    Returns True when a message was sent, False when one is already waiting (it will see the new work).
    With `force` a message is sent whatever the flag says: after a worker vanished, the waiting message
    may have vanished with it (taken ahead by its consumer, never started), and the flag would hold every
    wake-up back until it expires.
    """
    queue.check_task_type(task_type)
    if force:
        _clear_flag(f"wake:{task_type}")
    if not _set_flag(f"wake:{task_type}", WAKE_TTL_S):
        return False
    try:
        process_tasks.send(task_type)
    except Exception:
        _clear_flag(f"wake:{task_type}")
        raise
    return True


def request_scan() -> bool:
    """Send a `scan_reports_actor` message at most once per scan interval and only while no scan is queued or
    running, whatever the number of schedulers: scans that S3 keeps waiting would otherwise pile up, one per
    interval, and take every worker thread (the sync tasks' too)."""
    interval = get_settings().report_scan_interval_s
    if not _set_flag("scan_reports", max(1.0, interval - 1)):
        return False
    if not _set_flag(SCAN_FLAG, SCAN_FLAG_TTL_S):
        return False
    try:
        scan_reports_actor.send()
    except Exception:
        _clear_flag(SCAN_FLAG)
        raise
    return True


def request_archive() -> bool:
    """Send one `archive_history_actor` message per ARCHIVE_INTERVAL_S, whatever the number of schedulers."""
    if retention_cutoff() is None or not _set_flag("archive_history", ARCHIVE_INTERVAL_S):
        return False
    archive_history_actor.send()
    return True


def request_stop() -> None:
    """Worker shutdown: running `process_tasks` loops return after their current batch, and a report being
    ingested stops within seconds, back to pending (`ingest_report`'s `stop`)."""
    _stopping.request()


def allow_run() -> None:
    """Undo `request_stop` (a worker started again in the same process)."""
    _stopping.clear()


def _tasks_time_limit_ms() -> int:
    settings = get_settings()
    return int((settings.queue_runner_budget_s + settings.queue_lease_s + 60) * 1000)


@dramatiq.actor(queue_name=TASKS_QUEUE, max_retries=0, time_limit=_tasks_time_limit_ms())
def process_tasks(task_type: str) -> None:
    """Run batches of `task_type` while tasks are due, the time budget lasts and the worker is not stopping."""
    _clear_flag(f"wake:{task_type}")
    deadline = time.monotonic() + get_settings().queue_runner_budget_s

    def fan_out(claimed: int, limit: int) -> None:
        if claimed >= limit and not _stopping.is_set():
            wake(task_type)

    while not _stopping.is_set():
        summary = tasks.run_batch(task_type, on_claimed=fan_out)
        if summary.claimed == 0 or summary.paused_until is not None:
            return
        if time.monotonic() >= deadline:
            # Give the thread back (reports wait too); a fresh message carries on.
            wake(task_type)
            return


@dramatiq.actor(queue_name=REPORTS_QUEUE, max_retries=0, time_limit=INGEST_TIME_LIMIT_MS)
def ingest_report_actor(report_id: int) -> None:
    """Ingest one report (a no-op when another worker has it or it is no longer pending).

    When the worker is asked to stop, the ingestion stops and the report is pending again (not counted as an
    interruption); the next scan sends it again. At the time limit the report ends in `error`: left `processing`, it would pass for a dead worker's,
    go back to pending and run into the same limit again, forever."""
    try:
        result = ingest_report(report_id, stop=_stopping)
    except TimeLimitExceeded:
        hours = INGEST_TIME_LIMIT_MS / 3_600_000
        with session_scope() as session:
            reports.mark_stopped(
                session,
                report_id,
                f"Ingestion was stopped after {hours:g} hours, the workers' time limit for one report. "
                "Retry it when the workers are less busy, or split the file.",
            )
        raise
    if result is not None:
        log.info("report %d: %s", report_id, result.status)


@dramatiq.actor(queue_name=REPORTS_QUEUE, max_retries=0, time_limit=SCAN_TIME_LIMIT_MS)
def scan_reports_actor() -> None:
    """Recover reports of dead workers, register new files of the bucket, send each pending one to ingest.

    While S3 does not answer, the reports held there are not sent: each would take a worker thread until
    its own timeout, to fail the same way (their lines on the Reports page say why they wait); the first
    scan that lists the bucket again sends them."""
    _hold_flag(SCAN_FLAG, SCAN_FLAG_TTL_S)  # its time in the queue does not count against the run
    try:
        _scan_reports()
    finally:
        _clear_flag(SCAN_FLAG)


def _scan_reports() -> None:
    with session_scope() as session:
        recovered = reports.recover_interrupted(session)
    if recovered:
        log.warning("reports back to pending after a worker stopped: %s", recovered)
    s3_answers = True
    try:
        with session_scope() as session:
            new = reports.scan_bucket(session)
        if new:
            log.info("new reports: %s", new)
    except Exception as exc:
        # The bucket may be unreachable or not configured; reports already registered still get ingested.
        log.warning("scanning the report bucket failed: %s: %s", type(exc).__name__, exc)
        s3_answers = not storage.unavailable(exc)
    with session_scope() as session:
        pending = reports.pending_to_send(session, s3_answers)
    for report_id in pending:
        ingest_report_actor.send(report_id)


@dramatiq.actor(queue_name=REPORTS_QUEUE, max_retries=0, time_limit=INGEST_TIME_LIMIT_MS)
def archive_history_actor() -> None:
    """Move the history entries older than the retention period to the archive (on the reports queue, so
    it never runs beside a report's merge on a small worker)."""
    cutoff = retention_cutoff()
    if cutoff is not None:
        archive_history(get_engine(), cutoff)
