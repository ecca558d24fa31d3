"""Every page, opened directly, hydrates without an error and marks its own sidebar item; the sign-in form's
labels name its fields; an unknown address gets a page of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from tests.e2e.conftest import load_demo_day, sign_in, wait_for_page

pytestmark = pytest.mark.e2e


def test_every_page_hydrates_and_marks_its_sidebar_item(
    session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    report = load_demo_day(session, tmp_path, videos=200, seed=11)
    video_id = session.execute(text("SELECT min(video_id) FROM video")).scalar_one()
    routes = {
        "/": "dashboard",
        "/videos": "videos",
        f"/videos/{video_id}": "videos",
        "/channels": "channels",
        "/audit": "audit",
        "/queue": "queue",
        "/reports": "reports",
        f"/reports/{report.id}": "reports",
        "/users": "users",
    }
    # A field whose only visible hint is a placeholder or a nearby text still has a name of its own.
    named_fields = {
        "/videos": "Search videos",
        "/channels": "Search channels",
        "/audit": "From",
        "/queue": "Video ID",
        "/users": "Search users",
    }
    sign_in(page, app_url, *make_user(email="frame@example.com", admin=True), target="/")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for route, nav in routes.items():
        page.goto(f"{app_url}{route}")  # a full load: the prerendered page is hydrated
        expect(page.locator(f"#nav-{nav}")).to_have_attribute("aria-current", "page")
        expect(page.locator("a[id^='nav-'][aria-current='page']")).to_have_count(1)
        # A failed hydration (React error #418, e.g. a <p> inside a <p>) re-renders the whole document and
        # adds the stylesheet again after the components' own styles, which then lose to Radix's defaults.
        expect(page.locator("link[rel='stylesheet']")).to_have_count(1)
        assert errors == [], f"{route}: {errors}"
        if route in named_fields:
            expect(page.get_by_label(named_fields[route], exact=True)).to_be_editable()


def test_sign_in_fields_are_found_by_their_labels(app_url: str, page: Page, make_user) -> None:
    login, password = make_user(email="labels@example.com")
    page.goto(f"{app_url}/login?next=/channels")
    page.get_by_label("E-mail or username", exact=True).fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_for_page(page, app_url, "/channels")


def test_an_unknown_address_shows_the_not_found_page_with_a_way_back(
    app_url: str, page: Page, make_user
) -> None:
    sign_in(page, app_url, *make_user(email="lost@example.com"), target="/channels")
    page.goto(f"{app_url}/no-such-page")
    expect(page.locator("#not-found-title")).to_have_text("Page not found")
    page.locator("#not-found-home").click()
    page.wait_for_url(f"{app_url}/")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
