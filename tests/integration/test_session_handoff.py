"""The HttpOnly session cookie: a sign-in's single-use ticket redeemed by a backend route that sets the
cookie, the route that clears it, and event handlers reading the token from their websocket's Cookie header.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from reflex.config import get_config
from reflex.istate.data import RouterData
from reflex.state import State
from sqlalchemy import text
from starlette.testclient import TestClient

from catalog_ui.api import api_routes
from catalog_ui.db import session_scope
from catalog_ui.services.auth import (
    SESSION_COOKIE,
    issue_ticket,
    open_session,
    redeem_ticket,
    resolve_session,
    sign_in_password,
)
from catalog_ui.services.users import create_user, open_sessions, set_active
from catalog_ui.session_cookie import session_token
from catalog_ui.session_routes import SIGN_IN_PROBLEMS
from catalog_ui.settings import get_settings
from catalog_ui.state.auth import AuthState, LoginState
from tests.states import state_for

PASSWORD = "correct-horse-42"
START = "/api/session/start"


@pytest.fixture
def client(engine) -> TestClient:
    return TestClient(api_routes(), follow_redirects=False)


def _ticket(session, email: str = "ana@example.com") -> tuple[str, str, int]:
    """A password sign-in's (ticket, the token open_session returned, the session's id)."""
    create_user(session, email, PASSWORD)
    token, principal = sign_in_password(session, email, PASSWORD, "10.0.0.1", "pytest")
    ticket = issue_ticket(session, principal.session_id)
    session.commit()
    return ticket, token, principal.session_id


def _set_cookie(response) -> SimpleCookie:
    cookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookie.load(header)
    return cookie


def _location(response) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(response.headers["location"])
    return parts.path, parse_qs(parts.query)


def test_a_redeemed_ticket_sets_an_httponly_strict_cookie_and_goes_on_to_the_page(session, client) -> None:
    ticket, first_token, session_id = _ticket(session)
    # Before the hand-off the session signs nobody in, not even with the token open_session returned.
    assert resolve_session(session, first_token) is None
    assert open_sessions(session, session.execute(text('SELECT id FROM "user"')).scalar_one()) == []

    response = client.get(START, params={"ticket": ticket, "next": "/queue?status=failed"})
    assert response.status_code == 303
    assert response.headers["location"] == "/queue?status=failed"
    assert response.headers["cache-control"] == "no-store"
    (header,) = response.headers.get_list("set-cookie")
    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(get_settings().session_absolute_hours * 3600)
    assert "secure" not in header.lower()  # SECURE_COOKIES is off for http://localhost
    token = morsel.value
    principal = resolve_session(session, token)
    assert (principal.email, principal.session_id) == ("ana@example.com", session_id)
    assert resolve_session(session, first_token) is None  # the session got a new token
    assert (
        ticket
        not in session.execute(
            text("SELECT token_hash || coalesce(ticket_hash, '') FROM user_session")
        ).scalar_one()
    )


def test_a_ticket_opens_one_browser_only(session, client) -> None:
    ticket, _, _ = _ticket(session)
    assert client.get(START, params={"ticket": ticket, "next": "/videos"}).status_code == 303
    again = client.get(START, params={"ticket": ticket, "next": "/audit"})
    assert again.status_code == 303
    assert _location(again) == ("/login", {"next": ["/audit"], "problem": ["expired"]})
    assert not again.headers.get_list("set-cookie")


def test_two_redemptions_at_once_open_one_session(session) -> None:
    ticket, _, _ = _ticket(session)
    start = threading.Barrier(2)
    results: list[object] = []

    def redeem() -> None:
        with session_scope() as own:
            own.execute(text("SELECT 1"))
            start.wait()
            results.append(redeem_ticket(own, ticket))

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False, True]


@pytest.mark.parametrize("ticket", ["", "not-a-ticket", "x" * 43])
def test_a_wrong_or_missing_ticket_goes_back_to_sign_in(session, client, ticket: str) -> None:
    _ticket(session)
    response = client.get(START, params={"ticket": ticket, "next": "/channels"})
    assert response.status_code == 303
    assert _location(response) == ("/login", {"next": ["/channels"], "problem": ["expired"]})
    assert not response.headers.get_list("set-cookie")


def test_an_expired_ticket_goes_back_to_sign_in(session, client) -> None:
    ticket, _, session_id = _ticket(session)
    session.execute(
        text("UPDATE user_session SET ticket_expires_at = now() - interval '1 second' WHERE id = :id"),
        {"id": session_id},
    )
    session.commit()
    response = client.get(START, params={"ticket": ticket})
    assert _location(response) == ("/login", {"next": ["/videos"], "problem": ["expired"]})
    assert not response.headers.get_list("set-cookie")


def test_a_ticket_of_a_user_deactivated_meanwhile_is_refused(session, client) -> None:
    ticket, _, _ = _ticket(session)
    set_active(session, session.execute(text('SELECT id FROM "user"')).scalar_one(), False)
    session.commit()
    assert _location(client.get(START, params={"ticket": ticket}))[1]["problem"] == ["expired"]


def test_a_hand_off_from_another_site_is_refused(session, client) -> None:
    # Login CSRF: a stranger's page sending the browser to the stranger's own ticket.
    ticket, _, _ = _ticket(session)
    refused = client.get(
        START, params={"ticket": ticket, "next": "/videos"}, headers={"sec-fetch-site": "cross-site"}
    )
    assert refused.status_code == 303
    assert _location(refused) == ("/login", {"next": ["/videos"], "problem": ["cross-site"]})
    assert not refused.headers.get_list("set-cookie")
    # The app's own navigation (same-origin) is let in.
    accepted = client.get(START, params={"ticket": ticket}, headers={"sec-fetch-site": "same-origin"})
    assert SESSION_COOKIE in _set_cookie(accepted)


def test_next_never_leaves_the_site(session, client) -> None:
    ticket, _, _ = _ticket(session)
    response = client.get(START, params={"ticket": ticket, "next": "//evil.example/x"})
    assert response.headers["location"] == "/videos"


@pytest.fixture
def secure_cookies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SECURE_COOKIES", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SECURE_COOKIES")
    get_settings.cache_clear()


def test_the_cookie_is_secure_with_secure_cookies(session, client, secure_cookies) -> None:
    ticket, _, _ = _ticket(session)
    morsel = _set_cookie(client.get(START, params={"ticket": ticket}))[SESSION_COOKIE]
    assert (morsel["secure"], morsel["httponly"], morsel["samesite"].lower()) == (True, True, "strict")


def test_with_a_frontend_on_its_own_port_the_redirect_goes_to_it(session, monkeypatch) -> None:
    # `reflex run` in dev mode: pages on the frontend's port, this route on the backend's.
    config = get_config()
    monkeypatch.setattr(config, "frontend_port", 3100)
    monkeypatch.setattr(config, "backend_port", 8100)
    monkeypatch.setattr(config, "deploy_url", "http://localhost:3100")
    ticket, _, _ = _ticket(session)
    client = TestClient(api_routes(), base_url="http://127.0.0.1:8100", follow_redirects=False)
    assert client.get(START, params={"ticket": ticket}).headers["location"] == "http://127.0.0.1:3100/videos"
    monkeypatch.setattr(config, "deploy_url", "https://catalog.example")
    assert client.get("/api/session/end").headers["location"] == "https://catalog.example/login"


def test_signing_out_revokes_the_session_and_drops_the_cookie(session, client) -> None:
    user = create_user(session, "bo@example.com", PASSWORD)
    token, _ = open_session(session, user, None, None, "flask-security")
    session.commit()
    client.cookies.set(SESSION_COOKIE, token)
    cross = client.get("/api/session/end", headers={"sec-fetch-site": "cross-site"})
    assert (cross.status_code, cross.headers["location"]) == (303, "/login")
    assert not cross.headers.get_list("set-cookie")
    assert resolve_session(session, token) is not None  # a stranger's link signs nobody out

    response = client.get("/api/session/end")
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert (morsel.value, morsel["max-age"], morsel["path"], morsel["httponly"]) == ("", "0", "/", True)
    assert resolve_session(session, token) is None


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("catalog_session=abc", "abc"),
        ('theme=dark; catalog_session="abc"; other=1', "abc"),
        ('broken"; x={"a": 1}; catalog_session=abc', "abc"),  # another app's odd cookies on the host
        ("catalog_session_old=abc", None),
        ("", None),
        (None, None),
    ],
)
def test_the_token_is_read_from_the_cookie_header(header: str | None, token: str | None) -> None:
    assert session_token(header) == token


def _login_state(query: str, cookie: str = "") -> LoginState:
    root = State(_reflex_internal_init=True)
    state = root.get_substate(LoginState.get_full_name().split(".")[1:])
    state.router = RouterData.from_router_data(
        {
            "pathname": "/login",
            "asPath": f"/login?{query}",
            "headers": {"origin": "http://localhost:3000", "cookie": cookie, "user-agent": "pytest"},
            "ip": "10.0.0.9",
        }
    )
    return state


def test_a_sign_in_hands_the_session_over_through_the_backend_route(session) -> None:
    create_user(session, "cy@example.com", PASSWORD)
    session.commit()
    state = _login_state("next=/queue%3Fstatus%3Dfailed")
    steps = LoginState.sign_in.fn(state, {"login": "cy@example.com", "password": PASSWORD})
    assert next(steps) is None  # the form shows progress first
    script = str(next(steps))
    assert "window.location.replace" in script and "getBackendURL()" in script
    start = next(part for part in script.replace("\\", "").split('"') if part.startswith(START))
    query = parse_qs(urlsplit(start).query)
    assert query["next"] == ["/queue?status=failed"]
    # The page's state holds no token; the ticket alone opens the session, once.
    assert "session_token" not in AuthState.get_fields()
    redeemed = redeem_ticket(session, query["ticket"][0])
    assert redeemed is not None and redeemed[1].email == "cy@example.com"


def test_handlers_read_the_token_from_the_websockets_cookie_header(session) -> None:
    from catalog_ui.state.users import UsersState

    admin = create_user(session, "boss@example.com", PASSWORD, admin=True)
    token, _ = open_session(session, admin, None, None, "flask-security")  # also an old script-set cookie
    session.commit()
    assert UsersState.load.fn(state_for(UsersState, token)) is None
    assert "/login?next=" in repr(UsersState.load.fn(state_for(UsersState, "forged")))


def test_the_sign_in_page_says_why_a_hand_off_came_back(engine) -> None:
    state = _login_state("next=/videos&problem=expired")
    assert LoginState.redirect_if_signed_in.fn(state) is None
    assert state.error == "That sign-in link has expired or was already used. Sign in again."
    state = _login_state("next=/videos&problem=<b>made-up</b>")
    LoginState.redirect_if_signed_in.fn(state)
    assert state.error == ""


def test_with_the_database_down_a_hand_off_goes_back_to_sign_in_saying_why(
    session, client, database_down, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="catalog_ui.security")
    response = client.get(START, params={"ticket": "a-ticket", "next": "/queue?status=failed"})
    assert (response.status_code, response.headers["cache-control"]) == (303, "no-store")
    assert _location(response) == ("/login", {"next": ["/queue?status=failed"], "problem": ["database"]})
    assert not response.headers.get_list("set-cookie")
    (line,) = [r for r in caplog.records if r.name == "catalog_ui.security"]
    assert line.getMessage().startswith("a session hand-off failed: cannot reach the database at 127.0.0.1:")
    assert line.exc_info is None
    # The sign-in page says so, though it cannot ask the database who is signed in either.
    state = _login_state("next=/queue%3Fstatus%3Dfailed&problem=database", cookie=f"{SESSION_COOKIE}=abc")
    assert LoginState.redirect_if_signed_in.fn(state) is None
    assert (
        state.error == SIGN_IN_PROBLEMS["database"] == "The database is not answering; try again in a moment."
    )


def test_with_the_database_down_signing_out_still_drops_the_cookie(
    session, client, database_down, caplog: pytest.LogCaptureFixture, tmp_path, monkeypatch
) -> None:
    caplog.set_level(logging.WARNING, logger="catalog_ui.security")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))  # where the sign-out is kept until the database is back
    get_settings.cache_clear()
    # The Sign out button's handler needs no database: it sends the browser on to the route.
    button = AuthState.sign_out.fn(state_for(AuthState, "a-token"))
    assert "window.location.replace" in str(button) and "/api/session/end" in str(button)

    client.cookies.set(SESSION_COOKIE, "a-token")
    response = client.get("/api/session/end")
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert (morsel.value, morsel["max-age"]) == ("", "0")
    (line,) = [r for r in caplog.records if r.name == "catalog_ui.security"]
    assert line.getMessage().startswith("signed out without revoking the session: cannot reach the database")
    assert line.getMessage().endswith(
        "; revoked once it answers"
    )  # tests/integration/test_sign_out_outage.py
