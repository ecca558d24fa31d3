"""The video or channel id in a YouTube link, as a catalog team pastes links into a search box.

Links seen in practice: `https://www.youtube.com/watch?v=ID&t=10s`, `https://youtu.be/ID?si=…`,
`/shorts/ID`, `/live/ID`, `/embed/ID`, `/v/ID` (also on `youtube-nocookie.com`), the `m.` and `music.`
sites, YouTube Studio's `studio.youtube.com/video/ID/edit` (or `/analytics`, `/comments`…), and for
channels `youtube.com/channel/UC…` and `studio.youtube.com/channel/UC…/videos`. With or without the
scheme; the host is case-insensitive, the id is not. Anything else is not a link here (None).

A channel is also named by its handle: `@SomeArtist` typed alone, `youtube.com/@SomeArtist` (and
`/@SomeArtist/videos`…), or a legacy custom URL, `youtube.com/c/SomeName` or `youtube.com/user/SomeName`
(`channel_handle_from_text`). Handles are compared whatever their case, as YouTube does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "m.youtube.com", "music.youtube.com", "studio.youtube.com", "youtube-nocookie.com"}
)
SHORT_HOST = "youtu.be"
# Video ids are 11 characters of [A-Za-z0-9_-]; the catalog may hold other lengths (a report's dirt), so
# any run of those characters up to the column's length is taken.
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_VIDEO_PATHS = ("shorts", "live", "embed", "v", "video")  # /<kind>/ID (`video`: YouTube Studio)
# A handle: 3-30 letters (any script), digits, `_`, `-` or `.`; a legacy custom URL or user name fits the
# channel.handle column (100).
HANDLE_NAME = re.compile(r"[\w.-]{3,30}")
LEGACY_NAME = re.compile(r"[\w.-]{1,99}")
_LEGACY_PATHS = ("c", "user")  # youtube.com/c/SomeName, youtube.com/user/SomeName


def _split(text: str) -> tuple[str, list[str], str] | None:
    """(host, path segments, query) of `text` when it is a link to YouTube, else None."""
    text = text.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced `[` read as an IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    if host not in YOUTUBE_HOSTS and host != SHORT_HOST:
        return None
    return host, [segment for segment in parts.path.split("/") if segment], parts.query


def video_id_from_link(text: str) -> str | None:
    """The video id a YouTube video link names, or None (not such a link)."""
    split = _split(text)
    if split is None:
        return None
    host, path, query = split
    if host == SHORT_HOST:
        candidate = path[0] if path else ""
    elif path == ["watch"]:
        candidate = (parse_qs(query).get("v") or [""])[0]
    elif len(path) >= 2 and path[0] in _VIDEO_PATHS:
        candidate = path[1]
    else:
        return None
    return candidate if VIDEO_ID.fullmatch(candidate) else None


def channel_id_from_link(text: str) -> str | None:
    """The channel id (UC…) a YouTube channel link names, or None (not such a link)."""
    split = _split(text)
    if split is None:
        return None
    _, path, _ = split
    if len(path) >= 2 and path[0] == "channel" and CHANNEL_ID.fullmatch(path[1]):
        return path[1]
    return None


@dataclass(frozen=True)
class HandleRef:
    """A channel named by its handle (`@name`, `legacy` False) or by a legacy `/c/` or `/user/` link."""

    name: str  # as typed, without the "@"
    legacy: bool = False

    def forms(self) -> tuple[str, ...]:
        """The lower-cased `channel.handle` values it stands for: `@name`; for a legacy link also `name`
        (a legacy channel's customUrl may lack the "@")."""
        name = self.name.lower()
        return (f"@{name}", name) if self.legacy else (f"@{name}",)

    @property
    def shown(self) -> str:
        """How a message names it: `@name`, or the legacy link's name."""
        return self.name if self.legacy else f"@{self.name}"


def channel_handle_from_text(text: str) -> HandleRef | None:
    """The handle `text` names: `@name` alone, a `youtube.com/@name` link, or a legacy
    `youtube.com/c/name` or `/user/name` link; None for anything else."""
    text = text.strip()
    if text.startswith("@"):
        return HandleRef(text[1:]) if HANDLE_NAME.fullmatch(text[1:]) else None
    split = _split(text)
    if split is None or split[0] == SHORT_HOST:
        return None
    path = [unquote(segment) for segment in split[1]]
    if path and path[0].startswith("@") and HANDLE_NAME.fullmatch(path[0][1:]):
        return HandleRef(path[0][1:])
    if len(path) >= 2 and path[0].lower() in _LEGACY_PATHS and LEGACY_NAME.fullmatch(path[1]):
        return HandleRef(path[1], legacy=True)
    return None


def handle_url(handle: str | None) -> str:
    """The channel page a stored handle points at: `https://www.youtube.com/@name`, or for a legacy custom
    URL without the "@" `https://www.youtube.com/c/name`; '' without a handle."""
    if not handle:
        return ""
    path = handle if handle.startswith("@") else f"c/{handle}"
    return f"https://www.youtube.com/{quote(path, safe='/@')}"
