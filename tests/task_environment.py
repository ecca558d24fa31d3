"""Settings that point the YouTube task clients at a simulator, for the tests that run tasks in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from catalog_ui.settings import get_settings
from tests.simulators.youtube import YouTubeSimulator

OWNER = "owner-1"


def task_environment(simulator: YouTubeSimulator) -> dict[str, str]:
    """The clients aimed at `simulator` as `OWNER`, with an API key; no rate limit, quick short retries."""
    return {
        "YOUTUBE_DATA_API_URL": simulator.data_api_url,
        "YOUTUBE_CONTENT_ID_URL": simulator.content_id_url,
        "YOUTUBE_API_KEY": "test-key",
        "YOUTUBE_CONTENT_OWNER_ID": OWNER,
        "YOUTUBE_TIMEOUT_S": "5",
        "YOUTUBE_DATA_API_CALLS_PER_S": "0",
        "YOUTUBE_CONTENT_ID_CALLS_PER_S": "0",
        "QUEUE_MAX_RETRIES": "2",
        "QUEUE_BACKOFF_BASE_S": "0.05",
        "QUEUE_BACKOFF_MAX_S": "0.2",
    }


@contextmanager
def settings_from(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], unset: tuple[str, ...] = ()
) -> Iterator[None]:
    """`env` (and none of `unset`, nor REDIS_URL: tasks run in-process) as the settings for the block."""
    for name in ("REDIS_URL", *unset):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
