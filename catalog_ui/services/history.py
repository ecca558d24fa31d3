"""A video's history: its timeline of field-level changes (newest first) and its views over time.

Entries come from `metadata_sync` and, on demand, from `metadata_sync_archive`; each carries the change set
that caused it (kind, label, user, reason, how many videos it touched), so the page can say "hidden by Ana
with 1,204 others — reason: takedown batch". Everything is paginated in SQL: a video may have thousands of
entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models.audit import CREATED
from catalog_ui.services.audit import VIDEO_FIELDS
from catalog_ui.services.paging import page_count
from catalog_ui.services.visibility import change_set_video_count_sql

MAX_PER_PAGE = 200
MAX_CHART_POINTS = 400
FILTERABLE_FIELDS = (*VIDEO_FIELDS, CREATED)


class HistoryError(ValueError):
    """A user-facing problem with a history query (an unknown field)."""


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: its value before and after, as stored in `changes` (JSON values)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TimelineEntry:
    """One history entry with where it came from."""

    id: int
    video_id: str
    video_title: str | None
    sync_time: datetime
    archived: bool
    changes: list[FieldChange]
    change_set_id: int | None
    kind: str | None
    label: str | None
    reason: str | None
    user: str | None
    video_count: int
    reverts_change_set_id: int | None
    requested_by: str | None = None  # who queued the task of a 'task' change set

    @property
    def created(self) -> bool:
        """True for the entry that marks the video's first appearance (it cannot be reverted)."""
        return any(change.field == CREATED for change in self.changes)


