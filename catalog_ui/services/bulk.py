"""Bulk actions from the grid: hide/unhide and mark/unmark administered on a selection or a whole filter.

One bulk action is one change set of kind 'bulk' (label, optional reason, the filter it came from, the
number of videos it changed) and one `metadata_sync` entry per changed video, all in the caller's
transaction. The work is set-based: the targets are collected once into a temporary table (a snapshot
of the filter), then processed in chunks of CHUNK videos — lock the chunk's rows, then one
`UPDATE … FROM video old … RETURNING` whose result is inserted into `metadata_sync` by the same statement
— so progress can be reported between chunks. Videos already in the wanted state are left alone.

Roles are checked by the caller (the grid's handlers are `@admin_only`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, column, func, insert, select, table, text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services import queue
from catalog_ui.services.audit import diff_sql, open_change_set
from catalog_ui.services.grid_view import VideoFilter, clean_text
from catalog_ui.services.video_search import exact_count, filter_clauses

CHUNK = 5_000
CONFIRM_OVER = 100  # the grid asks for confirmation (with a count preview) above this many videos
REASON_MAX_CHARS = 500

V = Video.__table__.c

# action → (label verb, SET clause, condition for "would change" on alias {t}, fields recorded)
ACTIONS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "hide": ("Hide", "hidden = true", "NOT {t}.hidden", ("hidden",)),
    "unhide": ("Unhide", "hidden = false", "{t}.hidden", ("hidden",)),
    "administer": (
        "Mark administered",
        "administered = true, administered_at = :stamp",
        "NOT {t}.administered",
        ("administered", "administered_at"),
    ),
    "unadminister": (
        "Unmark administered",
        "administered = false, administered_at = NULL",
        "({t}.administered OR {t}.administered_at IS NOT NULL)",
        ("administered", "administered_at"),
    ),
}

Progress = Callable[[int, int], None]


class BulkError(ValueError):
    """A bulk action that cannot run (unknown action, nothing selected); the message is for the user."""


@dataclass(frozen=True)
class BulkTarget:
    """The videos of a bulk action: explicit `video_ids`, or every video matching `filter`.

    `filter` must already be what the acting user may see (`VideoFilter.for_viewer`); a selection comes
    from the browser, so for people who may not see hidden videos it is narrowed with `visible_only`.
    """

    video_ids: tuple[str, ...] = ()
    filter: VideoFilter | None = None
    visible_only: bool = False  # a selection made by someone who may not see hidden videos

    def clauses(self) -> list[ColumnElement[bool]]:
        """WHERE conditions selecting the target videos."""
        if self.filter is not None:
            return filter_clauses(self.filter)
        if not self.video_ids:
            raise BulkError("Select at least one video.")
        chosen = [V.video_id.in_(self.video_ids)]
        return [*chosen, V.hidden.is_(False)] if self.visible_only else chosen

    def describe(self) -> dict[str, Any]:
        """What the change set stores as "the filter it came from"."""
        if self.filter is not None:
            return {"scope": "all matching", "filter": self.filter.describe()}
        return {"scope": "selected", "videos": len(self.video_ids)}


@dataclass(frozen=True)
class BulkPreview:
    """How many videos a bulk action targets, and how many of them it would change."""

    matching: int
    changing: int


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did."""

    change_set_id: int | None
    changed: int


def _check(action: str) -> tuple[str, str, str, tuple[str, ...]]:
    if action not in ACTIONS:
        raise BulkError(f"Unknown bulk action '{clean_text(action, 40)}'.")
    return ACTIONS[action]


def count_targets(session: Session, target: BulkTarget) -> int:
    """How many videos `target` holds now, counted exactly (the grid's total may be an estimate)."""
    return exact_count(session, target.clauses())


def preview(session: Session, action: str, target: BulkTarget) -> BulkPreview:
    """Count the target videos and those the action would change (for the confirmation)."""
    wanted = text(_check(action)[2].format(t="video"))
    row = session.execute(
        select(func.count(), func.count().filter(wanted))
        .select_from(Video.__table__)
        .where(*target.clauses())
    ).one()
    return BulkPreview(matching=int(row[0]), changing=int(row[1]))


