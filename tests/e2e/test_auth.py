"""Signing in and out in the browser: password sign-in, lockout, sign-out, staying signed in, admin pages."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from sqlmodel import Session

from catalog_ui.services.auth import resolve_session
from tests.e2e.conftest import sign_in, wait_for_page

pytestmark = pytest.mark.e2e

WRONG = "Wrong e-mail, username or password."
LOCKED = "Too many failed sign-ins. Try again in about 15 minutes."


def _session_cookie(page: Page) -> str:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "catalog_session"]
    return cookie["value"]


def _fill_sign_in(page: Page, login: str, password: str) -> None:
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("#sign-in").click()


def test_password_sign_in_by_username_then_sign_out_revokes_the_session(
    engine, app_url: str, page: Page, browser: Browser, make_user
) -> None:
    email, password = make_user("carla@example.com")
    sign_in(page, app_url, "carla", password, "/videos")
    expect(page.locator("#signed-in-as")).to_have_text(email)
    token = _session_cookie(page)
    with Session(engine) as session:
        assert resolve_session(session, token).email == email

    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")
    with Session(engine) as session:
        assert resolve_session(session, token) is None

    # A copy of the old cookie is worth nothing: the server revoked the session.
    thief = browser.new_context()
    thief.add_cookies([{"name": "catalog_session", "value": token, "url": app_url}])
    stolen = thief.new_page()
    stolen.goto(f"{app_url}/videos")
    stolen.wait_for_url(f"{app_url}/login?next=/videos")
    thief.close()


def test_back_after_signing_in_leaves_the_app_instead_of_showing_the_sign_in_page(
    engine, app_url: str, page: Page, make_user
) -> None:
    _, password = make_user("hugo@example.com")
    page.goto("about:blank")
    page.goto(f"{app_url}/queue?status=failed")
    expect(page).to_have_url(re.compile(r".*/login\?next=/queue%3Fstatus%3Dfailed$"))
    _fill_sign_in(page, "hugo", password)
    expect(page).to_have_url(re.compile(r".*/queue/?\?status=failed$"))

    page.go_back()
    expect(page).to_have_url("about:blank")  # neither the sign-in page nor the page that sent there
    page.go_forward()
    expect(page).to_have_url(re.compile(r".*/queue/?\?status=failed$"))
    expect(page.locator("#signed-in-as")).to_have_text("hugo@example.com")

    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")
    page.go_back()
    expect(page).to_have_url("about:blank")  # the signed-out page is not one Back away


def test_the_session_cookie_is_out_of_the_pages_reach(engine, app_url: str, page: Page, make_user) -> None:
    # HttpOnly: a script injected into a page could otherwise read the token and take the session away.
    email, password = make_user("ivy@example.com")
    page.goto("about:blank")
    page.goto(f"{app_url}/videos")
    page.wait_for_url(f"{app_url}/login?next=/videos")
    _fill_sign_in(page, "ivy", password)
    expect(page).to_have_url(re.compile(r".*/videos/?$"))
    expect(page.locator("#signed-in-as")).to_have_text(email)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "catalog_session"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    assert cookie["expires"] > time.time() + 3600
    assert "catalog_session" not in page.evaluate("document.cookie")

    page.reload()
    expect(page.locator("#page-title")).to_have_text("Videos")
    expect(page.locator("#signed-in-as")).to_have_text(email)
    page.go_back()
    expect(page).to_have_url("about:blank")  # neither the sign-in page nor the hand-off
    page.go_forward()
    expect(page.locator("#signed-in-as")).to_have_text(email)

    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")
    assert [c for c in page.context.cookies() if c["name"] == "catalog_session"] == []
    with Session(engine) as session:
        assert resolve_session(session, cookie["value"]) is None
    page.go_back()
    expect(page).to_have_url("about:blank")


def test_a_used_sign_in_link_shows_why_on_the_sign_in_page(engine, app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/api/session/start?ticket=used-or-made-up&next=/queue")
    expect(page).to_have_url(re.compile(r".*/login/?\?next=/queue&problem=expired$"))
    expect(page.locator("#login-error")).to_have_text(
        "That sign-in link has expired or was already used. Sign in again."
    )
    assert [c for c in page.context.cookies() if c["name"] == "catalog_session"] == []


def test_a_session_cookie_set_by_a_script_before_still_signs_in(
    engine, app_url: str, browser: Browser, make_user
) -> None:
    # Browsers signed in before the cookie became HttpOnly keep their session until they sign in again.
    from catalog_ui.services.auth import open_session
    from catalog_ui.services.users import create_user

    with Session(engine) as session:
        user = create_user(session, "old@example.com", "correct-horse-42")
        token, _ = open_session(session, user, None, None, "flask-security")
        session.commit()
    context = browser.new_context()
    context.add_cookies(
        [{"name": "catalog_session", "value": token, "url": app_url, "httpOnly": False, "sameSite": "Strict"}]
    )
    old = context.new_page()
    old.goto(f"{app_url}/videos")
    expect(old.locator("#signed-in-as")).to_have_text("old@example.com")
    context.close()


def test_repeated_failures_show_the_lockout_message(engine, app_url: str, page: Page, make_user) -> None:
    email, password = make_user("dora@example.com")
    page.goto(f"{app_url}/login")
    for attempt in range(4):
        _fill_sign_in(page, email, f"wrong-password-{attempt}")
        expect(page.locator("#login-error")).to_have_text(WRONG)
        page.locator("#login").fill("")  # the next answer must be a new one
    _fill_sign_in(page, email, "wrong-password-4")
    expect(page.locator("#login-error")).to_have_text(LOCKED)
    _fill_sign_in(page, email, password)
    expect(page.locator("#login-error")).to_have_text(LOCKED)
    expect(page).to_have_url(re.compile(r".*/login/?$"))


def test_signed_in_user_stays_signed_in_across_reload_new_tab_and_websocket_reconnect(
    engine, app_url: str, page: Page, make_user
) -> None:
    sockets: list[WebSocketRoute] = []

    def proxy(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/_event"), proxy)
    email, password = make_user("emil@example.com")
    sign_in(page, app_url, email, password, "/videos")
    expect(page.locator("#signed-in-as")).to_have_text(email)
    assert len(sockets) == 2  # the sign-in page's, then the signed-in page's (the sign-in loads a new page)

    sockets[1].close()  # the browser loses its websocket; Reflex reconnects with fresh server state
    deadline = time.monotonic() + 20
    while len(sockets) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(sockets) == 3
    page.locator("#nav-dashboard").click()
    page.wait_for_url(f"{app_url}/")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expect(page.locator("#signed-in-as")).to_have_text(email)

    page.reload()
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expect(page.locator("#signed-in-as")).to_have_text(email)

    second = page.context.new_page()
    second.goto(f"{app_url}/videos")
    expect(second.locator("#page-title")).to_have_text("Videos")
    expect(second.locator("#signed-in-as")).to_have_text(email)
    expect(second).to_have_url(re.compile(r".*/videos/?$"))


def test_the_users_page_is_refused_to_a_non_admin(engine, app_url: str, page: Page, make_user) -> None:
    email, password = make_user("fred@example.com")
    sign_in(page, app_url, email, password, "/videos")
    expect(page.locator("#nav-users")).to_have_count(0)
    page.goto(f"{app_url}/users")
    expect(page.locator("#users-refused")).to_have_text("Only admins can manage users.")
    expect(page.get_by_text("This action needs the admin role.")).to_be_visible()
    expect(page.locator("#users-table")).to_have_count(0)
    expect(page.locator("#new-user")).to_have_count(0)


def test_an_admin_creates_a_user_who_then_signs_in(engine, app_url: str, page: Page, make_user) -> None:
    admin_email, admin_password = make_user("gina@example.com", admin=True)
    sign_in(page, app_url, admin_email, admin_password, "/videos")
    page.locator("#nav-users").click()
    page.wait_for_url(f"{app_url}/users")
    expect(page.locator("#users-table .user-row")).to_have_count(1)

    page.locator("#new-user").click()
    page.locator("#new-email").fill("hugo@example.com")
    page.locator("#new-password").fill("short")
    page.locator("#create-submit").click()
    expect(page.locator("#create-error")).to_have_text("Passwords need at least 10 characters.")
    page.locator("#new-password").fill("hugo-battery-73")
    page.locator("#create-submit").click()
    expect(page.get_by_text("hugo@example.com created.")).to_be_visible()
    rows = page.locator("#users-table .user-row")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".user-email")).to_have_text("hugo@example.com")

    page.locator("#users-search").fill("gina")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".user-email")).to_have_text(admin_email)
    admin_row_id = rows.first.get_attribute("id")
    page.locator(f"#admin-{admin_row_id.removeprefix('user-')}").click()
    expect(page.locator("#confirm-user-title")).to_have_text("Remove your own admin role?")
    page.locator("#confirm-user-change").click()
    expect(page.get_by_text("This is the last active admin; make another user admin first.")).to_be_visible()
    page.locator("#users-search").fill("")
    expect(rows).to_have_count(2)

    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")
    sign_in(page, app_url, "hugo", "hugo-battery-73", "/videos")
    expect(page.locator("#signed-in-as")).to_have_text("hugo@example.com")
    expect(page.locator("#nav-users")).to_have_count(0)


def test_deactivating_a_user_signs_them_out_at_their_next_step(
    engine, app_url: str, page: Page, browser: Browser, make_user
) -> None:
    admin_email, admin_password = make_user("iris@example.com", admin=True)
    user_email, user_password = make_user("jon@example.com")
    other = browser.new_context()
    user_page = other.new_page()
    sign_in(user_page, app_url, user_email, user_password, "/videos")

    sign_in(page, app_url, admin_email, admin_password, "/users")
    row = page.locator("#users-table .user-row", has_text=user_email)
    expect(row.locator(".user-status")).to_have_text("active")
    row.get_by_role("button", name="Sessions (1)").click()
    expect(page.locator("#sessions-table .session-row")).to_have_count(1)
    page.keyboard.press("Escape")
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#confirm-user-detail")).to_have_text(
        "They are signed out everywhere (1 open session ends now) and cannot sign in again."
    )
    page.locator("#confirm-user-change").click()
    expect(page.get_by_text(f"{user_email} deactivated; their sessions are ended.")).to_be_visible()
    expect(row.locator(".user-status")).to_have_text("deactivated")

    # Their next step: an address typed (deterministic; the open grid's own refresh may get there first
    # and already show the sign-in page, which is the same outcome, so a click could find no link).
    user_page.goto(f"{app_url}/channels")
    user_page.wait_for_url(re.compile(r".*/login\?next=.*"))
    _fill_sign_in(user_page, user_email, user_password)
    expect(user_page.locator("#login-error")).to_have_text(WRONG)
    other.close()

    page.locator("#account-changes").click()  # the trail names who did it
    expect(page.locator("#account-changes-table .account-change-row").first).to_contain_text(
        f"{admin_email}deactivated the account{user_email}1 session ended"
    )
