"""How history reads on a page: values as text, field-by-field diffs and source sentences (field labels come
from `catalog_ui.services.field_labels`).

Plain functions and dataclasses (the row types the video page and the audit page hold); no database.
Times stay ISO UTC strings marked `is_time`, so the browser shows them in its own time zone.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from catalog_ui.models.audit import CREATED
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.history import TimelineEntry

LONG_TEXT = 80  # characters from which a value is shown as a block rather than inline
TIME_FIELDS = frozenset({"administered_at", "time_published", "updated_at"})
KIND_COLORS = {"report": "blue", "task": "violet", "user": "green", "bulk": "orange", "rollback": "red"}


@dataclasses.dataclass
class ChangeRow:
    """One field of a history entry as the diff view shows it."""

    field: str = ""
    label: str = ""
    old: str = ""
    new: str = ""
    is_time: bool = False
    block: bool = False
    removed: list[str] = dataclasses.field(default_factory=list)
    added: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class TimelineRow:
    """One history entry: when, from what source, and its field diffs."""

    id: int = 0
    video_id: str = ""
    title: str = ""
    time: str = ""
    kind: str = ""
    source: str = ""
    change_set_id: int = 0
    archived: bool = False
    created: bool = False
    changes: list[ChangeRow] = dataclasses.field(default_factory=list)


def duration(seconds: int) -> str:
    """225 → '3:45'; 3725 → '1:02:05'."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def value_text(field: str, value: Any) -> str:
    """A stored (or JSON) value as text: '' for none, Yes/No, '1,234', '3:45' for lengths, 'A · B' for lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return duration(value) if field == "video_length" else f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return " · ".join(str(item) for item in value)
    return str(value)


def change_row(field: str, old: Any, new: Any) -> ChangeRow:
    """The diff of one field: lists also say which items went and came; long or multi-line texts read as
    blocks."""
    old_text, new_text = value_text(field, old), value_text(field, new)
    row = ChangeRow(
        field=field,
        label=field_label(field),
        old=old_text,
        new=new_text,
        is_time=field in TIME_FIELDS,
        # A multi-line text (notes) keeps its lines only in a block: inline, they would run together.
        block=max(len(old_text), len(new_text)) > LONG_TEXT or "\n" in old_text + new_text,
    )
    if isinstance(old, list) or isinstance(new, list):
        before, after = [str(i) for i in old or []], [str(i) for i in new or []]
        row.removed = [item for item in before if item not in after]
        row.added = [item for item in after if item not in before]
    return row


def _action(entry: TimelineEntry) -> str:
    """What a person's change did, in words ("hidden", "marked administered"), else the change set's label."""
    changes = {c.field: c.new for c in entry.changes}
    if "hidden" in changes:
        return "hidden" if changes["hidden"] else "unhidden"
    if "administered" in changes:
        return "marked administered" if changes["administered"] else "unmarked administered"
    if set(changes) == {"notes"}:
        return "notes edited"
    return entry.label or "changed"


def source_text(entry: TimelineEntry) -> str:
    """Who or what made the change: 'Hidden by ana with 1,203 others — reason: takedown batch', 'Task
    metadata_sync #12, queued by bo'."""
    kind, label = entry.kind, entry.label or ""
    if kind is None:
        return "Unknown source"
    others = entry.video_count - 1
    with_others = f" with {others:,} other{'s' if others != 1 else ''}" if others > 0 else ""
    if kind == "report":
        text = f"Report {label}".strip() + with_others
    elif kind == "task":
        text = f"Task {label}".strip() + (f", queued by {entry.requested_by}" if entry.requested_by else "")
    else:
        action = label if kind == "rollback" and label else _action(entry)
        text = f"{action} by {entry.user or 'a deleted user'}{with_others}"
        text = text[:1].upper() + text[1:]
    if entry.reason:
        text += f" — reason: {entry.reason}"
    return text


def created_text(entry: TimelineEntry) -> str:
    """'Created by report cms_videos_2026-03-01.csv.gz' for an entry marking the video's first appearance."""
    if entry.kind is None:
        return "Created"
    return f"Created by {entry.kind} {entry.label}".strip() if entry.label else f"Created by {entry.kind}"


def timeline_row(entry: TimelineEntry) -> TimelineRow:
    """The row the timeline and the audit detail show for one entry."""
    changes = [change_row(c.field, c.old, c.new) for c in entry.changes if c.field != CREATED]
    if entry.created:
        changes.insert(0, ChangeRow(field=CREATED, label="Created", new=created_text(entry)))
    return TimelineRow(
        id=entry.id,
        video_id=entry.video_id,
        title=entry.video_title or "",
        time=entry.sync_time.isoformat(),
        kind=entry.kind or "unknown",
        source=source_text(entry),
        change_set_id=entry.change_set_id or 0,
        archived=entry.archived,
        created=entry.created,
        changes=changes,
    )
