"""Production-facing settings: CORS origins and Secure cookies follow PUBLIC_URL; secrets are never printed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog_ui.settings import Settings
from tests.cli import printed_settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_cors_defaults_to_the_public_origin_never_a_wildcard() -> None:
    assert _settings(public_url="https://catalog.example.com/app").cors_allowed_origins == [
        "https://catalog.example.com"
    ]
    assert _settings(port=3100).cors_allowed_origins == ["http://localhost:3100", "http://127.0.0.1:3100"]
    explicit = _settings(public_url="https://catalog.example.com", cors_allowed_origins=["https://a.example"])
    assert explicit.cors_allowed_origins == ["https://a.example"]


@pytest.mark.parametrize(
    ("values", "secure"),
    [
        ({"public_url": "https://catalog.example.com"}, True),
        ({"public_url": "http://intranet:3000"}, False),
        ({}, False),
        ({"public_url": "http://proxy-terminates-tls", "secure_cookies": True}, True),
    ],
)
def test_session_cookie_is_secure_behind_https(values: dict, secure: bool) -> None:
    assert _settings(**values).secure_cookies is secure


def test_settings_command_masks_every_secret(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FIREBASE_", "SECURITY_"))}
    env.update(
        DATABASE_URL="postgresql://catalog:db-Secret-1@db.internal:5432/catalog",
        REDIS_URL="redis://:redis-Secret-2@cache:6379/0",
        ADMIN_PASSWORD="admin-Secret-3",
        YOUTUBE_API_KEY="yt-Secret-4",
        YOUTUBE_ACCESS_TOKEN="yt-Secret-5",
        SECURITY_PASSWORD_SALT="salt-Secret-6",
        PUBLIC_URL="https://catalog.example.com",
    )
    lines = printed_settings(env, tmp_path)
    assert lines["DATABASE_URL"] == "postgresql://catalog:***@db.internal:5432/catalog"
    assert lines["REDIS_URL"] == "redis://:***@cache:6379/0"
    for name in ("ADMIN_PASSWORD", "YOUTUBE_API_KEY", "YOUTUBE_ACCESS_TOKEN", "SECURITY_PASSWORD_SALT"):
        assert lines[name] == "***"
    assert lines["CORS_ALLOWED_ORIGINS"] == "['https://catalog.example.com']"
    assert lines["SECURE_COOKIES"] == "True"
