"""The channels page lists the demo channels with totals, searches, and links to their videos."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from catalog_ui.services import reports
from catalog_ui.services.channels import list_channels
from catalog_ui.services.demo_data import write_demo_reports
from catalog_ui.services.ingest import ingest_report
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_channels_page(engine, session, app_url: str, page: Page, tmp_path: Path, make_user) -> None:
    day_one, _ = write_demo_reports(tmp_path, videos=300, seed=3)
    report, _ = reports.register_path(session, day_one)
    session.commit()
    assert ingest_report(report.id).status == "completed"
    expected = list_channels(session, sort="videos")
    top = expected.rows[0]

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
