"""Video and channel queries for the pages: paginated in SQL, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from catalog_ui.models import Video

PAGE_SIZES = (50, 100, 200)
GRID_COLUMNS = (
    "video_id",
    "title",
    "channel_display_name",
    "views",
    "privacy_status",
    "claimed_status",
    "time_published",
)


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
        return max(1, -(-self.total // self.per_page))


def search_videos(
    session: Session, page: int = 1, per_page: int = 50, include_hidden: bool = False
) -> VideoPage:
    """Return page `page` (1-based) of videos, newest published first; hidden videos only when asked."""
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    page = max(1, page)
    columns = [getattr(Video, name) for name in GRID_COLUMNS]
    query = select(*columns)
    count = select(func.count()).select_from(Video)
    if not include_hidden:
        query = query.where(Video.hidden.is_(False))
        count = count.where(Video.hidden.is_(False))
    query = query.order_by(Video.time_published.desc().nulls_last(), Video.video_id)
    query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [dict(row._mapping) for row in session.execute(query)]
    total = session.execute(count).scalar_one()
    return VideoPage(rows=rows, total=total, page=page, per_page=per_page)


def count_videos(session: Session) -> int:
    """Number of videos in the catalog, hidden ones included."""
    return session.execute(select(func.count()).select_from(Video)).scalar_one()


def catalog_totals(session: Session) -> dict[str, int]:
    """Headline numbers: videos, channels, total views, history entries (estimates for the big tables)."""
    from sqlalchemy import text

    row = session.execute(
        text(
            """
            SELECT (SELECT count(*) FROM video) AS videos,
                   (SELECT count(*) FROM channel) AS channels,
                   (SELECT COALESCE(sum(views), 0) FROM video) AS views,
                   (SELECT GREATEST(reltuples::bigint, 0) FROM pg_class WHERE oid = 'metadata_sync'::regclass)
                       AS history
            """
        )
    ).one()
    return dict(row._mapping)
