"""Client for the YouTube Content ID API (youtubePartner v1): claims of a video and an asset's metadata.

Every call carries `onBehalfOfContentOwner`. Claim searches include other owners' claims
(`includeThirdPartyClaims=true`), which `mapping.ownership_fields_from_claims` needs.
"""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import quote

from catalog_ui.services.youtube.credentials import StaticToken, YouTubeCredentials
from catalog_ui.services.youtube.errors import PermanentApiError
from catalog_ui.services.youtube.http import GoogleApiTransport

# A video with more claims than this many pages is a server-side loop, not a real catalog.
MAX_CLAIM_PAGES = 200


class ContentIdClient:
    """Synchronous Content ID client acting for one content owner; the API accepts OAuth tokens only.

    `credentials` refresh their token as needed; `access_token` is a shorthand for a fixed one.
    """

    def __init__(
        self,
        base_url: str,
        content_owner_id: str,
        access_token: str | None = None,
        timeout: float = 10.0,
        *,
        credentials: YouTubeCredentials | None = None,
    ) -> None:
        if not content_owner_id or not content_owner_id.strip():
            raise ValueError(
                "content_owner_id is required: every Content ID call is made on behalf of an owner"
            )
        self.content_owner_id = content_owner_id.strip()
        if credentials is None and access_token:
            credentials = StaticToken(access_token)
        self._transport = GoogleApiTransport(
            base_url,
            timeout=timeout,
            credentials=credentials,
            default_params={"onBehalfOfContentOwner": self.content_owner_id},
        )

    @property
    def calls(self) -> int:
        """Requests sent so far, failed ones included."""
        return self._transport.calls

    def search_claims(self, video_id: str) -> list[dict[str, Any]]:
        """Return every claim snippet on `video_id` (ours and third parties'), following `nextPageToken`."""
        if not video_id or not video_id.strip():
            raise ValueError("video_id is required")
        params = {"videoId": video_id.strip(), "includeThirdPartyClaims": "true"}
        claims: list[dict[str, Any]] = []
        seen_tokens: set[str] = set()
        token: str | None = None
        for _ in range(MAX_CLAIM_PAGES):
            page = self._transport.get_json(
                "claimSearch", {**params, "pageToken": token} if token else params
            )
            claims.extend(item for item in page.get("items") or [] if isinstance(item, dict))
            token = page.get("nextPageToken") or None
            if token is None:
                return claims
            if token in seen_tokens:
                raise PermanentApiError(f"claimSearch for {video_id} repeated page token {token!r}")
            seen_tokens.add(token)
        raise PermanentApiError(f"claimSearch for {video_id} returned more than {MAX_CLAIM_PAGES} pages")

    def get_asset(self, asset_id: str) -> dict[str, Any]:
        """Return the asset with effective metadata and ownership; `PermanentApiError` (404) when unknown."""
        if not asset_id or not asset_id.strip():
            raise ValueError("asset_id is required")
        return self._transport.get_json(
            f"assets/{quote(asset_id.strip(), safe='')}",
            {"fetchMetadata": "effective", "fetchOwnership": "effective"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
