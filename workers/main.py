"""`python -m catalog_ui worker`: Dramatiq worker processes plus a small scheduler, stopped by SIGTERM/SIGINT.

The supervisor (this process) starts `processes` worker processes of `threads` threads each, restarts
one that dies, and runs the scheduler: every QUEUE_SCHEDULER_INTERVAL_S it records the sign-outs made while the
database was down (`pending_sign_outs`), returns tasks of vanished workers to pending and wakes the task
types with due tasks; every REPORT_SCAN_INTERVAL_S it asks for a
scan of the report bucket, deletes the exports older than an hour and the sessions that ended (a
day's grace: `auth.purge_ended_sessions`) and, every few hours, asks for the history older than the
retention period to be archived. On SIGTERM or SIGINT it lets the workers finish their current batch of
tasks, stops a report's ingestion at once (the report is pending again, `workers.actors.request_stop`),
and exits.
Without REDIS_URL everything runs in this one process (`processes` is then ignored).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from catalog_ui.db import session_scope, unreachable_reason
from catalog_ui.logging_setup import configure_logging
from catalog_ui.services import pending_sign_outs, queue
from catalog_ui.services.auth import purge_ended_sessions
from catalog_ui.services.export import remove_every_users_old_exports
from catalog_ui.services.export_files import exports_root
from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

WORKER_STOP_TIMEOUT_S = 60
MAX_RESTARTS_PER_MINUTE = 5
# Longest wait between two scheduler rounds while they keep failing (the database or Redis is down).
MAX_BACKOFF_S = 60.0


def outage_reason(exc: BaseException) -> str | None:
    """One line when `exc` means the database or Redis cannot be reached (it passes on its own); else None."""
    import redis

    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return f"cannot reach Redis: {exc}"
    return unreachable_reason(exc)


class Scheduler:
    """Periodic housekeeping: lost leases, due tasks, report scans, old exports, ended sessions, history
    archival."""

    def __init__(
        self,
        wake: Callable[[str, bool], object],
        scan_reports: Callable[[], object] | None = None,
        archive: Callable[[], object] | None = None,
        interval_s: float | None = None,
        scan_interval_s: float | None = None,
    ) -> None:
        settings = get_settings()
        self._wake = wake
        self._scan_reports = scan_reports
        self._archive = archive
        self.interval_s = interval_s or settings.queue_scheduler_interval_s
        self.scan_interval_s = scan_interval_s or settings.report_scan_interval_s
        self._next_scan = 0.0
        self._next_round = 0.0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[int]:
        """One round; returns the ids of tasks whose lease had expired."""
        with session_scope() as session:  # every round: a sign-out made during an outage counts at once
            pending_sign_outs.apply(session)
        with session_scope() as session:
            recovered = queue.recover_expired_leases(session, get_settings().queue_max_retries)
        if recovered:
            log.warning("tasks of vanished workers back in the queue: %s", recovered)
        with session_scope() as session:
            due = queue.due_task_types(session)
        for task_type in due:
            # A vanished worker may have taken a waiting wake-up message with it: send a fresh one.
            self._wake(task_type, bool(recovered))
        if time.monotonic() >= self._next_scan:
            self._next_scan = time.monotonic() + self.scan_interval_s
            if self._scan_reports is not None:
                self._scan_reports()
            if self._archive is not None:
                self._archive()  # at most one request per ARCHIVE_INTERVAL_S gets through
            removed = remove_every_users_old_exports(exports_root())
            if removed:
                log.info("old exports deleted: %d", removed)
            with session_scope() as session:
                purged = purge_ended_sessions(session)
            if purged:
                log.info("ended sessions deleted: %d", purged)
        return recovered

    def tick(self) -> None:
        """Run a round when one is due. A failing round is logged (one line when the database or Redis is
        out of reach) and the next one waits twice as long as the last, up to MAX_BACKOFF_S; the first
        round that succeeds again says so and goes back to the interval."""
        if time.monotonic() < self._next_round:
            return
        try:
            self.run_once()
        except Exception as exc:
            self.failures += 1
            # The exponent is capped: an outage of days must not overflow the float.
            wait = min(self.interval_s * 2 ** min(self.failures, 16), MAX_BACKOFF_S)
            self._next_round = time.monotonic() + wait
            reason = outage_reason(exc)
            if reason is None:
                log.exception("scheduler round failed; next try in %.0f s", wait)
            else:
                log.warning("scheduler round failed: %s; next try in %.0f s", reason, wait)
            return
        if self.failures:
            log.info("scheduler back at work after %d failed round(s)", self.failures)
            self.failures = 0
        self._next_round = time.monotonic() + self.interval_s

    def run(self) -> None:
        """Run rounds (`tick`) until `stop()`."""
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval_s)

    def start_thread(self) -> None:
        """Run the scheduler on a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="queue-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop (and join its thread, if it has one)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)


