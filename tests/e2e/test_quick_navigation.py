"""A quick navigation: a page's answer that arrives once the user has gone on to another page (Next, then a
sidebar link at once) neither writes its address over the new page's nor reaches the new page's on_load.

Reflex sends an event's router data as React Router's path with the live `window.location.search`, so a late
`?page=2` of the grid gave the channels page's on_load `/channels?page=2` (see `state/url_history.py`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from catalog_ui.models import Channel, Video
from catalog_ui.state.url_history import url_script
from tests.e2e.conftest import sign_in, wait_for_view

pytestmark = pytest.mark.e2e

ATTEMPTS = 3  # each one lost its address (or its page) 5 times in 6 before the fix
# Both clicks in one task: the grid's (or the list's) answer to Next comes back after the link's navigation.
NEXT_THEN = (
    "(link) => { document.querySelector('#next-page').click(); document.querySelector(link).click(); }"
)


def _address(page: Page) -> str:
    """The browser's own address (path and query), not Playwright's idea of it."""
    parts = urlsplit(page.evaluate("window.location.href"))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _catalog(engine) -> None:
    with Session(engine) as session:
        for n in range(130):  # three pages of the grid
            session.add(Video(video_id=f"quick{n:06d}", title=f"Song {n}"))
        for n in range(60):  # two pages of channels
            session.add(Channel(channel_id=f"UCquick{n:017d}", name=f"Chan {n:02d}", subscriber_count=n))
        session.commit()


def test_the_grids_next_page_does_not_reach_the_channels_page(
    engine, app_url: str, page: Page, make_user
) -> None:
    _catalog(engine)
    sign_in(page, app_url, *make_user(), target="/channels")
    total = page.locator("#total-label")
    for _ in range(ATTEMPTS):
        page.goto(f"{app_url}/channels?q=Chan+0")  # a search, so the page's next load shows in its total
        expect(total).to_have_text("10 channels")
        page.locator("#nav-videos").click()
        wait_for_view(page, app_url, "/videos")
        expect(page.locator("#page-label")).to_have_text("Page 1 of 3")

        page.evaluate(NEXT_THEN, "#nav-channels")
        expect(total).to_have_text("60 channels")  # the channels page loaded, after the grid's answer
        expect(page.locator("#page-label")).to_have_text("Page 1 of 2")
        assert _address(page) == "/channels"


def test_the_channels_next_page_does_not_reach_the_grid(engine, app_url: str, page: Page, make_user) -> None:
    _catalog(engine)
    sign_in(page, app_url, *make_user(), target="/videos")
    total = page.locator("#total-label")
    for _ in range(ATTEMPTS):
        page.goto(f"{app_url}/videos?q=Song+12")  # Song 12, 120 to 129
        expect(total).to_have_text("11 videos")
        page.locator("#nav-channels").click()
        wait_for_view(page, app_url, "/channels")
        expect(page.locator("#page-label")).to_have_text("Page 1 of 2")

        page.evaluate(NEXT_THEN, "#nav-videos")
        expect(total).to_have_text("130 videos")
        expect(page.locator("#page-label")).to_have_text("Page 1 of 3")
        assert _address(page) == "/videos"


def test_an_address_is_written_only_on_its_own_page(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/login")
    entries = page.evaluate("window.history.length")
    for url, same_entry in (("/videos?page=2", False), ("/channels?page=2", True), ("/login/x?a=1", False)):
        page.evaluate(url_script(url, same_entry=same_entry, to_top=True))
        assert _address(page) in ("/login", "/login/")
    assert page.evaluate("window.history.length") == entries

    page.evaluate(url_script("/login?next=%2Fqueue"))
    assert _address(page) == "/login?next=%2Fqueue"
    assert page.evaluate("window.history.length") == entries + 1
    page.evaluate(url_script("/login?next=%2Freports", same_entry=True))
    assert re.fullmatch(r"/login\?next=%2Freports", _address(page))
    assert page.evaluate("window.history.length") == entries + 1
