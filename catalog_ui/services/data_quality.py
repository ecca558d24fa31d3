"""Data-quality issues of the catalog: identifiers kept as reported although they are not valid.

A report stores an invalid ISRC or UPC as written (a person may still recognise it) rather than rejecting
the row; these queries find such values with the very patterns the report reader checks, so the view
always matches what the catalog holds now, whichever report or edit wrote it. A partial index per issue
(`idx_video_isrc_invalid`, `idx_video_upc_invalid`, whose predicates are these conditions) holds just the
videos that have it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.models.video import ISRC_ANCHORED, UPC_ANCHORED

# issue → (column, the pattern its values fail); the partial indexes' predicates are the same conditions.
ISSUES: dict[str, tuple[str, str]] = {
    "isrc_invalid": ("isrc", ISRC_ANCHORED),
    "upc_invalid": ("upc", UPC_ANCHORED),
}


def _condition(issue: str) -> ColumnElement[bool]:
    column, pattern = ISSUES[issue]
    value = getattr(Video, column)
    return and_(value.is_not(None), ~value.regexp_match(pattern))


def issue_counts(session: Session, *, include_hidden: bool = False) -> dict[str, int]:
    """How many videos have each issue (hidden videos only when `include_hidden`: for admins).

    One count per issue, each read from the issue's partial index (migration 017), which holds just the
    videos with it: the dashboard asks on every visit, and a scan of a million-video catalog takes seconds.
    """
    counts = [count_query(issue, include_hidden=include_hidden).scalar_subquery() for issue in ISSUES]
    return dict(zip(ISSUES, session.execute(select(*counts)).one(), strict=True))


def count_query(issue: str, *, include_hidden: bool) -> Select[Any]:
    """The count of the videos with `issue`, in the shape its partial index answers."""
    where = _condition(issue) if include_hidden else and_(_condition(issue), Video.hidden.is_(False))
    return select(func.count()).select_from(Video).where(where)


def data_quality_issues(
    session: Session,
    issue: str | None = None,
    page: int = 1,
    per_page: int = 50,
    *,
    include_hidden: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """One page of videos with an issue (or with `issue`), by video id, and their total; hidden videos
    only when `include_hidden` (for admins).

    Each row has video_id, title, channel_display_name, isrc, upc and `issues` (the issue names).
    """
    if issue is not None and issue not in ISSUES:
        raise ValueError(f"unknown data-quality issue '{issue}'")
    where = _condition(issue) if issue else or_(*(_condition(name) for name in ISSUES))
    if not include_hidden:
        where = and_(where, Video.hidden.is_(False))
    total = session.execute(select(func.count()).select_from(Video).where(where)).scalar_one()
    flags = [_condition(name).label(name) for name in ISSUES]
    query = (
        select(Video.video_id, Video.title, Video.channel_display_name, Video.isrc, Video.upc, *flags)
        .where(where)
        .order_by(Video.video_id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    rows = []
    for row in session.execute(query):
        values = dict(row._mapping)
        rows.append(
            {
                **{key: values[key] for key in ("video_id", "title", "channel_display_name", "isrc", "upc")},
                "issues": [name for name in ISSUES if values[name]],
            }
        )
    return rows, total
