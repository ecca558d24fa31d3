"""The channels page lists the demo channels with totals, searches (a handle link too), and links to their
videos and YouTube pages; its search, sort and page are kept in the URL (reload, a new tab, Back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import Channel
from catalog_ui.services.channels import list_channels
from tests.e2e.conftest import load_demo_day, sign_in, wait_for_view

pytestmark = pytest.mark.e2e


def test_channels_page(engine, session, app_url: str, page: Page, tmp_path: Path, make_user) -> None:
    load_demo_day(session, tmp_path, videos=300, seed=3)
    expected = list_channels(session, sort="videos")
    top = expected.rows[0]
    session.execute(
        text("UPDATE channel SET handle = '@topchannel' WHERE channel_id = :id"), {"id": top["channel_id"]}
    )
    session.commit()

    sign_in(page, app_url, *make_user(), target="/channels")
    expect(page.locator("#total-label")).to_have_text(f"{expected.total} channels")
    first = page.locator("#channel-grid .channel-row").first
    expect(first).to_contain_text(top["name"])
    expect(first).to_contain_text(f"{top['videos']:,}")
    assert top["catalog_views"] >= 1000  # so the next line checks the thousands separator
    expect(first).to_contain_text(f"{top['catalog_views']:,}")

    page.locator("#channel-search").fill(top["name"])
    expect(page.locator("#total-label")).to_have_text("1 channel")
    expect(page.locator("#channel-grid .channel-row")).to_have_count(1)

    # A pasted handle link finds the channel, whose handle links to its YouTube page; an unknown one says so.
    page.locator("#channel-search").fill("https://www.youtube.com/@TopChannel/videos")
    expect(page.locator("#total-label")).to_have_text("1 channel")
    handle = page.locator("#channel-grid .channel-row .channel-handle")
    expect(handle).to_have_text("@topchannel")
    expect(handle).to_have_attribute("href", "https://www.youtube.com/@topchannel")
    expect(page.locator("#channel-search-note")).to_have_count(0)
    page.locator("#channel-search").fill("@nobodyhere")
    expect(page.locator("#channel-search-note")).to_have_text("No channel has the handle @nobodyhere.")
    expect(page.locator("#total-label")).to_have_text("0 channels")


def test_the_search_sort_and_page_are_kept_in_the_url(engine, app_url: str, page: Page, make_user) -> None:
    with Session(engine) as session:
        for n in range(60):
            session.add(Channel(channel_id=f"UCurlkept{n:015d}", name=f"Chan {n:02d}", subscriber_count=n))
        for n, name in enumerate(("Nova Zeta", "Nova Alpha", "Nova Mid")):
            session.add(Channel(channel_id=f"UCnova{n:018d}", name=name, subscriber_count=1000 - n))
        session.commit()
    sign_in(page, app_url, *make_user(), target="/channels")
    total, box = page.locator("#total-label"), page.locator("#channel-search")
    first = page.locator("#channel-grid .channel-row").first
    expect(total).to_have_text("63 channels")

    entries = page.evaluate("window.history.length")
    box.press_sequentially("nova", delay=400)  # pauses past the debounce: one entry all the same
    wait_for_view(page, app_url, "/channels", "q=nova")
    expect(total).to_have_text("3 channels")
    assert page.evaluate("window.history.length") == entries + 1
    page.locator("#channel-sort").click()
    page.get_by_role("option", name="Name").click()
    wait_for_view(page, app_url, "/channels", "q=nova&sort=name")
    expect(first).to_contain_text("Nova Alpha")

    page.reload()
    expect(box).to_have_value("nova")
    expect(total).to_have_text("3 channels")
    expect(first).to_contain_text("Nova Alpha")
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("#channel-search")).to_have_value("nova")
    expect(other.locator("#channel-grid .channel-row").first).to_contain_text("Nova Alpha")
    other.close()

    page.go_back()  # the sort undone
    wait_for_view(page, app_url, "/channels", "q=nova")
    expect(page.locator("#channel-sort")).to_have_text("Most videos")
    expect(total).to_have_text("3 channels")
    page.go_back()  # the search undone, box included
    wait_for_view(page, app_url, "/channels")
    expect(total).to_have_text("63 channels")
    expect(box).to_have_value("")

    page.locator("#next-page").click()
    wait_for_view(page, app_url, "/channels", "page=2")
    page.reload()
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    expect(page.locator("#channel-grid .channel-row")).to_have_count(13)

    page.goto(f"{app_url}/channels?sort=loudest&q=nova")  # a bad value is ignored, not an error
    expect(page.get_by_text("Ignored sort='loudest' in the address")).to_be_visible()
    expect(total).to_have_text("3 channels")
