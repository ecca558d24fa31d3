"""The video page in Chromium: grouped fields, the offline thumbnail fallback, history, chart, admin hiding."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from catalog_ui.models import Channel, MetadataSync, Report, Video
from catalog_ui.models.audit import CREATED
from catalog_ui.models.video import FIELD_GROUPS
from catalog_ui.services.audit import open_change_set
from tests.e2e.conftest import sign_in, wait_for_page, wait_for_view
from tests.simulators.youtube import YouTubeSimulator

pytestmark = pytest.mark.e2e

VIDEO = "dQw4w9WgXcQ"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _seed(engine) -> None:
    with Session(engine) as session:
        session.add(Channel(channel_id="UCnova000000000000000001", name="Nova Records"))
        session.flush()
        session.add(
            Video(
                video_id=VIDEO,
                channel_id="UCnova000000000000000001",
                channel_display_name="Nova Records",
                title="Never Gonna Give You Up",
                artist=["Rick Astley"],
                genre=["Pop", "Dance"],
                isrc="GBARL9300135",
                views=1_500_000,
                video_length=213,
                privacy_status="public",
                claimed_status="active",
                time_published=datetime(2009, 10, 25, 6, 57, tzinfo=UTC),
            )
        )
        session.add(Video(video_id="other000001", title="Another song", views=5))
        session.flush()
        report = open_change_set(session, "report", label="cms_videos_2026-03-01.csv.gz")
        session.add(
            MetadataSync(
                video_id=VIDEO, sync_time=T0, changes={CREATED: [None, "report"]}, change_set_id=report.id
            )
        )
        task = open_change_set(session, "task", label="metadata_sync")
        session.add(
            MetadataSync(
                video_id=VIDEO,
                sync_time=T0 + timedelta(days=1),
                changes={"views": [1_000_000, 1_200_000], "genre": [["Pop"], ["Pop", "Dance"]]},
                change_set_id=task.id,
            )
        )
        session.add(
            MetadataSync(
                video_id=VIDEO,
                sync_time=T0 + timedelta(days=2),
                changes={"views": [1_200_000, 1_500_000]},
                change_set_id=task.id,
            )
        )
        session.commit()


def _open_from_grid(page: Page, app_url: str) -> None:
    """Click the video's id in the grid."""
    page.locator(f"#video-grid a[href='/videos/{VIDEO}']").click()
    page.wait_for_url(f"{app_url}/videos/{VIDEO}")


def test_video_page_shows_fields_fallback_thumbnail_history_and_chart(
    engine, app_url: str, page: Page, make_user, youtube: YouTubeSimulator
) -> None:
    _seed(engine)
    youtube.add_video(VIDEO, title="Never Gonna Give You Up (Remastered)", views=1_600_000)
    sign_in(page, app_url, *make_user("bo@example.com"))
    _open_from_grid(page, app_url)

    expect(page.locator("#video-title")).to_have_text("Never Gonna Give You Up")
    expect(page.locator(".field-group")).to_have_count(len(FIELD_GROUPS))
    for group in FIELD_GROUPS:
        expect(page.locator(f"[id='group-{group}']")).to_be_visible()
    expect(page.locator("#field-isrc")).to_contain_text("GBARL9300135")
    expect(page.locator("#field-genre")).to_contain_text("Pop · Dance")
    expect(page.locator("#field-video_length")).to_contain_text("3:33")
    expect(page.locator("#field-views")).to_contain_text("1,500,000")
    # Offline: the thumbnail cannot load, so the placeholder shows instead of a broken image.
    expect(page.locator("#video-thumbnail-fallback")).to_be_visible()
    expect(page.locator("#video-thumbnail")).to_have_count(0)
    youtube = page.locator("#video-youtube-link")
    expect(youtube).to_have_attribute("href", f"https://www.youtube.com/watch?v={VIDEO}")
    expect(youtube).to_have_attribute("target", "_blank")
    expect(youtube).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator("#video-channel-link")).to_have_text("Nova Records")
    expect(page.locator("#admin-panel")).to_have_count(0)
    page.locator("#back-to-videos").click()
    wait_for_page(page, app_url, "/videos")  # Back to the grid that sign-in loaded (`/videos/`)
    _open_from_grid(page, app_url)

    page.locator("#tab-history").click()
    entries = page.locator(".history-entry")
    expect(entries).to_have_count(3)
    expect(page.locator("#history-total")).to_have_text("3 entries")
    expect(entries.nth(0)).to_contain_text("Task metadata_sync")
    expect(entries.nth(0)).to_contain_text("1,200,000")
    expect(entries.nth(0)).to_contain_text("1,500,000")
    expect(entries.nth(1)).to_contain_text("+ Dance")
    expect(entries.nth(2)).to_contain_text("Created by report cms_videos_2026-03-01.csv.gz")
    expect(page.locator(".revert-entry")).to_have_count(0)  # not an admin

    page.locator("#history-field").click()
    page.get_by_role("option", name="Genre").click()
    expect(entries).to_have_count(1)
    expect(page.locator("#history-total")).to_have_text("1 entry")
    # The switch's text is its label: it names the switch and, clicked, flips it.
    archived = page.get_by_role("switch", name="Include archived")
    expect(archived).to_have_attribute("aria-checked", "false")
    page.locator("label[for=include-archived]").click()
    expect(archived).to_have_attribute("aria-checked", "true")

    page.locator("#tab-views").click()
    expect(page.locator("#views-chart .recharts-area")).to_have_count(1)

    page.locator("#tab-tasks").click()
    page.locator("#enqueue-metadata_sync").click()
    expect(page.get_by_text("Queued metadata_sync (task #1).")).to_be_visible()
    expect(page.locator(".task-row")).to_have_count(1)
    expect(page.locator("#tasks-total")).to_have_text("1 task")
    # The page follows the task to its end, then shows what it changed, without a reload.
    expect(page.locator(".task-row")).to_contain_text("completed", timeout=20_000)
    expect(page.locator("#video-title")).to_have_text("Never Gonna Give You Up (Remastered)")

    page.goto(f"{app_url}/videos/nothing-here")
    expect(page.locator("#video-not-found")).to_contain_text("was not found")


