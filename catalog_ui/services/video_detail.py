"""One video for its page: every field grouped as the seed groups them, its channel, its links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import Session

from catalog_ui.models import Channel, Video
from catalog_ui.models.video import FIELD_GROUPS

CHANNEL_FIELDS = (
    "channel_id",
    "name",
    "image_url",
    "subscriber_count",
    "video_count",
    "view_count",
    "country",
)


@dataclass(frozen=True)
class VideoDetail:
    """A video's values, the same values grouped for display, and its channel (None when unknown)."""

    values: dict[str, Any]
    groups: list[tuple[str, list[tuple[str, Any]]]]
    channel: dict[str, Any] | None

    @property
    def video_id(self) -> str:
        """The YouTube video id."""
        return self.values["video_id"]

    @property
    def hidden(self) -> bool:
        """Whether admins hid the video from the catalog team."""
        return bool(self.values["hidden"])


def get_video_detail(session: Session, video_id: str, *, include_hidden: bool) -> VideoDetail | None:
    """The video `video_id`, or None when it does not exist (or is hidden and `include_hidden` is False)."""
    video = session.execute(select(Video).where(Video.video_id == video_id)).scalar_one_or_none()
    if video is None or (video.hidden and not include_hidden):
        return None
    values = video.model_dump()
    groups = [
        (group, [(field, values.get(field)) for field in fields]) for group, fields in FIELD_GROUPS.items()
    ]
    channel = None
    if video.channel_id:
        row = session.execute(
            select(*[getattr(Channel, name) for name in CHANNEL_FIELDS]).where(
                Channel.channel_id == video.channel_id
            )
        ).first()
        channel = dict(row._mapping) if row is not None else None
    return VideoDetail(values=values, groups=groups, channel=channel)


def video_visible(session: Session, video_id: str, *, include_hidden: bool) -> bool:
    """Whether `video_id` exists for the caller: it exists, and is not hidden unless `include_hidden`."""
    hidden = session.execute(select(Video.hidden).where(Video.video_id == video_id)).scalar_one_or_none()
    return hidden is not None and (include_hidden or not hidden)


def thumbnail_url(video_id: str) -> str:
    """YouTube's medium thumbnail of the video (320×180)."""
    return f"https://i.ytimg.com/vi/{quote(video_id, safe='')}/mqdefault.jpg"


def youtube_url(video_id: str) -> str:
    """The video's watch page on YouTube."""
    return f"https://www.youtube.com/watch?v={quote(video_id, safe='')}"
