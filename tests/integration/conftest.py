"""Fixtures of the integration tests: a real S3 endpoint (moto's server), a fresh bucket per test, a
database that does not answer, and a signed-in user's session token."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.settings import get_settings
from tests.s3 import S3Endpoint, moto_endpoint, use_bucket


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """moto's S3 server on 127.0.0.1 for the whole run."""
    with moto_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def s3_bucket(s3_endpoint: S3Endpoint) -> Iterator[str]:
    """A new bucket, with the settings (S3_ENDPOINT_URL, S3_BUCKET, credentials) pointing at it."""
    with use_bucket(s3_endpoint) as bucket:
        yield bucket


@pytest.fixture
def database_down(engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """DATABASE_URL on a port nothing listens on (the app's engine made again from it), then back."""
    from catalog_ui.db import get_engine

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/catalog")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def token(session) -> str:
    """The session token of a plain user (ana@example.com) signed in with a password."""
    user = create_user(session, "ana@example.com", "correct-horse-42")
    token, _ = open_session(session, user, None, None, "flask-security")
    session.commit()
    return token
