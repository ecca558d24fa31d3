"""A catalog team pastes a label's list of ISRCs into the grid's search and learns which found no video
(missing deliveries): the count above the grid, the ids not found, all of them selectable, and Copy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from catalog_ui.models import Video
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_pasted_list_says_which_ids_found_nothing(engine, app_url: str, page: Page, make_user) -> None:
    with Session(engine) as session:
        for n in range(1, 7):
            session.add(Video(video_id=f"deliverV{n:03d}", title=f"Delivered {n}", isrc=f"GBDEL2400{n:03d}"))
        session.commit()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    sign_in(page, app_url, *make_user())
    total = page.locator("#total-label")
    expect(total).to_have_text("6 videos")
    expect(page.locator("#pasted-ids")).to_have_count(0)

    # Eight ISRCs from the label's spreadsheet, in its forms (hyphens, lower case), one a line (Chromium's
    # text box turns the line breaks into blanks): six delivered, two not.
    pasted = [f"gb-del-24-00{n:03d}" for n in range(1, 7)] + ["GBDEL2400777", "GBDEL2400099"]
    page.evaluate("text => navigator.clipboard.writeText(text)", "\r\n".join(pasted) + "\r\n")
    box = page.locator("#video-search")
    box.click()
    box.press("ControlOrMeta+v")

    expect(total).to_have_text("6 videos")
    expect(page.locator("#pasted-ids-count")).to_have_text("6 of 8 ids found")
    missing = page.locator("#pasted-ids-missing .pasted-missing-id")
    expect(missing).to_have_text(["GBDEL2400777", "GBDEL2400099"])
    expect(page.locator("#pasted-ids-show-all")).to_have_count(0)  # two ids: all shown already

    page.locator("#pasted-ids-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == "GBDEL2400777\nGBDEL2400099"

    # One id: no list, no callout.
    box.fill("GBDEL2400001")
    expect(total).to_have_text("1 video")
    expect(page.locator("#pasted-ids")).to_have_count(0)
