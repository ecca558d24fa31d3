"""Who sees which videos: a hidden video exists for admins only, in every list, count and history."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from catalog_ui.models import Video


def not_hidden(video_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition on a video id column (of history, tasks…): that video is not hidden.

    An anti-join against the hidden videos' ids (a partial index holds just those), so it costs nothing
    where a page reads many rows and only a few videos are hidden."""
    return video_id.not_in(select(Video.video_id).where(Video.hidden))