@dataclass(frozen=True)
class TimelinePage:
    """One page of a video's timeline and the number of entries matching."""

    entries: list[TimelineEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return page_count(self.total, self.per_page)


def _check_field(field: str | None) -> str | None:
    if field is None or field == "":
        return None
    if field not in FILTERABLE_FIELDS:
        raise HistoryError(f"'{field[:60]}' is not a video field.")
    return field


def _entries_sql(include_archived: bool, condition: str, *, newest: bool = False) -> str:
    """A union of live (and archived) entries with `condition` (trusted SQL over alias-free columns).

    With `newest`, each branch keeps only its newest `:top` entries, read in index order, so a page of a
    long history never sorts all of it.
    """
    order = " ORDER BY sync_time DESC, id DESC LIMIT :top" if newest else ""
    live = (
        "SELECT id, video_id, video_title, sync_time, changes, change_set_id, false AS archived "
        f"FROM metadata_sync WHERE {condition}{order}"
    )
    if not include_archived:
        return live
    archived = (
        "SELECT id, video_id, video_title, sync_time, changes, change_set_id, true AS archived "
        f"FROM metadata_sync_archive WHERE {condition}{order}"
    )
    return f"({live}) UNION ALL ({archived})"


def entry_rows_sql(entries: str, *, include_hidden: bool, order: str) -> str:
    """The page of the `entries` subquery in `order` (over its columns as `h.…`; `:limit` rows from
    `:offset`), each row joined to its change set and user (for a task's, the user who queued the task):
    the shape `entry_from_row` reads.

    The change set's `video_count` ("with 1,203 others") leaves hidden videos out unless `include_hidden`.
    The page is cut first and that count worked out once per change set on it: per entry, before the
    page was cut, it cost minutes on a deep page of a large report's change set."""
    video_count = change_set_video_count_sql(include_hidden=include_hidden)
    return f"""
        WITH page AS MATERIALIZED (SELECT * FROM ({entries}) h ORDER BY {order} LIMIT :limit OFFSET :offset),
        sets AS MATERIALIZED (
            SELECT cs.id, cs.kind, cs.label, cs.reason, cs.reverts_change_set_id, cs.user_id,
                   {video_count} AS video_count,
                   (SELECT q.created_by FROM processing_queue q WHERE q.id = cs.task_id) AS requested_by
            FROM change_set cs WHERE cs.id IN (SELECT change_set_id FROM page)
        )
        SELECT h.id, h.video_id, h.video_title, h.sync_time, h.changes, h.change_set_id, h.archived,
               cs.kind, cs.label, cs.reason, COALESCE(cs.video_count, 1) AS video_count,
               cs.reverts_change_set_id, u.username AS user_name, r.username AS requested_by
        FROM page h
        LEFT JOIN sets cs ON cs.id = h.change_set_id
        LEFT JOIN "user" u ON u.id = cs.user_id
        LEFT JOIN "user" r ON r.id = cs.requested_by
        ORDER BY {order}
    """


def entry_from_row(row: Any) -> TimelineEntry:
    """A TimelineEntry from a row of `entry_rows_sql`; its changes in the order of the video's columns."""
    changes = [FieldChange(field, pair[0], pair[1]) for field, pair in row.changes.items()]
    changes.sort(key=lambda change: (change.field != CREATED, _field_order(change.field)))
    return TimelineEntry(
        id=row.id,
        video_id=row.video_id,
        video_title=row.video_title,
        sync_time=row.sync_time,
        archived=row.archived,
        changes=changes,
        change_set_id=row.change_set_id,
        kind=row.kind,
        label=row.label,
        reason=row.reason,
        user=row.user_name,
        video_count=row.video_count,
        reverts_change_set_id=row.reverts_change_set_id,
        requested_by=row.requested_by,
    )


def _field_order(field: str) -> int:
    try:
        return VIDEO_FIELDS.index(field)
    except ValueError:
        return len(VIDEO_FIELDS)


def video_timeline(
    session: Session,
    video_id: str,
    *,
    field: str | None = None,
    include_archived: bool = False,
    include_hidden: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> TimelinePage:
    """Page `page` of `video_id`'s history, newest first; only entries touching `field` when given.

    How many other videos each entry's change set touched counts hidden ones only with `include_hidden`
    (admins)."""
    field = _check_field(field)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    condition = "video_id = :video_id" + (" AND changes ? :field" if field else "")
    offset = (page - 1) * per_page
    params = {
        "video_id": video_id,
        "field": field,
        "limit": per_page,
        "offset": offset,
        "top": offset + per_page,
    }
    newest = _entries_sql(include_archived, condition, newest=True)
    rows = session.execute(
        text(entry_rows_sql(newest, include_hidden=include_hidden, order="h.sync_time DESC, h.id DESC")),
        params,
    )
    entries = _entries_sql(include_archived, condition)
    total = session.execute(text(f"SELECT count(*) FROM ({entries}) h"), params).scalar_one()
    return TimelinePage(
        entries=[entry_from_row(row) for row in rows], total=total, page=page, per_page=per_page
    )


def history_fields(session: Session, video_id: str, *, include_archived: bool = False) -> list[str]:
    """The fields that appear in `video_id`'s history, in the order of the video's columns."""
    entries = _entries_sql(include_archived, "video_id = :video_id")
    keys = session.execute(
        text(f"SELECT DISTINCT jsonb_object_keys(h.changes) FROM ({entries}) h"), {"video_id": video_id}
    ).scalars()
    return sorted((key for key in keys if key in FILTERABLE_FIELDS), key=_field_order)


def archived_entry_count(session: Session, video_id: str) -> int:
    """How many of `video_id`'s history entries are archived (0 means the toggle changes nothing)."""
    return session.execute(
        text("SELECT count(*) FROM metadata_sync_archive WHERE video_id = :video_id"), {"video_id": video_id}
    ).scalar_one()


def views_series(
    session: Session, video_id: str, *, include_archived: bool = False, max_points: int = MAX_CHART_POINTS
) -> list[tuple[datetime, int]]:
    """(time, views) after each recorded `views` change, oldest first.

    When the video's creation is recorded, the value before the oldest change starts the series at the
    creation time. Long series are thinned to about `max_points`, always keeping the oldest and newest.
    """
    params = {"video_id": video_id, "max_points": max(2, max_points)}
    entries = _entries_sql(include_archived, "video_id = :video_id AND changes ? 'views'")
    rows = session.execute(
        text(
            f"""
            WITH points AS (
                SELECT h.sync_time, h.id, h.changes -> 'views' AS pair,
                       row_number() OVER (ORDER BY h.sync_time, h.id) AS n,
                       count(*) OVER () AS total
                FROM ({entries}) h
            )
            SELECT sync_time, pair, n FROM points
            WHERE n = 1 OR n = total OR (n - 1) % GREATEST(1, ceil(total::numeric / :max_points)::int) = 0
            ORDER BY n
            """
        ),
        params,
    ).all()
    if not rows:
        return []
    created = _entries_sql(include_archived, f"video_id = :video_id AND changes ? '{CREATED}'")
    created_at = session.execute(text(f"SELECT min(h.sync_time) FROM ({created}) h"), params).scalar()
    series: list[tuple[datetime, int]] = []
    first_old = rows[0].pair[0]
    if created_at is not None and created_at < rows[0].sync_time and isinstance(first_old, int):
        series.append((created_at, first_old))
    series.extend((row.sync_time, row.pair[1]) for row in rows if isinstance(row.pair[1], int))
    return series
