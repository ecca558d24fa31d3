"""The range filters in Chromium: counts per views band and publication year beside the inputs, each
ignoring its own range, and a click on a bucket sets the range (a second click clears it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from catalog_ui.models import Video
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def spread(engine) -> None:
    """Six videos: views 5 to 50,000 (five bands), published in 2023, 2024 or 2025."""
    with Session(engine) as session:
        for n, (views, year) in enumerate([(5, 2023), (50, 2024), (500, 2024), (5000, 2025), (50_000, 2025)]):
            session.add(
                Video(
                    video_id=f"rangevid{n:03d}", views=views, time_published=datetime(year, 3, 1, tzinfo=UTC)
                )
            )
        session.add(
            Video(video_id="rangevid009", views=7000, time_published=datetime(2023, 7, 1, tzinfo=UTC))
        )
        session.commit()


def _bucket(page: Page, facet: str, key: str):
    return page.locator(f'[data-range="{facet}"][data-bucket="{key}"]')


def test_range_counts_and_picking_a_bucket(spread, app_url: str, page: Page, make_user) -> None:
    sign_in(page, app_url, *make_user("di@example.com"))
    expect(page.locator("#total-label")).to_have_text("6 videos")
    page.get_by_text("Views between").click()
    page.get_by_text("Published between (UTC)").click()
    expect(_bucket(page, "views", "0")).to_have_attribute("data-count", "2")  # 0–99: 5 and 50
    expect(_bucket(page, "views", "0")).to_contain_text("0–99")
    expect(_bucket(page, "views", "4")).to_have_attribute("data-count", "2")  # 1k–9.9k: 5,000 and 7,000
    expect(_bucket(page, "views", "4")).to_contain_text("1k–9.9k")
    expect(_bucket(page, "published", "2024")).to_have_attribute("data-count", "2")

    _bucket(page, "views", "4").click()
    page.wait_for_url(re.compile(r".*views_min=1000&views_max=9999"))
    expect(page.locator("#total-label")).to_have_text("2 videos")
    expect(page.locator("#views-min")).to_have_value("1000")
    expect(_bucket(page, "views", "0")).to_have_attribute("data-count", "2")  # its own range is ignored
    expect(_bucket(page, "published", "2024")).to_have_count(0)  # the other range follows it
    expect(_bucket(page, "published", "2023")).to_have_attribute("data-count", "1")

    _bucket(page, "published", "2025").click()
    page.wait_for_url(re.compile(r".*published_from=2025-01-01&published_to=2025-12-31"))
    expect(page.locator("#total-label")).to_have_text("1 video")
    expect(_bucket(page, "published", "2023")).to_have_attribute("data-count", "1")

    _bucket(page, "views", "4").click()  # the band already set: the views range is cleared
    expect(page.locator("#total-label")).to_have_text("2 videos")
    expect(page.locator("#views-min")).to_have_value("")
