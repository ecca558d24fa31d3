"""`python -m catalog_ui ingest PATH|s3://bucket/key`: register a report and ingest it with a progress bar.

Ctrl-C is a requested stop, as a worker's SIGTERM is: the ingestion stops within seconds (the statement in
flight is cancelled on the server), nothing is written to the catalog, and the report is pending again with
the "stopped" note, its interruptions not counted (`reports.restart_stopped`); the command exits with 130.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from catalog_ui.db import session_scope
from catalog_ui.services import reports
from catalog_ui.services.ingest import IngestResult, ingest_report
from catalog_ui.services.stopping import StopRequest

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C


def _register(location: str) -> Any:
    """The report of `location`, ready to ingest: registered, or taken back from error, deletion or S3's
    back-off (the operator names the file: it is wanted now)."""
    with session_scope() as session:
        report, _ = reports.register_location(session, location)
        if report.deleted_at is not None:
            report = reports.revive_report(session, report.id)
        if report.status == "error":
            report = reports.retry_report(session, report.id)
        elif report.status == "pending" and report.retry_after is not None:
            report = reports.try_now(session, report.id)
        return report


def _bar(done: int, total: int | None, rows: int, width: int = 30) -> str:
    if not total:
        return f"\r{rows:>12,} rows"
    filled = min(width, int(width * done / total))
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done / total:5.1f}%  {rows:>12,} rows"


def _ingest_stoppably(
    report_id: int, on_progress: Callable[[dict[str, int]], None]
) -> tuple[IngestResult | None, bool]:
    """`ingest_report` of `report_id`, which Ctrl-C stops (a requested stop); its result, and whether
    Ctrl-C was pressed. Our own errors of the ingestion are re-raised here.

    The ingestion runs in a thread of its own while the main thread only waits for it. Python runs signal
    handlers (KeyboardInterrupt) in the main thread between bytecodes only: with the ingestion there, a
    Ctrl-C during a long statement (the merge waiting for its turn, an index build) would not be seen until
    the statement ended, and a handler calling `StopRequest.request` could deadlock on its lock, held by the
    main thread inside `cancelling`. Only waiting for the thread, the main thread gets the KeyboardInterrupt at
    once and holds no lock of the ingestion's, so it may call `request`, which cancels the statement."""
    stop = StopRequest()
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["result"] = ingest_report(report_id, on_progress=on_progress, stop=stop)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=work, name=f"ingest-report-{report_id}")
    thread.start()
    interrupted = False
    while not done.is_set():
        try:
            # An Event, not `thread.join()`: on Python 3.11 a KeyboardInterrupt inside `join` marks the
            # thread as ended while it still runs.
            done.wait()
        except KeyboardInterrupt:
            # Again while stopping: the rollback is under way; wait for it rather than leave the report
            # `processing` (which would count as an interruption).
            if not interrupted:
                interrupted = True
                stop.request()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result"), interrupted


def ingest_location(location: str) -> int:
    """Ingest one report from a path or an S3 URL, printing progress; exit code 0 when completed, 130 when
    Ctrl-C stopped it (the report is pending again)."""
    try:
        report = _register(location)
    except reports.ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # its transaction was rolled back
        print("\nStopped (Ctrl-C); nothing was registered or ingested.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if report.status == "completed":
        print(f"Report {report.id} ({report.filename}) was already ingested; nothing to do.")
        return 0

    def show(counts: dict[str, int]) -> None:
        print(_bar(counts["bytes_read"], report.size_bytes, counts["rows_read"]), end="", flush=True)

    result, interrupted = _ingest_stoppably(report.id, show)
    print()
    if interrupted and (result is None or result.status == "pending"):
        rows = f" after {result.rows_read:,} rows" if result else ""
        print(
            f"Report {report.id} stopped (Ctrl-C){rows}; nothing was written to the catalog. It is pending "
            "again and starts from the beginning at the next ingest or worker scan.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if result is None:
        print(f"Report {report.id} is being ingested by another worker.", file=sys.stderr)
        return 1
    if result.status != "completed":
        print(f"Report {report.id} failed: {result.error_message}", file=sys.stderr)
        return 1
    print(
        f"Report {report.id}: {result.rows_read:,} rows read, {result.rows_inserted:,} new, "
        f"{result.rows_updated:,} updated, {result.rows_unchanged:,} unchanged, {result.rows_stale:,} stale, "
        f"{result.rows_rejected:,} rejected."
    )
    return 0
