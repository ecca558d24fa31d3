"""Change sets for the /audit page: who changed what, why, and how many videos — newest first, paginated.

The list is filtered by kind, user and creation time; its total is counted exactly up to `COUNT_CAP` and
shown as "10,000+" beyond (a change set per task makes the table large). A change set's detail lists its
fields with how many videos each touched, and its entries (live and archived) one page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models.audit import CHANGE_SET_KINDS
from catalog_ui.services.history import TimelineEntry, entry_from_row, entry_rows_sql
from catalog_ui.services.paging import page_count
from catalog_ui.services.visibility import change_set_video_count_sql, entry_hidden_sql

COUNT_CAP = 10_000
MAX_PER_PAGE = 200


class ChangeSetError(ValueError):
    """A bad filter for the change set list; the message is for the user."""


@dataclass(frozen=True)
class ChangeSetPage:
    """One page of change sets; `total` is exact unless `total_capped` (then it is `COUNT_CAP`)."""

    rows: list[dict[str, Any]]
    total: int
    total_capped: bool
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages the counted total spans (at least 1)."""
        return page_count(self.total, self.per_page)


@dataclass(frozen=True)
class EntryPage:
    """One page of a change set's history entries, by video id."""

    entries: list[TimelineEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return page_count(self.total, self.per_page)


def _select(include_hidden: bool) -> str:
    """The list's SELECT; `video_count` leaves out hidden videos unless `include_hidden` (admins)."""
    video_count = change_set_video_count_sql(include_hidden=include_hidden)
    return f"""
        SELECT cs.id, cs.kind, cs.label, cs.reason, cs.created_at, {video_count} AS video_count, cs.filter,
               cs.report_id, cs.task_id, cs.user_id, u.username AS user_name, cs.reverts_change_set_id,
               (SELECT max(r.id) FROM change_set r WHERE r.reverts_change_set_id = cs.id) AS reverted_by,
               (SELECT qu.username FROM processing_queue q JOIN "user" qu ON qu.id = q.created_by
                WHERE q.id = cs.task_id) AS requested_by
        FROM change_set cs LEFT JOIN "user" u ON u.id = cs.user_id
    """


def _visible_sql() -> str:
    """A change set with no entry at all, or with one of a video that is not hidden: its entries' videos
    are looked up one by one until a visible one is found (`entry_hidden_sql`)."""
    visible = " UNION ALL ".join(
        f"SELECT 1 FROM {table} e WHERE e.change_set_id = cs.id AND NOT {entry_hidden_sql('e')}"
        for table in ("metadata_sync", "metadata_sync_archive")
    )
    return f"(cs.video_count = 0 OR EXISTS ({visible}))"


def list_change_sets(
    session: Session,
    *,
    include_hidden: bool,
    kind: str | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ChangeSetPage:
    """Change sets newest first, filtered by kind, user (theirs and those of the tasks they queued) and
    `since <= created_at < until`; a task's row names who queued it (`requested_by`).

    Unless `include_hidden` (admins), a change set that only touched hidden videos is left out: its label
    may name one ("Revert entry #7 of …"), and a hidden video does not exist for anybody else; the others'
    `video_count` leaves hidden videos out."""
    conditions, params = ["true" if include_hidden else _visible_sql()], {}
    if kind:
        if kind not in CHANGE_SET_KINDS:
            raise ChangeSetError(f"Unknown kind '{kind[:40]}'; use one of {', '.join(CHANGE_SET_KINDS)}.")
        conditions.append("cs.kind = :kind")
        params["kind"] = kind
    if user_id is not None:
        # A user's changes include those of the tasks they queued (a task's change set has no user of its own).
        conditions.append(
            "(cs.user_id = :user_id OR EXISTS (SELECT 1 FROM processing_queue q "
            "WHERE q.id = cs.task_id AND q.created_by = :user_id))"
        )
        params["user_id"] = user_id
    if since is not None:
        conditions.append("cs.created_at >= :since")
        params["since"] = since
    if until is not None:
        conditions.append("cs.created_at < :until")
        params["until"] = until
    if since is not None and until is not None and until <= since:
        raise ChangeSetError("The end of the period must come after its start.")
    where = " AND ".join(conditions)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    rows = session.execute(
        text(f"{_select(include_hidden)} WHERE {where} ORDER BY cs.id DESC LIMIT :limit OFFSET :offset"),
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    counted = session.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM change_set cs WHERE {where} LIMIT :cap) c"),
        {**params, "cap": COUNT_CAP + 1},
    ).scalar_one()
    return ChangeSetPage(
        rows=[dict(row._mapping) for row in rows],
        total=min(counted, COUNT_CAP),
        total_capped=counted > COUNT_CAP,
        page=page,
        per_page=per_page,
    )


def get_change_set(session: Session, change_set_id: int, *, include_hidden: bool) -> dict[str, Any] | None:
    """One change set as a row of the list (with `reverted_by`), or None (also when it only touched hidden
    videos, unless `include_hidden`; then its `video_count` counts the visible videos only)."""
    visible = "" if include_hidden else f" AND {_visible_sql()}"
    row = session.execute(
        text(f"{_select(include_hidden)} WHERE cs.id = :id{visible}"), {"id": change_set_id}
    ).first()
    return dict(row._mapping) if row is not None else None


def entries_sql(
    columns: str, *, change_set: str = ":id", visible_only: bool = False, first: bool = False
) -> str:
    """Change set `change_set`'s live and archived entries (`columns` of alias `e`, and `archived`); only
    those of visible videos with `visible_only`; `first` keeps each branch's first `:top` by video id."""
    hidden = (
        " AND NOT EXISTS (SELECT 1 FROM video v WHERE v.video_id = e.video_id AND v.hidden)"
        if visible_only
        else ""
    )
    order = " ORDER BY e.video_id, e.id LIMIT :top" if first else ""
    return " UNION ALL ".join(
        f"(SELECT {columns}, {archived} AS archived FROM {table} e WHERE e.change_set_id = {change_set}{hidden}{order})"
        for table, archived in (("metadata_sync", "false"), ("metadata_sync_archive", "true"))
    )


def change_set_fields(session: Session, change_set_id: int, *, include_hidden: bool) -> list[tuple[str, int]]:
    """(field, videos it changed) for the change set, most changed first; of visible videos only unless
    `include_hidden` (admins)."""
    entries = entries_sql("e.changes", visible_only=not include_hidden)
    rows = session.execute(
        text(
            f"""
            SELECT k.field, count(*) AS videos
            FROM ({entries}) e CROSS JOIN LATERAL jsonb_object_keys(e.changes) AS k(field)
            GROUP BY k.field ORDER BY count(*) DESC, k.field
            """
        ),
        {"id": change_set_id},
    )
    return [(row.field, row.videos) for row in rows]


def change_set_entries(
    session: Session, change_set_id: int, *, include_hidden: bool, page: int = 1, per_page: int = 50
) -> EntryPage:
    """Page `page` of the change set's history entries, ordered by video id.

    Entries of hidden videos are left out unless `include_hidden` (admins): a hidden video does not exist
    for anybody else, in the audit log either.
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    columns = "e.id, e.video_id, e.video_title, e.sync_time, e.changes, e.change_set_id"
    offset = (page - 1) * per_page
    params = {"id": change_set_id, "limit": per_page, "offset": offset, "top": offset + per_page}
    first = entries_sql(columns, visible_only=not include_hidden, first=True)
    rows = session.execute(
        text(entry_rows_sql(first, include_hidden=include_hidden, order="h.video_id, h.id")), params
    )
    entries = entries_sql("1", visible_only=not include_hidden)
    total = session.execute(text(f"SELECT count(*) FROM ({entries}) h"), params).scalar_one()
    return EntryPage(entries=[entry_from_row(row) for row in rows], total=total, page=page, per_page=per_page)


def user_choices(session: Session) -> list[tuple[int, str]]:
    """(id, username) of every user, for the "by user" filter."""
    rows = session.execute(text('SELECT id, username FROM "user" ORDER BY username'))
    return [(row.id, row.username) for row in rows]
