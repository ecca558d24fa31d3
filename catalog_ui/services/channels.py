"""Channel queries: the channels list with each channel's catalog totals, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.services.grid_view import clean_text

CHANNEL_SORTS = {
    "name": "c.name ASC NULLS LAST, c.channel_id",
    "videos": "videos DESC, c.channel_id",
    "views": "catalog_views DESC, c.channel_id",
    "subscribers": "c.subscriber_count DESC NULLS LAST, c.channel_id",
}
SEARCH_MAX_CHARS = 200


@dataclass(frozen=True)
class ChannelPage:
    """One page of channels and how many match."""

    rows: list[dict[str, Any]]
    total: int


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_channels(
    session: Session, search: str = "", page: int = 1, per_page: int = 50, sort: str = "videos"
) -> ChannelPage:
    """Channels matching `search` (name or id, case-insensitive), with video count and views in the catalog.

    Totals are computed only for the channels on the page (an index lookup each), so the list stays fast
    on a large catalog.
    """
    order = CHANNEL_SORTS.get(sort, CHANNEL_SORTS["videos"])
    term = clean_text(search, SEARCH_MAX_CHARS)  # NUL and lone surrogates cannot be sent to PostgreSQL
    where = "TRUE" if not term else "(c.name ILIKE :pattern OR c.channel_id ILIKE :pattern)"
    params = {"pattern": _like_pattern(term), "limit": per_page, "offset": (max(page, 1) - 1) * per_page}
    # sum(bigint) is numeric (a Decimal in Python, shown without separators): cast back to bigint.
    # Sorting by catalog totals needs them for every channel; channels are few (tens to thousands).
    rows = session.execute(
        text(
            f"""
            SELECT c.channel_id, c.name, c.country, c.subscriber_count, c.view_count, c.image_url,
                   c.updated_at, t.videos, t.catalog_views
            FROM channel c
            CROSS JOIN LATERAL (
                SELECT count(*) AS videos, COALESCE(sum(v.views), 0)::bigint AS catalog_views
                FROM video v WHERE v.channel_id = c.channel_id AND NOT v.hidden
            ) t
            WHERE {where} AND NOT c.hidden
            ORDER BY {order}
            LIMIT :limit OFFSET :offset
            """
        ),
        params,
    ).mappings()
    total = session.execute(
        text(f"SELECT count(*) FROM channel c WHERE {where} AND NOT c.hidden"), params
    ).scalar_one()
    return ChannelPage(rows=[dict(row) for row in rows], total=total)
