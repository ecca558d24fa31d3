"""Channel queries: the channels list with each channel's catalog totals, one page at a time.

Totals (visible videos and their views) are read for as few videos as the sort allows: by name or
subscribers, the page of channels is chosen first and only its channels' videos are read; by video count,
the counts come from an index-only scan of idx_video_channel_id (less the hidden videos, a partial index
holds those) and only the page's videos are read for views; by views, every matching channel's videos are
read once, in one grouped pass (no per-channel lookups).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.services.channel_handles import not_found_note
from catalog_ui.services.grid_view import clean_value
from catalog_ui.services.youtube_links import (
    HandleRef,
    channel_handle_from_text,
    channel_id_from_link,
    handle_url,
)

# Names in dictionary order (case-insensitive, accents next to their letter; migration 024), not bytes.
CHANNEL_SORTS = {
    "name": "dictionary_key(c.name) COLLATE dictionary ASC NULLS LAST, c.channel_id",
    "videos": "videos DESC, c.channel_id",
    "views": "catalog_views DESC, c.channel_id",
    "subscribers": "c.subscriber_count DESC NULLS LAST, c.channel_id",
}
SEARCH_MAX_CHARS = 200

_COLUMNS = (
    "c.channel_id, c.name, c.handle, c.country, c.subscriber_count, c.view_count, c.image_url, c.updated_at"
)
ALL, TEXT, HANDLE = "", "text", "handle"  # what a search compares: nothing, name/id/handle text, a handle


def _of_channels(channel_ids: str | None) -> str:
    """Condition on video `v`: its channel is one of the subquery `channel_ids` (None: any channel)."""
    return "v.channel_id IS NOT NULL" if channel_ids is None else f"v.channel_id IN ({channel_ids})"


def _totals(channel_ids: str | None, *, views_only: bool = False) -> str:
    """Visible videos and their views per channel of the subquery `channel_ids`, in one grouped pass."""
    # sum(bigint) is numeric (a Decimal in Python, shown without separators): cast back to bigint.
    videos = "" if views_only else "count(*) AS videos, "
    return f"""
        SELECT v.channel_id, {videos}COALESCE(sum(v.views), 0)::bigint AS catalog_views
        FROM video v
        WHERE {_of_channels(channel_ids)} AND NOT v.hidden
        GROUP BY v.channel_id
    """


def _where(kind: str) -> str:
    """Condition on channel `c`: it matches the search (`TEXT`: `:pattern` in its name, id or handle;
    `HANDLE`: its handle is one of `:handles`, through idx_channel_handle), or any channel (`ALL`)."""
    # Names compare without their accents (`search_fold`, migration 023), as the grid's search does.
    if kind == HANDLE:
        return "lower(c.handle) = ANY(:handles)"
    if kind == TEXT:
        return (
            "(search_fold(c.name) ILIKE search_fold(:pattern) OR c.channel_id ILIKE :pattern"
            " OR c.handle ILIKE :pattern)"
        )
    return "TRUE"


def _page_sql(sort: str, kind: str) -> str:
    """SELECT of one page of channels sorted by `sort`, with their totals (those matching the search of
    `kind` only, `_where`)."""
    order, where = CHANNEL_SORTS[sort], _where(kind)
    searching = kind != ALL
    # Without a search every channel matches: no need to look each video's channel up. Written out, not a
    # CTE, where it feeds a scan of every video: a CTE would keep that scan serial.
    matching_ids = f"SELECT c.channel_id FROM channel c WHERE {where} AND NOT c.hidden" if searching else None
    if sort == "views":
        return f"""
            WITH totals AS ({_totals(matching_ids)})
            SELECT {_COLUMNS}, COALESCE(t.videos, 0) AS videos, COALESCE(t.catalog_views, 0) AS catalog_views
            FROM channel c LEFT JOIN totals t ON t.channel_id = c.channel_id
            WHERE {where} AND NOT c.hidden
            ORDER BY {order} LIMIT :limit OFFSET :offset
        """
    if sort == "videos":
        # Counting needs no video row (index-only scan); the hidden videos are few and subtracted.
        return f"""
            WITH counts AS (
                SELECT v.channel_id, count(*) AS n FROM video v
                WHERE {_of_channels(matching_ids)} GROUP BY v.channel_id
            ),
            hidden AS (SELECT v.channel_id, count(*) AS n FROM video v WHERE v.hidden GROUP BY v.channel_id),
            page AS (
                SELECT c.*, COALESCE(k.n, 0) - COALESCE(h.n, 0) AS videos
                FROM channel c
                LEFT JOIN counts k ON k.channel_id = c.channel_id
                LEFT JOIN hidden h ON h.channel_id = c.channel_id
                WHERE {where} AND NOT c.hidden
                ORDER BY {order} LIMIT :limit OFFSET :offset
            ),
            totals AS ({_totals("SELECT channel_id FROM page", views_only=True)})
            SELECT {_COLUMNS}, c.videos, COALESCE(t.catalog_views, 0) AS catalog_views
            FROM page c LEFT JOIN totals t ON t.channel_id = c.channel_id
            ORDER BY {order}
        """
    return f"""
        WITH page AS (
            SELECT * FROM channel c WHERE {where} AND NOT c.hidden ORDER BY {order} LIMIT :limit OFFSET :offset
        ),
        totals AS ({_totals("SELECT channel_id FROM page")})
        SELECT {_COLUMNS}, COALESCE(t.videos, 0) AS videos, COALESCE(t.catalog_views, 0) AS catalog_views
        FROM page c LEFT JOIN totals t ON t.channel_id = c.channel_id
        ORDER BY {order}
    """


@dataclass(frozen=True)
class ChannelPage:
    """One page of channels and how many match."""

    rows: list[dict[str, Any]]  # the columns of _COLUMNS, the totals, and `handle_url` (YouTube's page)
    total: int
    note: str = ""  # what the page says when a handle searched names no channel


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_channels(
    session: Session, search: str = "", page: int = 1, per_page: int = 50, sort: str = "videos"
) -> ChannelPage:
    """Channels matching `search` (name, id or handle, whatever the case; a name whatever its accents; a
    link to a channel, `youtube.com/channel/UC…`, as its id; a handle link, `youtube.com/@name`, `/c/name`
    or `/user/name`, as its handle exactly), with video count and views in the catalog (hidden videos left
    out); hidden channels are not listed. A handle (`@name` typed, or a handle link) that finds no channel
    gives the page's `note`.

    Sorted by name or subscribers, totals are computed only for the channels on the page.
    """
    sort = sort if sort in CHANNEL_SORTS else "videos"
    # NUL and lone surrogates cannot be sent to PostgreSQL; blanks inside stay (a name may hold two)
    term = clean_value(search, SEARCH_MAX_CHARS)
    term = channel_id_from_link(term) or term
    handle = channel_handle_from_text(term)
    # `@name` typed is read as text too, so the channel shows while its handle is typed (`@nov` finds
    # `@novarecords`); a link names its handle whole.
    kind = HANDLE if handle is not None and not term.startswith("@") else TEXT if term else ALL
    where = _where(kind)
    params = {
        "pattern": _like_pattern(term),
        "handles": list(handle.forms()) if handle is not None else [],
        "limit": per_page,
        "offset": (max(page, 1) - 1) * per_page,
    }
    rows = session.execute(text(_page_sql(sort, kind)), params).mappings()
    total = session.execute(
        text(f"SELECT count(*) FROM channel c WHERE {where} AND NOT c.hidden"), params
    ).scalar_one()
    page_rows = [{**row, "handle_url": handle_url(row["handle"])} for row in rows]
    return ChannelPage(rows=page_rows, total=total, note=_note(handle, total))


def _note(handle: HandleRef | None, total: int) -> str:
    """'No channel has the handle @name.' when a handle was searched and nothing matched."""
    return not_found_note([handle]) if handle is not None and total == 0 else ""