def test_admin_hides_a_video_and_a_user_no_longer_finds_it(
    engine, app_url: str, page: Page, browser, make_user
) -> None:
    _seed(engine)
    admin = make_user("ana@example.com", admin=True)
    user = make_user("bo@example.com")
    sign_in(page, app_url, *admin, target=f"/videos/{VIDEO}")
    expect(page.locator("#video-title")).to_have_text("Never Gonna Give You Up")

    notes = page.locator("#notes-input")
    notes.fill("x" * 501)
    expect(page.locator("#notes-counter")).to_have_text("501 / 500")
    expect(page.locator("#save-notes")).to_be_disabled()
    notes.fill("Takedown requested by the label")
    expect(page.locator("#notes-counter")).to_have_text("31 / 500")
    page.locator("#save-notes").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()

    page.locator("#toggle-hidden").click()
    expect(page.locator("#hidden-banner")).to_be_visible()
    expect(page.locator("#badge-hidden")).to_be_visible()
    page.locator("#tab-history").click()
    newest = page.locator(".history-entry").first
    expect(newest).to_contain_text("Hidden by ana")
    expect(newest).to_contain_text("Hidden")

    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        user_page = other.new_page()
        sign_in(user_page, app_url, *user, target=f"/videos/{VIDEO}")
        expect(user_page.locator("#video-not-found")).to_contain_text(
            "it is not in the catalog, or an admin has hidden it"
        )
        user_page.goto(f"{app_url}/videos")
        expect(user_page.locator("#video-grid")).to_contain_text("other000001")
        expect(user_page.locator("#video-grid")).not_to_contain_text(VIDEO)
    finally:
        other.close()

    with Session(engine) as session:
        video = session.exec(select(Video).where(Video.video_id == VIDEO)).one()
        assert (video.hidden, video.notes) == (True, "Takedown requested by the label")

    # The admin reverts the hide from the timeline.
    page.locator(".history-entry").first.locator(".revert-entry").click()
    expect(page.locator("#rollback-summary")).to_have_text("Reverts 1 field on 1 video.")
    page.locator("#rollback-apply").click()
    expect(page.get_by_text("Reverted 1 field on 1 video as change set")).to_be_visible()
    expect(page.locator("#badge-hidden")).to_have_count(0)
    expect(page.locator(".history-entry").first).to_contain_text(f"Revert Hidden of {VIDEO} (change set #")