def _collect(session: Session, where: list[ColumnElement[bool]]) -> int:
    session.execute(
        text("CREATE TEMP TABLE IF NOT EXISTS bulk_target (id integer PRIMARY KEY) ON COMMIT DROP")
    )
    session.execute(text("TRUNCATE bulk_target"))
    targets = table("bulk_target", column("id", Integer))
    return session.execute(insert(targets).from_select(["id"], select(V.id).where(*where))).rowcount


def _chunks(session: Session) -> Any:
    after = 0
    while True:
        ids = list(
            session.execute(
                text("SELECT id FROM bulk_target WHERE id > :after ORDER BY id LIMIT :n"),
                {"after": after, "n": CHUNK},
            ).scalars()
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def run_bulk(
    session: Session,
    action: str,
    target: BulkTarget,
    *,
    user_id: int | None,
    reason: str | None = None,
    progress: Progress | None = None,
) -> BulkResult:
    """Apply `action` to the target videos as one change set; returns it and how many videos changed."""
    verb, assignments, wanted, fields = _check(action)
    total = _collect(session, [*target.clauses(), text(wanted.format(t="video"))])
    if total == 0:
        return BulkResult(change_set_id=None, changed=0)
    change_set = open_change_set(
        session,
        "bulk",
        label=f"{verb}: {total:,} video{'s' if total != 1 else ''}",
        user_id=user_id,
        reason=clean_text(reason, REASON_MAX_CHARS) or None,
        filter=target.describe(),
    )
    statement = text(
        f"""
        WITH changed AS (
            UPDATE video v SET {assignments}, updated_at = GREATEST(v.updated_at, :stamp)
            FROM video o
            WHERE o.id = v.id AND v.id = ANY(CAST(:ids AS integer[])) AND {wanted.format(t="v")}
            RETURNING v.video_id, v.channel_display_name, v.title, ({diff_sql(fields, "o", "v")}) AS changes
        ), logged AS (
            INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                       change_set_id)
            SELECT video_id, channel_display_name, title, :stamp, changes, :cs FROM changed
            WHERE changes <> '{{}}'::jsonb
            RETURNING 1
        )
        SELECT count(*) FROM logged
        """
    )
    changed = done = 0
    if progress:
        progress(0, total)
    for ids in _chunks(session):
        # Lock first: the UPDATE then starts from a snapshot no one else can change, so `o` is the old row.
        session.execute(
            text("SELECT id FROM video WHERE id = ANY(CAST(:ids AS integer[])) ORDER BY id FOR UPDATE"),
            {"ids": ids},
        )
        # The chunk's time: the clock once its rows are ours, not the transaction's start (`now()`), so its
        # entries sort after any edit that committed before the lock and whose values they read.
        stamp = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        changed += session.execute(statement, {"ids": ids, "cs": change_set.id, "stamp": stamp}).scalar_one()
        done += len(ids)
        if progress:
            progress(done, total)
    session.execute(
        text("UPDATE change_set SET video_count = :n WHERE id = :cs"), {"n": changed, "cs": change_set.id}
    )
    session.expire(change_set)
    return BulkResult(change_set_id=change_set.id, changed=changed)


def enqueue_bulk(
    session: Session,
    target: BulkTarget,
    task_type: str,
    *,
    user_id: int | None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Queue `task_type` for every target video, CHUNK at a time; returns (created, already queued)."""
    queue.check_task_type(task_type)
    total = _collect(session, target.clauses())
    created = already = done = 0
    if progress:
        progress(0, total)
    for ids in _chunks(session):
        video_ids = list(
            session.execute(
                text("SELECT video_id FROM video WHERE id = ANY(CAST(:ids AS integer[]))"), {"ids": ids}
            ).scalars()
        )
        new, old = queue.enqueue_many(session, video_ids, task_type, created_by=user_id)
        created, already, done = created + new, already + old, done + len(ids)
        if progress:
            progress(done, total)
    return created, already
