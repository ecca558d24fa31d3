"""Client for the YouTube Data API v3: `videos.list` and `channels.list` by id, up to 50 ids a call.

Each call costs 1 quota unit whatever the parts, so `calls` is the quota spent by this client.
With OAuth credentials and a content owner id, every call is made `onBehalfOfContentOwner`: only then does
YouTube return the owner's private videos (a request with an API key alone omits them, as it omits
deleted ones). The parameter is refused without OAuth, so an API key alone never sends it.
Videos also ask for `liveStreamingDetails` (free): it is the only part that still marks a live stream
after the broadcast has ended, which `mapping.video_fields_from_resource` relies on for `is_live_stream`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

from catalog_ui.services.youtube.credentials import StaticToken, YouTubeCredentials
from catalog_ui.services.youtube.http import GoogleApiTransport

MAX_IDS_PER_CALL = 50
VIDEO_PARTS = "snippet,contentDetails,statistics,status,liveStreamingDetails"
CHANNEL_PARTS = "snippet,statistics,brandingSettings"


class DataApiClient:
    """Synchronous Data API client. Authenticates with an API key, OAuth credentials, or both.

    `credentials` refresh their token as needed; `access_token` is a shorthand for a fixed one. Without
    any the server answers 401 (`PermanentApiError`). Errors are raised as the classes of
    `catalog_ui.services.youtube.errors`; nothing is retried here but a 401 after a token refresh.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        access_token: str | None = None,
        timeout: float = 10.0,
        *,
        credentials: YouTubeCredentials | None = None,
        content_owner_id: str | None = None,
    ) -> None:
        params = {"key": api_key} if api_key else {}
        if credentials is None and access_token:
            credentials = StaticToken(access_token)
        self.sees_private = bool(credentials is not None and content_owner_id)
        if self.sees_private:
            params["onBehalfOfContentOwner"] = content_owner_id
        self._transport = GoogleApiTransport(
            base_url, timeout=timeout, credentials=credentials, default_params=params or None
        )

    @property
    def calls(self) -> int:
        """Requests sent so far (failed ones included), i.e. quota units spent by this client."""
        return self._transport.calls

    def list_videos(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return video resources by id for at most 50 distinct ids; ids YouTube omits are absent."""
        return self._list("videos", VIDEO_PARTS, ids)

    def list_channels(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return channel resources by id for at most 50 distinct ids; unknown ids are absent."""
        return self._list("channels", CHANNEL_PARTS, ids)

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _list(self, resource: str, parts: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        wanted = _distinct_ids(ids)
        if len(wanted) > MAX_IDS_PER_CALL:
            raise ValueError(
                f"{resource}.list takes at most {MAX_IDS_PER_CALL} ids a call, got {len(wanted)}"
            )
        if not wanted:
            return {}
        body = self._transport.get_json(resource, {"part": parts, "id": ",".join(wanted)})
        return {
            item["id"]: item
            for item in body.get("items") or []
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }


def _distinct_ids(ids: Iterable[str]) -> list[str]:
    if isinstance(ids, str):
        raise TypeError("pass a sequence of ids, not a single string")
    return list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
