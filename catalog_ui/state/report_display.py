"""How a report reads on a page: name, size, progress, duration and counts as text; no database.

Times stay ISO UTC strings (the browser shows them in its own time zone); `now` is passed in so a running
report's duration and progress are computed at each poll.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

RUNNING_STATUSES = ("pending", "processing")


@dataclasses.dataclass
class ReportRow:
    """One report as the list and the detail page show it."""

    id: int = 0
    name: str = ""
    location: str = ""
    source: str = ""
    status: str = ""
    size: str = ""
    uploaded_by: str = ""
    created_at: str = ""
    started_at: str = ""
    processed_at: str = ""
    duration: str = ""
    percent: int = 0
    progress: str = ""
    running: bool = False
    rows_read: str = "0"
    inserted: str = "0"
    updated: str = "0"
    unchanged: str = "0"
    stale: str = "0"
    rejected: str = "0"
    skipped: str = "0"
    error: str = ""  # why a report in error failed
    # Why a pending report waits (its worker stopped, S3 failed to deliver it): a note, not a failure.
    note: str = ""
    # What a report that completed but wrote nothing should say (every row rejected), else ''.
    warning: str = ""
    columns_ignored: str = ""


def size_text(size: int | None) -> str:
    """1536 → '1.5 KB'; None → ''."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def duration_text(seconds: float) -> str:
    """4.2 → '4 s'; 75 → '1 min 15 s'; 3725 → '1 h 02 min'."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02} min"


def progress_percent(report: dict[str, Any]) -> int:
    """How far the file has been read, 0–100 (100 once completed)."""
    if report["status"] == "completed":
        return 100
    size = report.get("size_bytes") or 0
    if not size:
        return 0
    return min(100, int(100 * (report.get("bytes_read") or 0) / size))


def progress_text(report: dict[str, Any], percent: int) -> str:
    """'Waiting for a worker', '42% · 12,000 rows read', 'Merging 1,000,000 rows…', '4 rows', 'Failed'."""
    status, rows = report["status"], report.get("rows_read") or 0
    if status == "pending":
        return "Waiting for a worker"
    if status == "processing":
        if percent >= 100:
            return f"Merging {rows:,} rows into the catalog…"
        return f"{percent}% · {rows:,} rows read"
    if status == "error":
        return f"Failed after {rows:,} rows" if rows else "Failed"
    return f"{rows:,} rows"


def nothing_written(report: dict[str, Any]) -> str:
    """'Nothing was written to the catalog: all 2,000 rows were rejected…' for a completed report none of
    whose rows could be used, else ''. Its badge alone says "completed", as for a report that worked."""
    rejected = report.get("rows_rejected") or 0
    used = sum(
        report.get(name) or 0 for name in ("rows_inserted", "rows_updated", "rows_unchanged", "rows_stale")
    )
    if report["status"] != "completed" or used or not rejected:
        return ""
    rows = "its only row was" if rejected == 1 else f"all {rejected:,} rows were"
    return (
        f"Nothing was written to the catalog: {rows} rejected. The report's page says why; fix the file and "
        "upload it again."
    )


def display_name(report: dict[str, Any]) -> str:
    """The file's own name (the last part of its key or path)."""
    return PurePosixPath(report["filename"].replace("\\", "/")).name or report["filename"]


def location(report: dict[str, Any]) -> str:
    """Where the file is: 's3://bucket/key' or the local path."""
    if report.get("bucket"):
        return f"s3://{report['bucket']}/{report['filename']}"
    return report["filename"]


def report_row(report: dict[str, Any], now: datetime) -> ReportRow:
    """The display row of a report (a `Report.model_dump()`, plus `uploaded_by_email` when known)."""
    percent = progress_percent(report)
    started, finished = report.get("started_at"), report.get("processed_at")
    running = report["status"] in RUNNING_STATUSES
    if started is None:
        duration = ""
    else:
        duration = duration_text(((finished if finished and not running else now) - started).total_seconds())
    ignored = report.get("columns_ignored") or []
    return ReportRow(
        id=report["id"],
        name=display_name(report),
        location=location(report),
        source=report["source"],
        status=report["status"],
        size=size_text(report.get("size_bytes")),
        uploaded_by=report.get("uploaded_by_email") or "",
        created_at=report["created_at"].isoformat(),
        started_at=started.isoformat() if started else "",
        processed_at=finished.isoformat() if finished and not running else "",
        duration=duration,
        percent=percent,
        progress=progress_text(report, percent),
        running=running,
        rows_read=f"{report['rows_read']:,}",
        inserted=f"{report['rows_inserted']:,}",
        updated=f"{report['rows_updated']:,}",
        unchanged=f"{report['rows_unchanged']:,}",
        stale=f"{report['rows_stale']:,}",
        rejected=f"{report['rows_rejected']:,}",
        skipped=f"{report['rows_skipped']:,}",
        error=(report.get("error_message") or "") if report["status"] == "error" else "",
        note=(report.get("error_message") or "") if report["status"] != "error" else "",
        warning=nothing_written(report),
        columns_ignored=", ".join(ignored),
    )


def announcement(row: ReportRow) -> str:
    """What a screen reader says of a report as it runs and when it ends: 'cms.csv: processing, 40%',
    'cms.csv: completed, 1,234 rows'. The percentage is in steps of 10 and nothing else that moves at
    every poll is in it (rows read, duration), so that the live region it sits in speaks on a change of
    status or a tenth of the file, not at every poll."""
    if row.status == "pending":
        where = "waiting for a worker"
    elif row.status == "processing":
        where = "merging into the catalog" if row.percent >= 100 else f"processing, {row.percent // 10 * 10}%"
    elif row.status == "error":
        where = f"failed: {row.error}" if row.error else "failed"
    elif row.status == "completed":
        where = f"completed, {row.rows_read} rows"
        if row.warning:
            where += ", nothing written to the catalog"
    else:
        where = row.status
    return f"{row.name}: {where}"


def announcements(rows: list[ReportRow], watched: set[int]) -> list[str]:
    """The announcements of `rows` that run or that ran while the page was open (ids in `watched`), in
    the rows' order; a report that was never seen running is not announced (its status is on screen)."""
    return [announcement(row) for row in rows if row.running or row.id in watched]