def worker_process(threads: int) -> None:
    """Body of one worker process: a Dramatiq worker on all queues until SIGTERM or the supervisor dies."""
    import dramatiq

    from workers import actors
    from workers.broker import setup_broker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which sends SIGTERM
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    configure_logging()
    supervisor = os.getppid()
    worker = dramatiq.Worker(setup_broker(), worker_threads=threads)
    worker.start()
    while not stop.wait(1.0):
        if os.getppid() != supervisor:
            log.error("supervisor %d is gone; stopping", supervisor)
            break
    actors.request_stop()
    worker.stop(timeout=WORKER_STOP_TIMEOUT_S * 1000)


def run_worker(processes: int = 1, threads: int = 4) -> int:
    """Run worker processes and the scheduler until SIGTERM/SIGINT; returns the exit code (0 = clean stop)."""
    if processes < 1 or threads < 1:
        raise ValueError("processes and threads must be at least 1")
    configure_logging()
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    if not get_settings().redis_url:
        return _run_in_process(threads, stop)

    from workers import actors

    context = multiprocessing.get_context("spawn")
    children: list[BaseProcess] = [_spawn(context, threads, n) for n in range(processes)]
    scheduler = Scheduler(wake=actors.wake, scan_reports=actors.request_scan, archive=actors.request_archive)
    restarts: list[float] = []
    code = 0
    log.info("worker started: %d process(es) × %d thread(s)", processes, threads)
    while not stop.is_set():
        scheduler.tick()
        for n, child in enumerate(children):
            if child.is_alive() or stop.is_set():
                continue
            restarts = [t for t in restarts if t > time.monotonic() - 60] + [time.monotonic()]
            if len(restarts) > MAX_RESTARTS_PER_MINUTE:
                log.critical("worker processes keep dying (last exit code %s); giving up", child.exitcode)
                code = 1
                stop.set()
                break
            log.error("worker process %d exited with %s; starting a new one", child.pid, child.exitcode)
            children[n] = _spawn(context, threads, n)
        stop.wait(scheduler.interval_s)

    log.info("stopping: waiting for the current batches to finish")
    for child in children:
        if child.is_alive():
            child.terminate()
    for child in children:
        child.join(timeout=WORKER_STOP_TIMEOUT_S + 5)
        if child.is_alive():
            log.error("worker process %d did not stop; killing it", child.pid)
            child.kill()
            child.join()
    return code


def _spawn(context: multiprocessing.context.SpawnContext, threads: int, n: int) -> BaseProcess:
    child = context.Process(target=worker_process, args=(threads,), name=f"worker-{n}")
    child.start()
    return child


def _run_in_process(threads: int, stop: threading.Event) -> int:
    from workers.broker import start_in_process_worker, stop_in_process_worker

    log.warning("REDIS_URL is not set: tasks run in this process only, on %d threads", threads)
    start_in_process_worker(threads)
    stop.wait()
    stop_in_process_worker(WORKER_STOP_TIMEOUT_S)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m workers.main [--processes N] [--threads M]`."""
    parser = argparse.ArgumentParser(prog="python -m workers.main", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process (default 4)")
    args = parser.parse_args(argv)
    return run_worker(args.processes, args.threads)


if __name__ == "__main__":
    raise SystemExit(main())
