"""The dashboard's claims card and queue counts: exact figures, as the viewer may see them, each opening the
grid or the queue on exactly those videos or tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from tests.e2e.conftest import load_demo_day, sign_in, wait_for_page, wait_for_view

pytestmark = pytest.mark.e2e


def test_claims_and_queue_counts_open_their_videos_and_tasks(
    session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=200, seed=11)
    # Two videos in conflict with another owner, one of them hidden: a plain user sees one.
    session.execute(text("UPDATE video SET claimed_by_another_owner = 'No', claimed_status = 'active'"))
    session.execute(
        text(
            "UPDATE video SET claimed_by_another_owner = 'Yes', claimed_status = 'disputed', "
            "hidden = (video_id = (SELECT max(video_id) FROM video)) "
            "WHERE video_id IN (SELECT video_id FROM video ORDER BY video_id DESC LIMIT 2)"
        )
    )
    session.execute(
        text(
            "INSERT INTO processing_queue (video_id, task_type, status) "
            "SELECT min(video_id), 'metadata_sync', 'failed' FROM video"
        )
    )
    session.commit()
    sign_in(page, app_url, *make_user(), target="/")

    expect(page.locator("#recent-reports")).to_contain_text("200 rows")
    expect(page.locator("#claims-contested")).to_have_text("1")
    statuses = page.locator("#claim-statuses a")
    expect(statuses).to_have_text(["active: 198", "disputed: 1"])

    page.locator("#claims-contested").click()
    wait_for_view(page, app_url, "/videos", "other_owner=yes")
    expect(page.locator("#total-label")).to_have_text("1 video")

    page.go_back()
    wait_for_page(page, app_url, "/")
    page.locator("#claim-statuses a", has_text="disputed").click()
    wait_for_view(page, app_url, "/videos", "claim=disputed")
    expect(page.locator("#total-label")).to_have_text("1 video")

    page.go_back()
    wait_for_page(page, app_url, "/")
    expect(page.locator("#queue-failed")).to_have_text("1")
    page.get_by_label("failed tasks").click()
    wait_for_view(page, app_url, "/queue", "status=failed")
    expect(page.locator("#total-label")).to_have_text("1 task")


def test_an_admin_counts_hidden_videos_and_a_catalog_without_conflicts_says_so(
    session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=200, seed=11)
    session.execute(text("UPDATE video SET claimed_by_another_owner = 'No', claimed_status = 'takedown'"))
    session.execute(text("UPDATE video SET hidden = true WHERE video_id = (SELECT min(video_id) FROM video)"))
    session.commit()
    sign_in(page, app_url, *make_user(email="admin@example.com", admin=True), target="/")

    expect(page.locator("#claims-contested")).to_have_text("No video is claimed by another owner.")
    expect(page.locator("#claim-statuses a")).to_have_text(["takedown: 200"])
