"""A sign-out while the database is down: the cookie goes at once, and the session is revoked once the
database answers again (by the scheduler, or by the first request that presents a copy of the cookie), so a
copied cookie does not keep working until the session expires."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import text
from starlette.testclient import TestClient

from catalog_ui.api import api_routes
from catalog_ui.db import get_engine, session_scope
from catalog_ui.services import pending_sign_outs
from catalog_ui.services.auth import (
    SESSION_COOKIE,
    issue_ticket,
    redeem_ticket,
    resolve_session,
    sign_in_password,
    token_hash,
)
from catalog_ui.services.users import create_user
from catalog_ui.settings import get_settings
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import current_principal
from tests.states import state_for
from workers.main import Scheduler

PASSWORD = "correct-horse-42"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "app"))
    get_settings.cache_clear()
    return tmp_path / "app"


@pytest.fixture
def client(engine, data_dir: Path) -> TestClient:
    return TestClient(api_routes(), follow_redirects=False)


def _signed_in(session, email: str = "ana@example.com") -> tuple[str, int]:
    """A browser's session token, after the hand-off, and the session's id."""
    user = session.execute(text('SELECT id FROM "user" WHERE email = :e'), {"e": email}).first()
    if user is None:
        create_user(session, email, PASSWORD)
    _, principal = sign_in_password(session, email, PASSWORD, "10.0.0.1", "pytest")
    ticket = issue_ticket(session, principal.session_id)
    session.commit()
    token, _ = redeem_ticket(session, ticket)
    session.commit()
    return token, principal.session_id


def _revoked_at(session, session_id: int):
    session.rollback()  # a fresh snapshot
    return session.execute(
        text("SELECT revoked_at FROM user_session WHERE id = :id"), {"id": session_id}
    ).scalar_one()


def _database_back(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """Undo `database_down` mid-test: the app's engine made again from the real DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()


def _sign_out(client: TestClient, token: str):
    client.cookies.set(SESSION_COOKIE, token)
    response = client.get("/api/session/end")
    client.cookies.clear()
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert 'catalog_session=""' in response.headers["set-cookie"]  # the browser's cookie goes at once
    return response


def test_a_sign_out_during_an_outage_is_recorded_by_the_scheduler_once_the_database_is_back(
    session, client, data_dir, database_down, database_url, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="catalog_ui.security")
    copied, signed_out = _signed_in(session)
    other_tab, stays = _signed_in(session)

    _sign_out(client, copied)

    (line,) = [r.getMessage() for r in caplog.records if r.name == "catalog_ui.security"]
    assert line.startswith("signed out without revoking the session: cannot reach the database")
    assert line.endswith("; revoked once it answers")
    assert _revoked_at(session, signed_out) is None  # the database could not be told
    kept = data_dir / "pending-sign-outs" / token_hash(copied)
    assert kept.exists() and copied not in kept.read_text()  # the hash only, never the token
    assert oct(kept.stat().st_mode & 0o777) == "0o600"

    _database_back(monkeypatch, database_url)
    Scheduler(wake=lambda _type, _force: None).run_once()

    assert _revoked_at(session, signed_out) is not None
    assert _revoked_at(session, stays) is None  # only the session signed out
    assert not kept.exists()
    assert resolve_session(session, copied) is None
    assert resolve_session(session, other_tab) is not None
    assert pending_sign_outs.apply(session) == 0  # nothing left to record


def test_a_copied_cookie_stops_working_as_soon_as_the_database_answers_before_the_scheduler_runs(
    session, client, data_dir, database_down, database_url, monkeypatch
) -> None:
    copied, signed_out = _signed_in(session)
    _sign_out(client, copied)
    _database_back(monkeypatch, database_url)

    # The copy, presented to a download route and to a page's event handler: refused, and revoked on the way.
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/api/exports/1/folder/file.csv").status_code == 401
    assert _revoked_at(session, signed_out) is not None
    assert current_principal(state_for(AuthState, copied)) is None


def test_with_redis_a_worker_elsewhere_records_a_sign_out_made_on_another_instance(
    session, client, data_dir, tmp_path, database_down, database_url, monkeypatch
) -> None:
    namespace = f"catalog-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("QUEUE_NAMESPACE", namespace)
    get_settings.cache_clear()
    copied, signed_out = _signed_in(session)
    try:
        _sign_out(client, copied)
        assert redis.Redis.from_url(REDIS_URL).hexists(f"{namespace}:pending-sign-outs", token_hash(copied))

        # A worker container of its own: the same Redis, another disk.
        monkeypatch.setenv("DATA_DIR", str(tmp_path / "worker"))
        _database_back(monkeypatch, database_url)
        with session_scope() as own:
            assert pending_sign_outs.apply(own) == 1

        assert _revoked_at(session, signed_out) is not None
        assert not redis.Redis.from_url(REDIS_URL).exists(f"{namespace}:pending-sign-outs")
    finally:
        redis.Redis.from_url(REDIS_URL).delete(f"{namespace}:pending-sign-outs")


def test_a_sign_out_is_recorded_at_the_time_it_was_made(session, data_dir) -> None:
    token, session_id = _signed_in(session)
    at = session.execute(text("SELECT now() - interval '3 hours'")).scalar_one()
    pending_sign_outs.remember(token_hash(token), at)
    assert pending_sign_outs.apply(session) == 1
    assert _revoked_at(session, session_id) == at


def test_a_sign_out_without_a_cookie_during_an_outage_keeps_nothing(client, data_dir, database_down) -> None:
    response = client.get("/api/session/end")
    assert response.status_code == 303
    assert not (data_dir / "pending-sign-outs").exists()


def test_with_redis_out_of_reach_the_sign_outs_kept_on_disk_are_still_recorded(
    session, data_dir, monkeypatch, caplog
) -> None:
    token, session_id = _signed_in(session)
    pending_sign_outs.remember(token_hash(token))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    caplog.set_level(logging.INFO, logger="catalog_ui.security")
    assert pending_sign_outs.apply(session) == 1
    assert _revoked_at(session, session_id) is not None
    # Not a warning per scheduler round: the round itself says Redis is out of reach.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
