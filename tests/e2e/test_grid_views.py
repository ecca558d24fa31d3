"""The grid's views in Chromium: a chosen column is remembered per user and carried by the URL, a saved
view reopens, an admin shares one, the export downloads the whole filtered result, notes are edited
from a row with their length counted, and the filter panel can be put away."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlmodel import Session

from catalog_ui.models import MetadataSync, Video
from catalog_ui.services.audit import apply_changes, open_change_set
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def catalog(engine) -> None:
    with Session(engine) as session:
        for n in range(1, 8):
            session.add(
                Video(
                    video_id=f"viewvid{n:04d}",
                    title=f"=Song {n}" if n == 1 else f"Song {n}",
                    isrc=f"USABC24{n:05d}",
                    privacy_status="private" if n % 2 else "public",
                    views=n * 100,
                    time_published=T0 + timedelta(days=n),
                )
            )
        session.commit()


def test_columns_saved_views_and_export(
    catalog, engine, app_url: str, page: Page, browser, make_user
) -> None:
    admin = make_user("ana@example.com", admin=True)
    user = make_user("bo@example.com")
    sign_in(page, app_url, *admin)
    page.locator("#columns-button").click()
    page.locator("#column-isrc").click()
    page.wait_for_url(re.compile(r".*cols=video_id%2Ctitle%2Cchannel_display_name%2Cisrc%2C"))
    expect(page.locator("#sort-isrc")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(f"{app_url}/videos")  # remembered for this user even without the URL
    expect(page.locator("#sort-isrc")).to_be_visible()

    page.locator('[data-facet="privacy"][data-value="private"]').click()
    page.wait_for_url(re.compile(r".*privacy=private"))
    expect(page.locator("#total-label")).to_have_text("4 videos")
    private_url = page.url
    page.locator("#views-button").click()
    page.locator("#save-view-open").click()
    page.locator("#save-view-name").fill("Private ones")
    page.locator("#save-view-share").click()
    page.locator("#save-view").click()
    expect(page.get_by_text("Saved the view “Private ones”.")).to_be_visible()

    with page.expect_download() as download_info:
        page.locator("#export-button").click()
    download = download_info.value
    assert re.fullmatch(r"videos-\d{4}-\d\d-\d\dT\d{4}Z\.csv", download.suggested_filename)
    content = download.path().read_bytes().decode("utf-8-sig")
    exported = list(csv.reader(io.StringIO(content)))
    assert exported[0][:4] == ["video_id", "video_title", "channel_display_name", "isrc"]
    assert [row[0] for row in exported[1:]] == ["viewvid0007", "viewvid0005", "viewvid0003", "viewvid0001"]
    assert exported[-1][1] == "'=Song 1"

    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        user_page = other.new_page()
        sign_in(user_page, app_url, *user)
        expect(user_page.locator("#sort-isrc")).to_have_count(0)  # columns are per user
        user_page.locator("#views-button").click()
        user_page.locator('.saved-view[data-name="Private ones"]').click()
        user_page.wait_for_url(re.compile(r".*privacy=private"))
        expect(user_page.locator("#total-label")).to_have_text("4 videos")
        expect(user_page.locator("#sort-isrc")).to_be_visible()  # the view carries its columns
        expect(user_page.locator(".saved-view")).to_have_count(0)  # the menu closed on the view it opened
        assert user_page.url.split("?")[1] == private_url.split("?")[1]
    finally:
        other.close()


def test_admin_edits_notes_from_a_row(catalog, engine, app_url: str, page: Page, make_user) -> None:
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    page.get_by_role("button", name="Notes on viewvid0003").click()  # named for screen readers
    notes = page.locator("#grid-notes-input")
    notes.fill("x" * 501)
    expect(page.locator("#grid-notes-count")).to_have_text("501 / 500")
    expect(page.locator("#grid-notes-save")).to_be_disabled()
    notes.fill("Label asked for a new thumbnail")
    expect(page.locator("#grid-notes-count")).to_have_text("31 / 500")
    page.locator("#grid-notes-save").click()
    expect(page.get_by_text("Saved the notes of viewvid0003.")).to_be_visible()
    switch = page.get_by_role("switch", name="Administered: viewvid0003")
    # The switch draws its track from its own state (a tooltip around it once overwrote it: all looked on).
    expect(switch).to_have_attribute("data-state", "unchecked")
    switch.click()
    expect(page.get_by_text("Marked viewvid0003 administered.")).to_be_visible()
    expect(switch).to_have_attribute("data-state", "checked")

    with Session(engine) as session:
        video = session.execute(select(Video).where(Video.video_id == "viewvid0003")).scalar_one()
        assert video.notes == "Label asked for a new thumbnail"
        assert video.administered is True and video.administered_at is not None
        entries = (
            session.execute(
                select(MetadataSync.changes)
                .where(MetadataSync.video_id == "viewvid0003")
                .order_by(MetadataSync.id)
            )
            .scalars()
            .all()
        )
        assert entries[0] == {"notes": [None, "Label asked for a new thumbnail"]}
        assert list(entries[1]) == ["administered", "administered_at"]


def test_sorting_by_last_synced(catalog, engine, app_url: str, page: Page, make_user) -> None:
    order = ("viewvid0005", "viewvid0002", "viewvid0007", "viewvid0001", "viewvid0004")  # oldest edit first
    with Session(engine) as session:
        for video_id in order:
            change_set = open_change_set(session, "user", label="Edit notes")
            apply_changes(session, change_set, video_id, {"notes": "checked"}, allow_user_fields=True)
            session.commit()
    user = make_user("cy@example.com")
    sign_in(page, app_url, *user, target="/videos?cols=video_id,title,last_synced")
    page.locator("#sort-last_synced").click()
    page.wait_for_url(re.compile(r".*sort=last_synced&dir=desc"))
    header = page.locator("th", has=page.locator("#sort-last_synced"))  # where screen readers read it
    expect(header).to_have_attribute("aria-sort", "descending")
    rows = page.locator("#video-grid .video-row")
    expect(rows.first).to_have_attribute("data-video-id", "viewvid0004")
    synced = [rows.nth(n).get_attribute("data-video-id") for n in range(len(order))]
    assert synced == list(reversed(order))  # the never-synced videos come last
    page.locator("#sort-last_synced").click()
    page.wait_for_url(re.compile(r".*sort=last_synced&dir=asc"))
    expect(rows.nth(2)).to_have_attribute("data-video-id", order[0])  # after the two never edited


def test_the_filter_panel_can_be_hidden_and_stays_hidden(
    catalog, app_url: str, page: Page, make_user
) -> None:
    sign_in(page, app_url, *make_user("cy@example.com"))
    expect(page.locator("#facet-panel")).to_be_visible()
    page.get_by_role("button", name="Hide filters").click()
    expect(page.locator("#facet-panel")).to_have_count(0)
    expect(page.locator("#video-grid .video-row")).to_have_count(7)

    page.reload()  # kept in the browser
    expect(page.locator("#video-grid .video-row")).to_have_count(7)
    expect(page.get_by_role("button", name="Show filters")).to_be_visible()
    expect(page.locator("#facet-panel")).to_have_count(0)
    page.get_by_role("button", name="Show filters").click()
    expect(page.locator("#facet-panel")).to_be_visible()


def test_export_right_after_typing_a_search_exports_the_typed_search(
    catalog, app_url: str, page: Page, make_user
) -> None:
    sign_in(page, app_url, *make_user("di@example.com"))
    expect(page.locator("#video-grid .video-row")).to_have_count(7)
    # Typed, then Export at once: the box has not sent the search yet (it waits for a pause in the typing).
    page.locator("#video-search").fill("viewvid0003")
    with page.expect_download() as download_info:
        page.locator("#export-button").click()
    content = download_info.value.path().read_bytes().decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(content))][1:] == ["viewvid0003"]  # before: all 7
    page.wait_for_url(re.compile(r".*q=viewvid0003"))
    expect(page.locator("#video-grid .video-row")).to_have_count(1)  # the grid shows what was exported


def test_saving_over_a_view_and_deleting_one_ask_first(catalog, app_url: str, page: Page, make_user) -> None:
    sign_in(page, app_url, *make_user("ed@example.com"))

    def save_as(name: str) -> None:
        page.locator("#views-button").click()
        page.locator("#save-view-open").click()
        page.locator("#save-view-name").fill(name)
        page.locator("#save-view").click()

    save_as("Mine")
    expect(page.get_by_text("Saved the view “Mine”.")).to_be_visible()
    page.locator('[data-facet="privacy"][data-value="private"]').click()
    page.wait_for_url(re.compile(r".*privacy=private"))
    save_as("Mine")
    expect(page.locator("#save-view-exists")).to_contain_text("You already have a view called “Mine”.")
    expect(page.locator("#save-view")).to_have_text("Replace view “Mine”")
    page.locator("#save-view").click()
    expect(page.get_by_text("Replaced the view “Mine”.")).to_be_visible()
    expect(page.locator("#save-view")).to_have_count(0)

    page.locator("#views-button").click()
    page.locator('.delete-saved-view[data-name="Mine"]').click()
    expect(page.locator("#delete-view-title")).to_have_text("Delete the view “Mine”?")
    page.locator("#delete-view-cancel").click()
    page.locator("#views-button").click()
    expect(page.locator('.saved-view[data-name="Mine"]')).to_have_count(1)  # kept
    page.locator('.delete-saved-view[data-name="Mine"]').click()
    page.locator("#delete-view").click()
    expect(page.get_by_text("Deleted the view “Mine”.")).to_be_visible()
    page.locator("#views-button").click()
    expect(page.get_by_text("No saved views yet.")).to_be_visible()


def test_an_admin_replacing_a_shared_view_is_told_what_happens_to_its_sharing(
    catalog, app_url: str, page: Page, make_user
) -> None:
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))

    def save_as(name: str, *, share: bool = False) -> None:
        page.locator("#views-button").click()
        page.locator("#save-view-open").click()
        page.locator("#save-view-name").fill(name)
        if share:
            page.locator("#save-view-share").click()
        page.locator("#save-view").click()

    save_as("Team", share=True)
    expect(page.get_by_text("Saved the view “Team”.")).to_be_visible()
    page.locator('[data-facet="privacy"][data-value="private"]').click()
    page.wait_for_url(re.compile(r".*privacy=private"))
    save_as("Team")  # the box left as it starts, unticked
    expect(page.locator("#save-view-exists")).to_have_text(
        "You already have a view called “Team”, shared with everybody. Replacing it changes it for everybody."
    )
    expect(page.locator("#save-view-share")).to_be_checked()
    page.locator("#save-view-share").click()
    expect(page.locator("#save-view-exists")).to_contain_text("replacing it makes it private")
    page.locator("#save-view-share").click()
    page.locator("#save-view").click()
    expect(page.get_by_text("Replaced the view “Team”.")).to_be_visible()
    page.locator("#views-button").click()
    expect(page.locator('.saved-view[data-name="Team"]')).to_have_text("Teamshared")  # still shared
