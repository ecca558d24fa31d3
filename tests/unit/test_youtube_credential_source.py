"""Which YouTube credentials the settings choose, what half-configured settings say, and that the
`settings` command masks the new secrets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from catalog_ui.services.youtube.credentials import (
    RefreshingCredentials,
    StaticToken,
    credential_source,
    credentials_from_settings,
)
from catalog_ui.services.youtube.errors import ConfigurationError
from catalog_ui.settings import Settings
from tests.cli import printed_settings

OAUTH = {
    "youtube_oauth_client_id": "client-1",
    "youtube_oauth_client_secret": "secret-1",
    "youtube_oauth_refresh_token": "refresh-1",
}


def settings(**values: Any) -> Settings:
    """Settings from these values only (no environment variable or .env of the YouTube group)."""
    names = [name for name in Settings.model_fields if name.startswith("youtube_")]
    defaults: dict[str, Any] = {name: Settings.model_fields[name].get_default() for name in names}
    return Settings(_env_file=None, **{**defaults, **values})


@pytest.mark.parametrize(
    ("values", "source"),
    [
        ({}, None),
        ({"youtube_api_key": "key"}, None),  # an API key is not OAuth credentials
        ({"youtube_access_token": "ya29.static"}, "access_token"),
        ({**OAUTH, "youtube_access_token": "ya29.static"}, "refresh_token"),
        ({**OAUTH, "youtube_service_account_file": "key.json"}, "service_account"),
        (
            {"youtube_service_account_file": "key.json", "youtube_delegated_user": "cms@label.example"},
            "service_account",
        ),
    ],
)
def test_the_first_configured_source_wins(values: dict[str, Any], source: str | None) -> None:
    assert credential_source(settings(**values)) == source


def test_each_source_builds_its_credentials() -> None:
    static = credentials_from_settings(settings(youtube_access_token="ya29.static"))
    assert isinstance(static, StaticToken) and static.token() == "ya29.static" and not static.refreshable
    refreshing = credentials_from_settings(settings(**OAUTH))
    assert isinstance(refreshing, RefreshingCredentials) and refreshing.refreshable
    assert "YOUTUBE_OAUTH_REFRESH_TOKEN" in refreshing.settings
    assert credentials_from_settings(settings(youtube_api_key="key")) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"youtube_oauth_refresh_token": "refresh-1"},
            "Incomplete OAuth refresh-token settings: set YOUTUBE_OAUTH_CLIENT_ID and "
            "YOUTUBE_OAUTH_CLIENT_SECRET (or unset YOUTUBE_OAUTH_REFRESH_TOKEN).",
        ),
        (
            {"youtube_oauth_client_id": "client-1", "youtube_oauth_client_secret": "secret-1"},
            "Incomplete OAuth refresh-token settings: set YOUTUBE_OAUTH_REFRESH_TOKEN "
            "(or unset YOUTUBE_OAUTH_CLIENT_ID and YOUTUBE_OAUTH_CLIENT_SECRET).",
        ),
        (
            {"youtube_delegated_user": "cms@label.example", "youtube_access_token": "ya29.static"},
            "YOUTUBE_DELEGATED_USER is set but YOUTUBE_SERVICE_ACCOUNT_FILE is not.",
        ),
    ],
)
def test_half_configured_settings_name_what_is_missing(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        credentials_from_settings(settings(**values))
    assert str(raised.value) == message


def test_an_unreadable_or_wrong_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"YOUTUBE_SERVICE_ACCOUNT_FILE: cannot read .*missing\.json"
    ):
        credentials_from_settings(settings(youtube_service_account_file=tmp_path / "missing.json"))
    not_a_key = tmp_path / "client_secret.json"
    not_a_key.write_text('{"installed": {"client_id": "x"}}')
    with pytest.raises(ConfigurationError, match="is not a service-account key file"):
        credentials_from_settings(settings(youtube_service_account_file=not_a_key))


def test_settings_command_masks_the_oauth_secrets(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("YOUTUBE_")}
    env.update(
        YOUTUBE_OAUTH_CLIENT_ID="client-1.apps.googleusercontent.com",
        YOUTUBE_OAUTH_CLIENT_SECRET="oauth-Secret-1",
        YOUTUBE_OAUTH_REFRESH_TOKEN="oauth-Secret-2",
        YOUTUBE_OAUTH_TOKEN_URL="https://oauth2.example.com/token",
        YOUTUBE_SERVICE_ACCOUNT_FILE="/etc/catalog/sa.json",
        YOUTUBE_DELEGATED_USER="cms@label.example",
    )
    lines = printed_settings(env, tmp_path)
    assert lines["YOUTUBE_OAUTH_CLIENT_SECRET"] == lines["YOUTUBE_OAUTH_REFRESH_TOKEN"] == "***"
    # Not secrets: shown so an operator can check them.
    assert lines["YOUTUBE_OAUTH_TOKEN_URL"] == "https://oauth2.example.com/token"
    assert lines["YOUTUBE_OAUTH_CLIENT_ID"] == "client-1.apps.googleusercontent.com"
    assert lines["YOUTUBE_SERVICE_ACCOUNT_FILE"] == "/etc/catalog/sa.json"
