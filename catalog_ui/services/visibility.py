"""Who sees which videos: a hidden video exists for admins only, in every list, count and history."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from catalog_ui.models import Video

# The hidden videos' ids, for SQL written as text (a partial index holds just those).
HIDDEN_VIDEO_IDS = "SELECT video_id FROM video WHERE hidden"


def not_hidden(video_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition on a video id column (of history, tasks…): that video is not hidden.

    An anti-join against the hidden videos' ids (a partial index holds just those), so it costs nothing
    where a page reads many rows and only a few videos are hidden."""
    return video_id.not_in(select(Video.video_id).where(Video.hidden))


def entry_hidden_sql(entry: str) -> str:
    """A condition on the history entry aliased `entry`: its video is hidden.

    A lookup of the entry's video by id, which the planner cannot turn into a join: as a join (NOT EXISTS,
    IN) it reads every hidden video for each change set it is correlated to, seconds for a page of them on
    a large catalog, where a lookup per entry reads one index page, and a check for a visible entry stops
    at the first."""
    return f"COALESCE((SELECT v.hidden FROM video v WHERE v.video_id = {entry}.video_id), false)"


# A change set's entries of hidden videos, counted from whichever side is smaller: its own entries, each
# looked up in `video`, or the hidden videos (a partial index holds their ids), each looked up in the set
# (`idx_sync_change_set_video`). The other branch's one-time filter is false, so it never runs. Correlated
# to one change set (alias `{cs}`), so a page computes it for its rows only.
_HIDDEN_ENTRIES = """
    (SELECT count(*) FROM (
        SELECT 1 FROM {table} e
        WHERE {cs}.video_count <= (SELECT count(*) FROM video WHERE hidden)
          AND e.change_set_id = {cs}.id AND {entry_hidden}
        UNION ALL
        SELECT 1 FROM video hv JOIN {table} e ON e.change_set_id = {cs}.id AND e.video_id = hv.video_id
        WHERE {cs}.video_count > (SELECT count(*) FROM video WHERE hidden) AND hv.hidden
    ) hidden_entries)
"""


def change_set_video_count_sql(*, include_hidden: bool, change_set: str = "cs") -> str:
    """SQL for how many videos the change set aliased `change_set` touched, as the viewer may know it.

    Admins get the stored total; anybody else gets it less the set's entries of hidden videos (subtracted,
    not recounted: a report's set holds hundreds of thousands of entries)."""
    if include_hidden:
        return f"{change_set}.video_count"
    hidden = " + ".join(
        _HIDDEN_ENTRIES.format(table=table, cs=change_set, entry_hidden=entry_hidden_sql("e"))
        for table in ("metadata_sync", "metadata_sync_archive")
    )
    return f"GREATEST({change_set}.video_count - ({hidden}), 0)"
