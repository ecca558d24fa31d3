"""A page's dynamic route argument, read from the address the browser shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def path_tail(path: str) -> str:
    """The last segment of a URL path, decoded: `abc` for `/videos/abc` or `/videos/abc/`.

    The detail pages (`/videos/[video_id]`, `/reports/[report_id]`) read their argument here, from
    `router.url`, because `router.page.params` is deprecated since Reflex 0.8.1 and goes in 1.0.
    """
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def route_tail(state: Any) -> str:
    """`path_tail` of the page `state`'s current event came from."""
    return path_tail(state.router.url.path)
