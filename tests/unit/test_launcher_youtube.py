"""The YouTube simulator stands in for YouTube only for the local demo (`make run` sets YOUTUBE_SIMULATOR)
and only when no credentials at all are set; a production `run` (the container) never starts it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog_ui.launcher import add_demo_credentials, simulator_wanted, youtube_configured
from catalog_ui.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

CREDENTIALS = [
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
]


@pytest.fixture(autouse=True)
def no_youtube_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("YOUTUBE_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(("values", "configured"), CREDENTIALS)
def test_the_simulator_stands_in_only_without_credentials(values: dict, configured: bool) -> None:
    settings = Settings(_env_file=None, youtube_simulator=True, **values)
    assert youtube_configured(settings) is configured
    assert simulator_wanted(settings) is not configured


@pytest.mark.parametrize(("values", "configured"), CREDENTIALS)
def test_without_youtube_simulator_it_never_starts(values: dict, configured: bool) -> None:
    assert Settings(_env_file=None).youtube_simulator is False
    assert simulator_wanted(Settings(_env_file=None, **values)) is False


def test_make_run_asks_for_it_and_the_image_does_not() -> None:
    assert "run: export YOUTUBE_SIMULATOR ?= true" in (ROOT / "Makefile").read_text()
    assert "YOUTUBE_SIMULATOR=false" in (ROOT / "Dockerfile").read_text()


def test_the_demo_runs_every_task_type_against_the_simulator() -> None:
    # Content ID needs OAuth, and private videos need OAuth on the owner's behalf: a key alone is not enough.
    env: dict[str, str] = {"YOUTUBE_CONTENT_OWNER_ID": ""}
    add_demo_credentials(env)
    settings = Settings(_env_file=None, **{name.lower(): value for name, value in env.items()})
    assert settings.youtube_api_key and settings.youtube_access_token and settings.youtube_content_owner_id
