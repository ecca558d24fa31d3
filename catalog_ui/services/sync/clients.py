"""How the tasks reach YouTube: credentials (one per process) and clients (one per thread) built from
settings, and the quota day's end."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from catalog_ui.models import utc_now
from catalog_ui.services.youtube.content_id import ContentIdClient
from catalog_ui.services.youtube.credentials import (
    YouTubeCredentials,
    credentials_from_settings,
    secret_text,
)
from catalog_ui.services.youtube.data_api import DataApiClient
from catalog_ui.services.youtube.errors import ConfigurationError
from catalog_ui.settings import get_settings

# YouTube resets daily API quotas at midnight Pacific time.
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")

# Every task type's calls carry the OAuth token when one is configured (the Data API's too, next to its
# key), so credentials Google refuses stop them all.
CREDENTIAL_TASK_TYPES = ("metadata_sync", "ownership_update", "asset_enrichment")
# The task types calling the Content ID API: they spend one quota, so its end pauses both.
CONTENT_ID_TASK_TYPES = ("ownership_update", "asset_enrichment")
NO_CREDENTIALS = (
    "YOUTUBE_SERVICE_ACCOUNT_FILE, YOUTUBE_OAUTH_CLIENT_ID/_CLIENT_SECRET/_REFRESH_TOKEN "
    "or YOUTUBE_ACCESS_TOKEN"
)

_local = threading.local()
_credentials_lock = threading.Lock()
_credentials: tuple[tuple[object, ...], YouTubeCredentials | None] | None = None  # (settings, credentials)


def next_quota_reset(now: datetime | None = None) -> datetime:
    """The first midnight in America/Los_Angeles after `now` (default: now), as an aware UTC datetime."""
    local = (now or utc_now()).astimezone(QUOTA_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=QUOTA_TIMEZONE)
    return midnight.astimezone(UTC)


def youtube_credentials() -> YouTubeCredentials | None:
    """The process's OAuth credentials for the current settings, or None when none are configured.

    One object for every thread, so a token refresh (or an `invalidate` after a 401) serves them all.
    Raises `ConfigurationError` when the settings are half configured.
    """
    s = get_settings()
    config = (
        s.youtube_service_account_file,
        s.youtube_delegated_user,
        s.youtube_oauth_client_id,
        secret_text(s.youtube_oauth_client_secret),
        secret_text(s.youtube_oauth_refresh_token),
        s.youtube_oauth_token_url,
        secret_text(s.youtube_access_token),
        s.youtube_timeout_s,
    )
    global _credentials
    with _credentials_lock:
        if _credentials is None or _credentials[0] != config:
            # The previous object is not closed: other threads' clients may still be using it.
            _credentials = (config, credentials_from_settings(s))
        return _credentials[1]


def data_api_client() -> DataApiClient:
    """This thread's Data API client for the current settings (key and/or credentials, base URL, timeout)."""
    s = get_settings()
    key, credentials = secret_text(s.youtube_api_key), youtube_credentials()
    if not key and credentials is None:
        raise ConfigurationError(
            f"Set YOUTUBE_API_KEY or one of {NO_CREDENTIALS} to call the YouTube Data API."
        )
    owner = s.youtube_content_owner_id.strip()
    config = (s.youtube_data_api_url, key, credentials, owner, s.youtube_timeout_s)
    client = _cached("data_api", config)
    if client is None:
        client = DataApiClient(
            config[0], key, timeout=s.youtube_timeout_s, credentials=credentials, content_owner_id=owner
        )
        _store("data_api", config, client)
    return client


def content_id_client() -> ContentIdClient:
    """This thread's Content ID client for the current settings (owner id, credentials, base URL, timeout)."""
    s = get_settings()
    owner = s.youtube_content_owner_id.strip()
    if not owner:
        raise ConfigurationError("Set YOUTUBE_CONTENT_OWNER_ID to call the YouTube Content ID API.")
    credentials = youtube_credentials()
    if credentials is None:
        raise ConfigurationError(
            f"Set one of {NO_CREDENTIALS}: the Content ID API accepts OAuth tokens only."
        )
    config = (s.youtube_content_id_url, owner, credentials, s.youtube_timeout_s)
    client = _cached("content_id", config)
    if client is None:
        client = ContentIdClient(config[0], owner, timeout=s.youtube_timeout_s, credentials=credentials)
        _store("content_id", config, client)
    return client


# One client per thread and API: a client's `calls` then counts only this thread's requests (the rate
# limiter charges a paginated call by it), and its connection pool is reused until the settings change.


def _cached(kind: str, config: tuple[object, ...]) -> Any:
    entry = getattr(_local, "clients", {}).get(kind)
    if entry is not None and entry[0] == config:
        return entry[1]
    if entry is not None:
        entry[1].close()
    return None


def _store(kind: str, config: tuple[object, ...], client: Any) -> Any:
    if not hasattr(_local, "clients"):
        _local.clients = {}
    _local.clients[kind] = (config, client)
    return client
