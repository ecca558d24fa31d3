"""How the Queue page reads tasks: list rows, the status × type counts, the throughput chart, a task's detail.

Plain functions and dataclasses, no database. Times stay ISO UTC strings; the browser shows local time.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from catalog_ui.models.queue import TASK_STATUSES
from catalog_ui.services.field_labels import field_label
from catalog_ui.state.history_display import ChangeRow, change_row

ERROR_PREVIEW = 120  # characters of an error shown in the list; the detail shows all of it


@dataclasses.dataclass
class TaskRow:
    """One task of the list."""

    id: int = 0
    video_id: str = ""
    video_title: str = ""
    task_type: str = ""
    status: str = ""
    priority: int = 0
    retries: int = 0
    created_at: str = ""
    started_at: str = ""
    completed_at: str = ""
    next_attempt_at: str = ""
    error: str = ""


@dataclasses.dataclass
class CountRow:
    """One task type's tasks by status (as text: '1,204'), and its pause (the API quota is spent) if any."""

    task_type: str = ""
    pending: str = "0"
    processing: str = "0"
    completed: str = "0"
    failed: str = "0"
    cancelled: str = "0"
    total: str = "0"
    paused_until: str = ""
    pause_reason: str = ""


@dataclasses.dataclass
class TaskDetail:
    """Everything about one task, for the detail dialog."""

    id: int = 0
    video_id: str = ""
    video_title: str = ""
    task_type: str = ""
    status: str = ""
    priority: int = 0
    retry_count: int = 0
    attempts: int = 0
    retries_text: str = ""
    created_at: str = ""
    started_at: str = ""
    completed_at: str = ""
    next_attempt_at: str = ""
    lease_expires_at: str = ""
    worker_id: str = ""
    waited: str = ""
    ran: str = ""
    payload_json: str = ""
    result_json: str = ""
    result_summary: str = ""
    changes: list[ChangeRow] = dataclasses.field(default_factory=list)
    change_set_id: int = 0
    error: str = ""


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def trim(text: str | None, limit: int = ERROR_PREVIEW) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def seconds_text(seconds: float) -> str:
    """0.42 → '0.4 s'; 75 → '1 min 15 s'; 7260 → '2 h 1 min'."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def retries_text(retry_count: int, attempts: int) -> str:
    """'2 retries · claimed 3 times' (claims include runs a quota pause or a lost worker cut short)."""
    retries = f"{retry_count} retr{'y' if retry_count == 1 else 'ies'}"
    if attempts == 0:
        return f"{retries} · not started yet"
    return f"{retries} · claimed {attempts} time{'' if attempts == 1 else 's'}"


def task_row(row: dict[str, Any]) -> TaskRow:
    """A row of `services.queue.list_tasks` as the list shows it."""
    return TaskRow(
        id=row["id"],
        video_id=row["video_id"],
        video_title=row.get("video_title") or "",
        task_type=row["task_type"],
        status=row["status"],
        priority=row["priority"],
        retries=row["retry_count"],
        created_at=_iso(row["created_at"]),
        started_at=_iso(row["started_at"]),
        completed_at=_iso(row["completed_at"]),
        next_attempt_at=_iso(row["next_attempt_at"]) if row["status"] == "pending" else "",
        # A task that succeeded after retries keeps its last error; the list shows only errors that matter now.
        error=trim(row["error_message"]) if row["status"] in ("pending", "processing", "failed") else "",
    )


def count_rows(
    counts: dict[str, dict[str, int]], pauses: dict[str, dict[str, Any]]
) -> tuple[list[CountRow], CountRow]:
    """The per-type rows of the counts table and their total row."""
    rows = []
    sums = dict.fromkeys(TASK_STATUSES, 0)
    for task_type, by_status in counts.items():
        pause = pauses.get(task_type) or {}
        for status in TASK_STATUSES:
            sums[status] += by_status.get(status, 0)
        rows.append(
            CountRow(
                task_type=task_type,
                **{status: f"{by_status.get(status, 0):,}" for status in TASK_STATUSES},
                total=f"{sum(by_status.values()):,}",
                paused_until=_iso(pause.get("paused_until")),
                pause_reason=pause.get("reason") or "",
            )
        )
    total = CountRow(
        task_type="all", **{status: f"{n:,}" for status, n in sums.items()}, total=f"{sum(sums.values()):,}"
    )
    return rows, total


def throughput_points(minutes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart's bars, oldest first, labelled by minutes ago ('-14m' … 'now'), so no time zone is needed."""
    count = len(minutes)
    return [
        {
            "minute": "now" if i == count - 1 else f"-{count - 1 - i}m",
            "completed": int(m["completed"]),
            "failed": int(m["failed"]),
        }
        for i, m in enumerate(minutes)
    ]


def throughput_summary(minutes: list[dict[str, Any]]) -> str:
    """'1,204 completed · 3 failed in the last 15 min · 98/min in the last full minute'."""
    completed = sum(int(m["completed"]) for m in minutes)
    failed = sum(int(m["failed"]) for m in minutes)
    text = f"{completed:,} completed · {failed:,} failed in the last {len(minutes)} min"
    if len(minutes) >= 2:
        last_full = minutes[-2]
        text += f" · {int(last_full['completed']) + int(last_full['failed']):,}/min in the last full minute"
    return text


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def result_summary(status: str, result: dict[str, Any] | None) -> str:
    """What the task changed, in a sentence."""
    if status != "completed":
        return ""
    fields = list((result or {}).get("fields_changed") or [])
    if not fields:
        return "Nothing changed: YouTube had the values the catalog already holds."
    names = ", ".join(field_label(f) for f in fields)
    return f"Changed {len(fields)} field{'' if len(fields) == 1 else 's'}: {names}."


def task_detail(task: Any, video_title: str = "") -> TaskDetail:
    """A `ProcessingQueue` row as the detail dialog shows it."""
    result = task.result if isinstance(task.result, dict) else None
    changes = (result or {}).get("changes") or {}
    waited = ran = ""
    if task.started_at is not None:
        waited = seconds_text((task.started_at - task.created_at).total_seconds())
        if task.completed_at is not None:
            ran = seconds_text((task.completed_at - task.started_at).total_seconds())
    return TaskDetail(
        id=task.id,
        video_id=task.video_id,
        video_title=video_title,
        task_type=task.task_type,
        status=task.status,
        priority=task.priority,
        retry_count=task.retry_count,
        attempts=task.attempts,
        retries_text=retries_text(task.retry_count, task.attempts),
        created_at=_iso(task.created_at),
        started_at=_iso(task.started_at),
        completed_at=_iso(task.completed_at),
        next_attempt_at=_iso(task.next_attempt_at) if task.status == "pending" else "",
        lease_expires_at=_iso(task.lease_expires_at) if task.status == "processing" else "",
        worker_id=task.worker_id or "",
        waited=waited,
        ran=ran,
        payload_json=_json_text(task.payload),
        result_json=_json_text(task.result),
        result_summary=result_summary(task.status, result),
        changes=[
            change_row(field, *(pair if isinstance(pair, list) and len(pair) == 2 else [None, pair]))
            for field, pair in sorted(changes.items())
        ],
        change_set_id=int((result or {}).get("change_set_id") or 0),
        error=task.error_message or "",
    )
