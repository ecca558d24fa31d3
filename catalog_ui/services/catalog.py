"""Catalog-wide queries: a simple page of videos, headline totals, and the change marker the grid polls.

The grid's own queries (filters, search, sort, keyset pages, facets) live in `video_search` and `facets`;
`search_videos` is their plain form for scripts and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.grid_view import PAGE_SIZES, GridView, VideoFilter
from catalog_ui.services.paging import page_count
from catalog_ui.services.video_search import exact_count, fetch_rows, filter_clauses

GRID_COLUMNS = (
    "video_id",
    "title",
    "channel_display_name",
    "views",
    "privacy_status",
    "claimed_status",
    "time_published",
)
MARKER_WINDOW = 2_000  # how far below the newest change set a first poll looks for ones still in flight
MAX_PENDING = 500


@dataclass(frozen=True)
class VideoPage:
    """One page of the video grid: its rows (as plain dicts) and the total of matching videos."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages for `total` at `per_page` (at least 1)."""
        return page_count(self.total, self.per_page)


def search_videos(
    session: Session, page: int = 1, per_page: int = 50, include_hidden: bool = False
) -> VideoPage:
    """Return page `page` (1-based) of videos, newest published first; hidden videos only when asked."""
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    page = max(1, page)
    flt = VideoFilter(hidden="include" if include_hidden else "exclude")
    view = GridView(filter=flt, page=page, per_page=per_page, columns=GRID_COLUMNS)
    rows = fetch_rows(session, view, offset=(page - 1) * per_page).rows
    total = exact_count(session, filter_clauses(flt))
    return VideoPage(
        rows=[{key: row[key] for key in GRID_COLUMNS} for row in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


def count_videos(session: Session) -> int:
    """Number of videos in the catalog, hidden ones included."""
    return session.execute(select(func.count()).select_from(Video)).scalar_one()


@dataclass(frozen=True)
class ChangeMarker:
    """Where the catalog's changes stood at a poll: the newest change set seen, and older ids not seen yet.

    Every change to videos (report, task, user edit, bulk action, rollback) commits with a change set.
    Ids are handed out when a transaction starts writing but become visible when it commits, so a long
    ingest can commit after shorter edits with higher ids: the ids skipped so far stay `pending` and are
    checked again at every poll (an id that never appears belonged to a rolled-back transaction).
    """

    last_id: int
    pending: tuple[int, ...] = ()


def change_marker(session: Session, previous: ChangeMarker | None = None) -> tuple[ChangeMarker, bool]:
    """The marker now and whether the catalog changed since `previous` (two index probes; no table scan)."""
    if previous is None:
        rows = session.execute(
            text(
                "SELECT id FROM change_set WHERE id > (SELECT COALESCE(max(id), 0) FROM change_set) - :window "
                "ORDER BY id"
            ),
            {"window": MARKER_WINDOW},
        ).scalars()
        seen = list(rows)
        last = seen[-1] if seen else 0
        floor = max(0, last - MARKER_WINDOW)
        return ChangeMarker(last, _pending(range(floor + 1, last + 1), set(seen))), False
    seen = list(
        session.execute(
            text(
                "SELECT id FROM change_set WHERE id > :last OR id = ANY(CAST(:pending AS bigint[])) "
                "ORDER BY id LIMIT 10000"
            ),
            {"last": previous.last_id, "pending": list(previous.pending)},
        ).scalars()
    )
    if not seen:
        return previous, False
    found = set(seen)
    last = max(previous.last_id, seen[-1])
    still = [i for i in previous.pending if i not in found]
    fresh = _pending(range(previous.last_id + 1, last + 1), found)
    return ChangeMarker(last, tuple([*still, *fresh][-MAX_PENDING:])), True


def _pending(ids: range, seen: set[int]) -> tuple[int, ...]:
    return tuple(i for i in ids if i not in seen)[-MAX_PENDING:]