def test_admin_restores_a_video_to_a_local_time(engine, app_url: str, browser, make_user) -> None:
    _seed(engine)
    admin = make_user("ana@example.com", admin=True)
    paris = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="Europe/Paris")
    try:
        page = paris.new_page()
        sign_in(page, app_url, *admin, target=f"/videos/{VIDEO}")
        page.locator("#tab-history").click()
        # 13:00 in Paris on 2 March is 12:00 UTC: after the first views change, before the second.
        page.locator("#restore-at").fill("2026-03-02T13:00:00")
        page.locator("#restore-at-button").click()
        expect(page.locator("#rollback-heading")).to_have_text(f"Restore {VIDEO} to 2026-03-02 12:00:00 UTC")
        expect(page.locator("#rollback-summary")).to_have_text("Reverts 1 field on 1 video.")
        page.locator("#rollback-apply").click()
        expect(page.locator(".history-entry").first).to_contain_text(
            f"Restore {VIDEO} to 2026-03-02 12:00:00 UTC"
        )
        page.locator("#tab-fields").click()
        expect(page.locator("#field-views")).to_contain_text("1,200,000")
        page.locator("#tab-history").click()
        page.locator("#restore-at").fill("2026-03-01T08:00:00")
        page.locator("#restore-at-button").click()
        expect(page.get_by_text("was not in the catalog yet at that time")).to_be_visible()
        # "Restore to here" names the entry, not its second: on the creation it reverts everything after.
        page.locator(".restore-here").last.click()
        expect(page.locator("#rollback-heading")).to_have_text(
            re.compile(rf"^Restore {VIDEO} to 2026-03-01 08:00:00 UTC, as change set #\d+ left it$")
        )
        expect(page.locator("#rollback-summary")).to_have_text("Reverts 2 fields on 1 video.")
    finally:
        paris.close()


def test_a_title_without_spaces_wraps_inside_the_video_and_report_pages(
    engine, app_url: str, page: Page, make_user
) -> None:
    # CMS titles can be one unbroken run (a URL, a hashtag chain): the pages must not grow sideways.
    title = "#" + "NoSpacesAtAll" * 14
    with Session(engine) as session:
        session.add(Video(video_id="nospace0001", title=title, views=1))
        report = Report(filename="cms_videos_2026-03-02.csv", status="completed", field_counts={"title": 1})
        session.add(report)
        session.flush()
        change_set = open_change_set(session, "report", label=report.filename, report_id=report.id)
        session.add(
            MetadataSync(
                video_id="nospace0001",
                video_title=title,
                changes={"title": ["Old", title]},
                change_set_id=change_set.id,
            )
        )
        session.commit()
        report_id = report.id
    sign_in(page, app_url, *make_user())

    for path, text in ((f"/reports/{report_id}", "#report-changes"), ("/videos/nospace0001", "#video-title")):
        page.goto(f"{app_url}{path}")
        expect(page.locator(text)).to_contain_text("NoSpacesAtAll")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_history_view_is_kept_in_the_url(engine, app_url: str, page: Page, make_user) -> None:
    video = "urlView0001"
    with Session(engine) as session:
        session.add(Video(video_id=video, title="A video with a long history", views=30))
        session.flush()
        task = open_change_set(session, "task", label="metadata_sync")
        for n in range(32):
            changes = {"views": [n, n + 1]} if n < 30 else {"title": [f"Old {n}", f"New {n}"]}
            session.add(
                MetadataSync(
                    video_id=video, sync_time=T0 + timedelta(hours=n), changes=changes, change_set_id=task.id
                )
            )
        session.commit()
    sign_in(page, app_url, *make_user(), target="/videos")
    path = f"/videos/{video}"
    entries, pager = page.locator(".history-entry"), page.locator("#history-page")

    # A link names the tab, the field and the page.
    page.goto(f"{app_url}{path}?tab=history&field=views&page=2")
    expect(page.locator("#tab-history")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#history-field")).to_have_text("Views")
    expect(pager).to_have_text("Page 2 of 2")
    expect(entries).to_have_count(5)

    page.locator("#history-prev").click()
    wait_for_view(page, app_url, path, "tab=history&field=views")
    page.reload()
    expect(pager).to_have_text("Page 1 of 2")
    expect(page.locator("#history-field")).to_have_text("Views")
    page.go_back()
    wait_for_view(page, app_url, path, "tab=history&field=views&page=2")
    expect(pager).to_have_text("Page 2 of 2")

    page.locator("#history-field").click()
    page.get_by_role("option", name="All fields").click()
    wait_for_view(page, app_url, path, "tab=history")
    expect(page.locator("#history-total")).to_have_text("32 entries")

    # A page past the last (an old link) shows the last; a field the history does not know shows all.
    page.goto(f"{app_url}{path}?tab=history&page=9")
    wait_for_view(page, app_url, path, "tab=history&page=2")
    expect(pager).to_have_text("Page 2 of 2")
    page.goto(f"{app_url}{path}?tab=history&field=no_such_field")
    wait_for_view(page, app_url, path, "tab=history")
    expect(page.locator("#history-total")).to_have_text("32 entries")
