"""Who sees which videos: a hidden video exists for admins only, in every list, count and history."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from catalog_ui.models import Video


def not_hidden(video_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition on a video id column (of history, tasks…): that video is not hidden.

    An anti-join against the hidden videos' ids (a partial index holds just those), so it costs nothing
    where a page reads many rows and only a few videos are hidden."""
    return video_id.not_in(select(Video.video_id).where(Video.hidden))


# Entries of hidden videos per change set, found from the hidden videos' side: a partial index holds their
# ids and each one's history is an index range, so this reads those few entries, never a set's thousands.
_HIDDEN_ENTRIES = """
    (SELECT e.change_set_id, count(*) AS entries
     FROM video hv JOIN (SELECT video_id, change_set_id FROM metadata_sync
                         UNION ALL SELECT video_id, change_set_id FROM metadata_sync_archive) e
          ON e.video_id = hv.video_id
     WHERE hv.hidden GROUP BY e.change_set_id)
"""


def change_set_video_count_sql(*, include_hidden: bool, change_set: str = "cs") -> tuple[str, str]:
    """(expression, join) for how many videos the change set aliased `change_set` touched, as the viewer
    may know it: append the join after the change set in FROM, select the expression.

    Admins get the stored total; anybody else gets it less the set's entries of hidden videos (subtracted,
    not recounted: a report's set holds hundreds of thousands of entries)."""
    if include_hidden:
        return f"{change_set}.video_count", ""
    join = f" LEFT JOIN {_HIDDEN_ENTRIES} hidden_entries ON hidden_entries.change_set_id = {change_set}.id"
    return f"GREATEST({change_set}.video_count - COALESCE(hidden_entries.entries, 0), 0)", join
