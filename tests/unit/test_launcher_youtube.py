"""`make run` stands the YouTube simulator in for YouTube only when no credentials at all are set."""

from __future__ import annotations

import os

import pytest

from catalog_ui.launcher import youtube_configured
from catalog_ui.settings import Settings


@pytest.mark.parametrize(
    ("values", "configured"),
    [
        ({}, False),
        ({"youtube_api_key": "k"}, True),
        ({"youtube_access_token": "t"}, True),
        (
            {
                "youtube_oauth_client_id": "id",
                "youtube_oauth_client_secret": "s",
                "youtube_oauth_refresh_token": "r",
            },
            True,
        ),
        ({"youtube_service_account_file": "/etc/catalog/key.json"}, True),
        ({"youtube_oauth_refresh_token": "r"}, True),  # half configured: the tasks say what is missing
    ],
)
def test_the_simulator_stands_in_only_without_credentials(
    values: dict, configured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("YOUTUBE_")]:
        monkeypatch.delenv(name)
    assert youtube_configured(Settings(_env_file=None, **values)) is configured
