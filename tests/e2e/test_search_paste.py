"""Pasting into the search boxes in Chromium, through the clipboard as a catalog team does: a column of ids
copied from a spreadsheet (in the forms the team keeps them), a YouTube link, a channel's link."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from catalog_ui.models import Channel, Video
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CHANNEL = "UC" + "p" * 22


def _paste(page: Page, box_id: str, text: str) -> None:
    """Put `text` on the clipboard and paste it into the box (Ctrl+V), replacing what it held."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    box = page.locator(f"#{box_id}")
    box.click()
    box.press("ControlOrMeta+a")
    box.press("ControlOrMeta+v")


def test_pasted_ids_and_links_find_their_videos_and_channel(
    engine, app_url: str, page: Page, make_user
) -> None:
    with Session(engine) as session:
        session.add(Channel(channel_id=CHANNEL, name="Paste Records"))
        session.add(Channel(channel_id="UC" + "q" * 22, name="Other Channel"))
        session.add(Video(video_id="pasteVID001", title="First Song", custom_id="PASTE-2024-001"))
        session.add(Video(video_id="pasteVID002", title="Second Song", isrc="USRC12345678"))
        session.add(Video(video_id="pasteVID003", title="Third Song", upc="012345678905"))
        session.add(Video(video_id="pasteVID004", title="Fourth Song"))
        for n in range(5, 30):
            session.add(Video(video_id=f"pasteVID{n:03d}", title=f"Filler {n}"))
        session.commit()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    sign_in(page, app_url, *make_user())
    total = page.locator("#total-label")
    expect(total).to_have_text("29 videos")

    # A spreadsheet column: a custom id in lower case, an ISRC with hyphens, a UPC that lost its leading
    # zero, a video id; one a line (Chromium's text box turns the line breaks into blanks).
    _paste(page, "video-search", "paste-2024-001\r\nus-rc1-23-45678\r\n12345678905\r\npasteVID004\r\n")
    expect(total).to_have_text("4 videos")
    shown = page.locator("#video-grid .video-row")
    expect(shown).to_have_count(4)
    found = sorted(shown.nth(i).get_attribute("data-video-id") or "" for i in range(4))
    assert found == ["pasteVID001", "pasteVID002", "pasteVID003", "pasteVID004"]

    _paste(page, "video-search", "https://www.youtube.com/watch?v=pasteVID002&t=10s")
    expect(total).to_have_text("1 video")
    expect(shown.first).to_have_attribute("data-video-id", "pasteVID002")

    _paste(page, "video-search", "https://studio.youtube.com/video/pasteVID003/edit")
    expect(total).to_have_text("1 video")
    expect(shown.first).to_have_attribute("data-video-id", "pasteVID003")

    page.goto(f"{app_url}/channels")
    expect(total).to_have_text("2 channels")
    _paste(page, "channel-search", f"https://www.youtube.com/channel/{CHANNEL}/videos")
    expect(total).to_have_text("1 channel")
    expect(page.locator("#channel-grid .channel-row").first).to_contain_text("Paste Records")
