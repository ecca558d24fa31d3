"""`python -m catalog_ui ingest PATH|s3://bucket/key`: register a report and ingest it with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

from catalog_ui.db import session_scope
from catalog_ui.services import reports
from catalog_ui.services.ingest import ingest_report


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


def ingest_location(location: str) -> int:
    """Ingest one report from a path or an S3 URL, printing progress; exit code 0 when completed."""
    try:
        report = _register(location)
    except reports.ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if report.status == "completed":
        print(f"Report {report.id} ({report.filename}) was already ingested; nothing to do.")
        return 0

    def show(counts: dict[str, int]) -> None:
        print(_bar(counts["bytes_read"], report.size_bytes, counts["rows_read"]), end="", flush=True)

    result = ingest_report(report.id, on_progress=show)
    print()
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
