"""The Queue page in Chromium, with the app's in-process workers calling the YouTube simulator.

A user queues a metadata_sync from a video's page and watches it complete on /queue; the video then shows
YouTube's new values with history from that task. An admin retries a task that failed for good once its
video is back on YouTube, and changes the priority of, then cancels, a task of a paused type. A user sees
none of the admin actions. The filters and the page are kept in the URL: reload, a new tab and Back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from catalog_ui.models import ProcessingQueue, Video, utc_now
from catalog_ui.services import queue
from tests.e2e.conftest import STEP_TIMEOUT_MS, sign_in, wait_for_view
from tests.simulators.youtube import YouTubeSimulator

pytestmark = pytest.mark.e2e

SYNCED = "qSyncE2E001"
FAILED_BEFORE = "qUserE2E002"
GONE = "qGoneE2E003"
PAUSED = "qWaitE2E004"
LIVE_TIMEOUT_MS = 30_000  # the page polls every 3 s; the worker needs well under a second per task


def _add_videos(engine, *video_ids: str) -> None:
    with Session(engine) as session:
        for video_id in video_ids:
            session.add(Video(video_id=video_id, title=f"Catalog title {video_id}", views=100))
        session.commit()


def _tasks(engine, video_id: str) -> list[ProcessingQueue]:
    with Session(engine) as session:
        return list(session.exec(select(ProcessingQueue).where(ProcessingQueue.video_id == video_id)))


def _queue_from_video_page(page: Page, app_url: str, video_id: str) -> int:
    """Open the video's Tasks tab, queue a metadata_sync, return the new task's id."""
    page.goto(f"{app_url}/videos/{video_id}")
    expect(page.locator("#video-id")).to_have_text(video_id)  # hydrated and loaded: the tab takes a click
    page.locator("#tab-tasks").click()
    page.locator("#enqueue-metadata_sync").click()
    expect(page.get_by_text("Queued metadata_sync (task #")).to_be_visible()
    expect(page.locator(".task-row")).to_have_count(1)
    return int(page.locator(".task-row").first.locator("td").first.inner_text().lstrip("#"))


def _status(page: Page, task_id: int, status: str) -> None:
    expect(page.locator(f"#task-{task_id}")).to_have_attribute("data-status", status, timeout=LIVE_TIMEOUT_MS)


def test_a_queued_sync_completes_by_itself_and_changes_the_video(
    engine, app_url: str, page: Page, make_user, youtube: YouTubeSimulator
) -> None:
    _add_videos(engine, SYNCED, FAILED_BEFORE)
    youtube.add_video(SYNCED, title="Title now on YouTube", views=2_500, duration=213, channel_title="Nova")
    with Session(engine) as session:  # a task that failed earlier, claimed and failed in one transaction
        old, _ = queue.enqueue(session, FAILED_BEFORE, "ownership_update")
        queue.claim(session, "ownership_update", 1, "e2e", 60)
        queue.fail_permanently(session, old.id, "e2e", "video not found on YouTube")
        session.commit()
        failed_id = old.id
    sign_in(page, app_url, *make_user("bo@example.com"), target=f"/videos/{SYNCED}")

    task_id = _queue_from_video_page(page, app_url, SYNCED)
    page.locator("#nav-queue").click()
    page.wait_for_url(f"{app_url}/queue")
    row = page.locator(f"#task-{task_id}")
    expect(row).to_contain_text(SYNCED)
    expect(row).to_contain_text("metadata_sync")
    expect(row.locator(f"a[href='/videos/{SYNCED}']")).to_be_visible()
    _status(page, task_id, "completed")
    expect(row.locator(".task-status")).to_have_text("completed")
    expect(page.locator("#count-metadata_sync-completed")).to_have_text("1")
    expect(page.locator("#count-ownership_update-failed")).to_have_text("1")
    expect(page.locator("#count-all-total")).to_have_text("2")
    expect(page.locator("#throughput-text")).to_contain_text("1 completed · 1 failed in the last 15 min")

    # No admin actions for a user, not even on a failed task.
    expect(page.locator(f"#task-{failed_id}")).to_contain_text("video not found on YouTube")
    expect(page.locator("#bulk-actions")).to_have_count(0)
    expect(page.locator(".task-retry")).to_have_count(0)
    expect(page.locator(".task-cancel")).to_have_count(0)

    page.locator(f"#open-task-{task_id}").click()
    detail = page.locator("#task-detail")
    expect(detail.locator("#detail-status")).to_have_text("completed")
    expect(detail.locator("#detail-summary")).to_contain_text("Title")
    expect(detail.locator("#detail-summary")).to_contain_text("Views")
    expect(detail.locator("#detail-changes")).to_contain_text("Title now on YouTube")
    expect(detail.locator("#detail-changes")).to_contain_text("2,500")
    expect(detail.locator("#priority-editor")).to_have_count(0)
    expect(detail.locator("#detail-retry")).to_have_count(0)
    page.locator("#close-detail").click()
    expect(detail).to_have_count(0)

    page.locator("#filter-status").click()
    page.get_by_role("option", name="failed").click()
    expect(page.locator(".task-row")).to_have_count(1)
    expect(page.locator(f"#task-{failed_id}")).to_be_visible()
    page.locator("#filter-mine").click()
    expect(page.locator("#no-tasks")).to_contain_text("No tasks match these filters.")
    page.locator("#clear-filters").click()
    expect(page.locator(".task-row")).to_have_count(2)

    page.locator(f"#task-{task_id} a[href='/videos/{SYNCED}']").click()
    page.wait_for_url(f"{app_url}/videos/{SYNCED}")
    expect(page.locator("#video-title")).to_have_text("Title now on YouTube")
    expect(page.locator("#field-views")).to_contain_text("2,500")
    page.locator("#tab-history").click()
    newest = page.locator(".history-entry").first
    expect(newest).to_contain_text(f"Task metadata_sync #{task_id}")
    expect(newest).to_contain_text("2,500")
    with Session(engine) as session:
        video = session.exec(select(Video).where(Video.video_id == SYNCED)).one()
        assert (video.title, video.views, video.video_length) == ("Title now on YouTube", 2_500, 213)


def test_an_admin_retries_a_failed_task_and_reprioritises_then_cancels_a_waiting_one(
    engine, app_url: str, browser: Browser, make_user, youtube: YouTubeSimulator
) -> None:
    _add_videos(engine, GONE, PAUSED)
    youtube.add_video(GONE, title="Back on YouTube", views=42)
    youtube.hide_video(GONE)
    # India has no daylight saving time: its offset shows in the detail's times all year.
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="Asia/Kolkata")
    try:
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        _admin_journey(engine, app_url, page, make_user, youtube)
    finally:
        context.close()


def _admin_journey(engine, app_url: str, page: Page, make_user, youtube: YouTubeSimulator) -> None:
    sign_in(page, app_url, *make_user("ana@example.com", admin=True), target=f"/videos/{GONE}")

    task_id = _queue_from_video_page(page, app_url, GONE)
    page.goto(f"{app_url}/queue")
    _status(page, task_id, "failed")
    row = page.locator(f"#task-{task_id}")
    expect(row.locator(".task-error")).to_have_text("video not found on YouTube")
    page.locator(f"#open-task-{task_id}").click()
    expect(page.locator("#detail-error")).to_contain_text("video not found on YouTube")
    expect(page.locator("#detail-created")).to_contain_text("UTC+05:30")
    page.locator("#close-detail").click()

    youtube.hide_video(GONE, hidden=False)
    page.locator(f"#retry-{task_id}").click()
    expect(page.get_by_text(f"Task #{task_id} is back in the queue.")).to_be_visible()
    _status(page, task_id, "completed")
    expect(row.locator(".task-retries")).to_have_text("0")
    expect(row.locator(".task-error")).to_have_count(0)
    (task,) = _tasks(engine, GONE)
    assert (task.status, task.retry_count) == ("completed", 0)
    assert task.result["fields_changed"] == sorted(task.result["changes"])
    assert task.result["changes"]["title"] == [f"Catalog title {GONE}", "Back on YouTube"]

    # A paused type keeps its tasks waiting: the page shows the pause; the admin reprioritises and cancels.
    with Session(engine) as session:
        queue.pause_task_type(session, "asset_enrichment", utc_now() + timedelta(hours=2), "quotaExceeded")
        waiting, _ = queue.enqueue(session, PAUSED, "asset_enrichment")
        session.commit()
        waiting_id = waiting.id
    expect(page.locator("#pause-asset_enrichment")).to_contain_text("paused until", timeout=LIVE_TIMEOUT_MS)
    _status(page, waiting_id, "pending")
    page.locator(f"#open-task-{waiting_id}").click()
    page.locator("#priority-input").fill("7")
    page.locator("#save-priority").click()
    expect(page.get_by_text(f"Task #{waiting_id} now has priority 7.")).to_be_visible()
    expect(page.locator("#detail-priority")).to_have_text("7")
    page.locator("#priority-input").fill("-2")
    page.locator("#save-priority").click()
    expect(page.get_by_text("Priority must be a whole number of 0 or more.")).to_be_visible()
    page.locator("#close-detail").click()
    expect(page.locator(f"#task-{waiting_id} .task-priority")).to_have_text("7")

    page.locator("#filter-type").click()
    page.get_by_role("option", name="asset_enrichment").click()
    expect(page.locator(".task-row")).to_have_count(1)
    page.locator("#cancel-matching").click()
    expect(page.locator("#bulk-dialog")).to_contain_text(
        "Cancel 1 pending task matching type asset_enrichment?"
    )
    page.locator("#bulk-confirm").click()
    expect(page.get_by_text("1 task cancelled.")).to_be_visible()
    _status(page, waiting_id, "cancelled")
    expect(page.locator("#count-asset_enrichment-cancelled")).to_have_text("1")
    assert [t.status for t in _tasks(engine, PAUSED)] == ["cancelled"]


def _seed_finished_tasks(engine) -> None:
    """63 finished tasks (no worker touches them): 60 completed syncs, 3 failed ownership updates."""
    videos = [f"qUrl{n:07d}" for n in range(63)]
    _add_videos(engine, *videos)
    with Session(engine) as session:
        for n, video_id in enumerate(videos):
            failed = n < 3
            session.add(
                ProcessingQueue(
                    video_id=video_id,
                    task_type="ownership_update" if failed else "metadata_sync",
                    status="failed" if failed else "completed",
                    completed_at=utc_now(),
                )
            )
        session.commit()


def test_the_filters_and_page_are_kept_in_the_url(engine, app_url: str, page: Page, make_user) -> None:
    _seed_finished_tasks(engine)
    sign_in(page, app_url, *make_user("bo@example.com"), target="/queue")
    rows, status = page.locator(".task-row"), page.locator("#filter-status")
    expect(page.locator("#total-label")).to_have_text("63 tasks")

    status.click()
    page.get_by_role("option", name="failed").click()
    wait_for_view(page, app_url, "/queue", "status=failed")
    expect(rows).to_have_count(3)
    page.reload()
    expect(rows).to_have_count(3)
    expect(status).to_have_text("failed")

    entries = page.evaluate("window.history.length")
    box = page.locator("#filter-video")
    box.press_sequentially("qUrl0000002", delay=450)  # pauses past the debounce: one entry all the same
    wait_for_view(page, app_url, "/queue", "status=failed&video=qUrl0000002")
    expect(rows).to_have_count(1)
    expect(box).to_have_value("qUrl0000002")
    assert page.evaluate("window.history.length") == entries + 1

    other = page.context.new_page()  # a link sent to a colleague
    other.goto(page.url)
    expect(other.locator(".task-row")).to_have_count(1)
    expect(other.locator("#filter-video")).to_have_value("qUrl0000002")
    expect(other.locator("#filter-status")).to_have_text("failed")
    other.close()

    page.go_back()  # undoes the video filter, box included
    wait_for_view(page, app_url, "/queue", "status=failed")
    expect(rows).to_have_count(3)
    expect(box).to_have_value("")
    page.go_back()
    wait_for_view(page, app_url, "/queue")
    expect(page.locator("#total-label")).to_have_text("63 tasks")
    expect(status).to_have_text("all")

    page.locator("#next-page").click()
    wait_for_view(page, app_url, "/queue", "page=2")
    page.reload()
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    expect(rows).to_have_count(13)

    entries = page.evaluate("window.history.length")
    page.locator("#filter-mine").click()
    wait_for_view(page, app_url, "/queue", "creator=bo%40example.com")
    page.locator("#filter-mine").click()  # the same view again: no entry for Back to step over
    page.locator("#clear-filters").click()  # answered after the click before: its entry, if any, is made
    wait_for_view(page, app_url, "/queue")
    assert page.evaluate("window.history.length") == entries + 2

    page.goto(f"{app_url}/queue?status=exploded&type=metadata_sync")  # a bad value is ignored, not an error
    expect(page.get_by_text("Ignored status='exploded' in the address")).to_be_visible()
    wait_for_view(page, app_url, "/queue", "type=metadata_sync")
    expect(page.locator("#total-label")).to_have_text("60 tasks")


def test_escape_closes_the_retry_confirmation_without_acting(
    engine, app_url: str, page: Page, make_user
) -> None:
    _seed_finished_tasks(engine)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True), target="/queue?type=ownership_update")
    page.locator("#retry-matching").click()
    expect(page.locator("#bulk-dialog")).to_contain_text(
        "Retry 3 failed tasks matching type ownership_update?"
    )

    page.keyboard.press("Escape")  # before: the dialog stayed, only a click on "Keep them" closed it

    # The dialog's `open` is the server's: closed, the server has handled what Escape sent.
    expect(page.locator("#bulk-dialog")).to_have_count(0)
    with Session(engine) as session:
        failed = session.exec(select(ProcessingQueue).where(ProcessingQueue.status == "failed")).all()
    assert len(failed) == 3
