"""The walking skeleton end to end: demo rows ingested through the pipeline appear on /videos."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from catalog_ui.services.catalog import search_videos
from tests.e2e.conftest import load_demo_day, sign_in, wait_for_page

pytestmark = pytest.mark.e2e


def test_videos_page_shows_demo_rows(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=120, seed=7)
    first_page = search_videos(session, page=1).rows
    second_page = search_videos(session, page=2).rows

    sign_in(page, app_url, *make_user())
    expect(page.locator("#page-title")).to_have_text("Videos")
    expect(page.locator("#total-label")).to_have_text("120 videos")
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(first_page[0]["video_id"])
    expect(rows.first).to_contain_text(first_page[0]["title"])

    page.locator("#next-page").click()
    expect(page.locator("#page-label")).to_have_text("Page 2 of 3")
    expect(rows.first).to_contain_text(second_page[0]["video_id"])


def test_signed_out_visitor_is_sent_to_sign_in_and_back(engine, app_url: str, page: Page, make_user) -> None:
    email, password = make_user("bo@example.com")
    page.goto(f"{app_url}/videos")
    page.wait_for_url(f"{app_url}/login?next=/videos")
    page.locator("#login").fill(email)
    page.locator("#password").fill("wrong-password-1")
    page.locator("#sign-in").click()
    expect(page.locator("#login-error")).to_have_text("Wrong e-mail, username or password.")
    page.locator("#password").fill(password)
    page.locator("#sign-in").click()
    wait_for_page(page, app_url, "/videos")
    expect(page.locator("#signed-in-as")).to_have_text(email)
    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")
    page.goto(f"{app_url}/videos")
    page.wait_for_url(f"{app_url}/login?next=/videos")
