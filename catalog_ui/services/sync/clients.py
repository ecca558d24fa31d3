"""How the tasks reach YouTube: clients built from settings (one per thread), and the quota day's end."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from catalog_ui.models import utc_now
from catalog_ui.services.youtube.content_id import ContentIdClient
from catalog_ui.services.youtube.data_api import DataApiClient
from catalog_ui.settings import get_settings

# YouTube resets daily API quotas at midnight Pacific time.
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")

_local = threading.local()


class ConfigurationError(Exception):
    """A setting a task needs is missing; the message says which one."""


def next_quota_reset(now: datetime | None = None) -> datetime:
    """The first midnight in America/Los_Angeles after `now` (default: now), as an aware UTC datetime."""
    local = (now or utc_now()).astimezone(QUOTA_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=QUOTA_TIMEZONE)
    return midnight.astimezone(UTC)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def data_api_client() -> DataApiClient:
    """This thread's Data API client for the current settings (key and/or token, base URL, timeout)."""
    s = get_settings()
    key, token = _secret(s.youtube_api_key), _secret(s.youtube_access_token)
    if not key and not token:
        raise ConfigurationError("Set YOUTUBE_API_KEY or YOUTUBE_ACCESS_TOKEN to call the YouTube Data API.")
    config = (s.youtube_data_api_url, key, token, s.youtube_timeout_s)
    client = _cached("data_api", config)
    if client is None:
        client = _store("data_api", config, DataApiClient(config[0], key, token, s.youtube_timeout_s))
    return client


def content_id_client() -> ContentIdClient:
    """This thread's Content ID client for the current settings (owner id, token, base URL, timeout)."""
    s = get_settings()
    token = _secret(s.youtube_access_token)
    owner = s.youtube_content_owner_id.strip()
    if not owner:
        raise ConfigurationError("Set YOUTUBE_CONTENT_OWNER_ID to call the YouTube Content ID API.")
    if not token:
        raise ConfigurationError("Set YOUTUBE_ACCESS_TOKEN: the Content ID API accepts OAuth tokens only.")
    config = (s.youtube_content_id_url, owner, token, s.youtube_timeout_s)
    client = _cached("content_id", config)
    if client is None:
        client = _store("content_id", config, ContentIdClient(config[0], owner, token, s.youtube_timeout_s))
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
