"""Field-level history: change sets, the diff of a video's fields, and `metadata_sync` entries.

Every source of change (a report, a task, a user, a bulk action, a rollback) opens one change set and writes
one `metadata_sync` row per changed video, `changes` mapping each changed field to `[old, new]`.
Single videos go through `apply_changes` (ORM, row lock); reports merge set-based with `diff_sql`, the same
rule in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Video, utc_now
from catalog_ui.models.video import USER_OWNED_FIELDS

BOOKKEEPING_COLUMNS = ("id", "video_id", "updated_at", "values_as_of", "field_as_of", "report_row_hash")
VIDEO_FIELDS: tuple[str, ...] = tuple(
    name
    for name in Video.__table__.columns.keys()  # noqa: SIM118 - a ColumnCollection, not a dict
    if name not in BOOKKEEPING_COLUMNS
)


def open_change_set(
    session: Session,
    kind: str,
    *,
    label: str | None = None,
    user_id: int | None = None,
    report_id: int | None = None,
    task_id: int | None = None,
    reason: str | None = None,
    filter: dict[str, Any] | None = None,
    reverts_change_set_id: int | None = None,
) -> ChangeSet:
    """Insert and return a change set (its id is assigned; its `video_count` grows as entries are written)."""
    change_set = ChangeSet(
        kind=kind,
        label=label,
        user_id=user_id,
        report_id=report_id,
        task_id=task_id,
        reason=reason,
        filter=filter,
        reverts_change_set_id=reverts_change_set_id,
    )
    session.add(change_set)
    session.flush()
    return change_set


def json_value(value: Any) -> Any:
    """`value` as it is stored in `changes` (the same JSON PostgreSQL's to_jsonb gives)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def diff_values(current: dict[str, Any], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for each field of `new_values` whose value differs from `current`."""
    changes: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = current.get(field)
        if _normalized(old) != _normalized(new):
            changes[field] = [json_value(old), json_value(new)]
    return changes


def _normalized(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def apply_changes(
    session: Session,
    change_set: ChangeSet,
    video_id: str,
    new_values: dict[str, Any],
    *,
    allow_user_fields: bool = False,
    as_of: datetime | None = None,
) -> dict[str, list[Any]]:
    """Set `new_values` on one video (row-locked), record the diff under `change_set`, return the diff.

    Fields people own (hidden, administered, notes…) are refused unless `allow_user_fields`; unknown fields
    raise. Nothing is written when nothing differs.
    """
    unknown = set(new_values) - set(VIDEO_FIELDS)
    if unknown:
        raise ValueError(f"unknown video fields: {', '.join(sorted(unknown))}")
    if not allow_user_fields and set(new_values) & set(USER_OWNED_FIELDS):
        raise ValueError("reports and tasks never change user-owned fields")
    video = session.execute(select(Video).where(Video.video_id == video_id).with_for_update()).scalar_one()
    changes = diff_values({field: getattr(video, field) for field in new_values}, new_values)
    if not changes:
        return {}
    for field in changes:
        setattr(video, field, new_values[field])
    if as_of is not None:
        video.field_as_of = fields_as_of(video.field_as_of, changes, as_of)
    record_entry(session, change_set, video, changes)
    return changes


def fields_as_of(known: dict[str, str] | None, fields: Iterable[str], as_of: datetime) -> dict[str, str]:
    """`known` (`video.field_as_of`) with each of `fields` as of `as_of`, never moved back: a report dated
    later than this fetch must still count as newer."""
    result = dict(known or {})
    for name in fields:
        earlier = result.get(name)
        if earlier is None or datetime.fromisoformat(earlier) < as_of:
            result[name] = as_of.isoformat()
    return result


def record_entry(
    session: Session, change_set: ChangeSet, video: Video, changes: dict[str, list[Any]]
) -> None:
    """Write one history entry for `video` (row-locked) under `change_set`, count the video in the set.

    Keeps the invariant the grid's "Last synced" sort relies on: `video.updated_at` is the time of the
    video's newest history entry. The entry gets the time now and `updated_at` the later of the two (a
    concurrent or clock-skewed writer may already have stored a later one).
    """
    now = utc_now()
    video.updated_at = func.greatest(Video.__table__.c.updated_at, now)  # the stored value, not a stale copy
    session.add(
        MetadataSync(
            video_id=video.video_id,
            channel_display_name=video.channel_display_name,
            video_title=video.title,
            sync_time=now,
            changes=changes,
            change_set_id=change_set.id,
        )
    )
    change_set.video_count += 1


def diff_sql(columns: Sequence[str], old: str = "v", new: str = "s") -> str:
    """SQL for the jsonb `{column: [old, new]}` of the `columns` that differ between aliases `old` and `new`.

    The set-based twin of `diff_values`; `columns` must be trusted column names (never user input).
    """
    parts = [
        f"CASE WHEN {old}.{c} IS DISTINCT FROM {new}.{c} "
        f"THEN jsonb_build_object('{c}', jsonb_build_array(to_jsonb({old}.{c}), to_jsonb({new}.{c}))) "
        f"ELSE '{{}}'::jsonb END"
        for c in columns
    ]
    return " || ".join(parts) if parts else "'{}'::jsonb"


def rows_differ_sql(columns: Sequence[str], old: str = "v", new: str = "s") -> str:
    """SQL that is true when any of `columns` differs between aliases `old` and `new` (NULL-safe)."""
    if not columns:
        return "false"
    return f"({', '.join(f'{old}.{c}' for c in columns)}) IS DISTINCT FROM ({', '.join(f'{new}.{c}' for c in columns)})"
