"""axe-core's WCAG 2.1 A/AA audit (contrast included) of every page a catalog team uses, in the light and the
dark theme, with the main dialogs open: each test walks one group of pages in both themes and fails listing
every violation (rule, element, what is wrong) by the page and theme it was found on."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.services import queue
from catalog_ui.services.users import create_user
from catalog_ui.services.video_flags import set_administered
from tests.e2e.axe_audit import wcag_violations
from tests.e2e.conftest import load_demo_day, sign_in

pytestmark = pytest.mark.e2e

THEMES = ("light", "dark")
PASSWORD = "correct-horse-42"

# A walk through a group of pages: it calls `audit(label)` at each state worth auditing.
Walk = Callable[[Page, Callable[[str], None]], None]


def audit_in_both_themes(browser: Browser, app_url: str, email: str, start: str, walk: Walk) -> None:
    """Sign in as `email`, walk the pages in the light theme, switch to the dark one (#theme-switch) and walk
    them again; fail with every violation found, by the page and theme it was found on."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, app_url, email, PASSWORD, target=start)
        for theme in THEMES:
            if theme == "dark":
                page.goto(f"{app_url}{start}")
                page.locator("#theme-switch").click()
            expect(page.locator("html")).to_have_class(re.compile(rf"\b{theme}\b"))

            def audit(label: str, theme: str = theme) -> None:
                violations = wcag_violations(page)
                if violations:
                    found[f"{label} ({theme})"] = violations

            walk(page, audit)
    finally:
        context.close()
    assert not found, "WCAG 2.1 AA violations:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(violations) for where, violations in found.items()
    )


def _admin(engine) -> tuple[str, int]:
    with Session(engine) as session:
        user = create_user(session, "axe@example.com", PASSWORD, admin=True)
        session.commit()
        return user.email, user.id


def test_the_video_pages_pass_a_wcag_audit(
    engine, session, app_url: str, browser: Browser, tmp_path: Path
) -> None:
    load_demo_day(session, tmp_path, videos=20, seed=31)
    email, _ = _admin(engine)
    video_id = session.execute(text("SELECT min(video_id) FROM video")).scalar_one()

    def walk(page: Page, audit: Callable[[str], None]) -> None:
        page.goto(f"{app_url}/videos")
        expect(page.locator("#facet-panel")).to_be_visible()
        expect(page.locator("#video-grid .video-row")).to_have_count(20)
        select = page.get_by_role("checkbox", name=f"Select video {video_id}")
        if (
            select.get_attribute("aria-checked") != "true"
        ):  # the selection is kept from the light theme's walk
            select.click()
        expect(select).to_have_attribute("aria-checked", "true")
        audit("/videos, filters open, a row selected")

        page.locator("#columns-button").click()
        expect(page.locator("#columns-reset")).to_be_visible()
        audit("/videos column chooser")
        page.keyboard.press("Escape")
        expect(page.locator("#columns-reset")).to_have_count(0)

        page.get_by_role("button", name=f"Notes on {video_id}").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        audit("/videos notes")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)

        page.goto(f"{app_url}/videos/{video_id}")
        expect(page.locator("#tab-fields")).to_be_visible()
        audit("/videos/<id> Fields")
        for tab in ("History", "Views", "Tasks"):
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
            audit(f"/videos/<id> {tab}")

        page.locator("#nav-channels").click()
        expect(page.locator("#channel-grid .channel-row").first).to_be_visible()
        audit("/channels")
        page.goto(app_url + page.locator(".channel-link").first.get_attribute("href"))
        expect(page.locator("#video-grid .video-row").first).to_be_visible()
        audit("/videos?channel=<one channel>")

    audit_in_both_themes(browser, app_url, email, "/videos", walk)


def test_the_report_pages_pass_a_wcag_audit(
    engine, session, app_url: str, browser: Browser, tmp_path: Path
) -> None:
    report = load_demo_day(session, tmp_path, videos=20, seed=32)
    email, _ = _admin(engine)

    def walk(page: Page, audit: Callable[[str], None]) -> None:
        page.locator("#nav-reports").click()
        expect(page.locator("#report-list .report-row").first).to_be_visible()
        audit("/reports")
        page.locator(f"#report-list a[href$='/reports/{report.id}']").first.click()
        expect(page.locator("#report-name")).to_be_visible()
        audit("/reports/<id>")

    audit_in_both_themes(browser, app_url, email, "/", walk)


def test_the_admin_pages_pass_a_wcag_audit(
    engine, session, app_url: str, browser: Browser, tmp_path: Path
) -> None:
    load_demo_day(session, tmp_path, videos=20, seed=33)
    email, user_id = _admin(engine)
    video_id = session.execute(text("SELECT min(video_id) FROM video")).scalar_one()
    queue.enqueue(session, video_id, "metadata_sync")
    set_administered(session, video_id, True, user_id=user_id)
    session.commit()
    change_set = session.execute(text("SELECT max(id) FROM change_set")).scalar_one()

    def walk(page: Page, audit: Callable[[str], None]) -> None:
        page.locator("#nav-dashboard").click()
        expect(page.locator("#stat-videos")).to_be_visible()
        audit("/ (dashboard)")

        page.locator("#nav-queue").click()
        # The task may be done already (the app's own worker): the list is then empty, its headers stay.
        expect(page.locator("#task-list .task-row, #no-tasks").first).to_be_visible()
        audit("/queue")

        page.locator("#nav-audit").click()
        expect(page.locator("#change-set-list .change-set-row").first).to_be_visible()
        audit("/audit")
        page.locator(f"#change-set-{change_set} .open-change-set").click()
        expect(page.locator("#change-set-detail")).to_be_visible()
        audit("/audit, a change set open")
        page.locator("#undo-change-set").click()
        expect(page.locator("#rollback-summary")).to_be_visible()
        audit("/audit rollback preview")
        page.keyboard.press("Escape")
        expect(page.locator("#rollback-summary")).to_have_count(0)

        page.locator("#nav-users").click()
        expect(page.locator("#users-table tbody tr").first).to_be_visible()
        audit("/users")
        page.locator("#account-changes").click()
        expect(page.locator(".account-change-row").first).to_be_visible()
        audit("/users account changes")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.locator("#new-user").click()
        expect(page.locator("#new-email")).to_be_visible()
        audit("/users new user")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)

    audit_in_both_themes(browser, app_url, email, "/", walk)


def test_the_sign_in_page_passes_a_wcag_audit(app_url: str, page: Page) -> None:
    found = {}
    for theme in THEMES:
        page.goto(f"{app_url}/login")
        page.evaluate("(theme) => localStorage.setItem('theme', theme)", theme)
        page.reload()
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{theme}\b"))
        expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
        violations = wcag_violations(page)
        if violations:
            found[theme] = violations
    assert found == {}
