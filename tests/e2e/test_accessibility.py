"""Accessibility, as a screen reader's user and a keyboard-only user meet the app: every control on every page
has a name, every page its landmarks and one top-level heading; the grid sorts from the keyboard and its
headers say how; a dialog closed with Escape gives focus back to the control that opened it; the first Tab
offers to skip the sidebar, and "/" goes to the grid's search."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text, update
from sqlmodel import Session

from catalog_ui.models import ProcessingQueue, Report, Video, utc_now
from catalog_ui.services import queue
from tests.e2e.conftest import load_demo_day, sign_in

pytestmark = pytest.mark.e2e

# Roles a user operates: each needs a name (its text, a label, aria-label) to be announced and to be found by
# get_by_role(..., name=...).
CONTROL_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "menuitem",
    "progressbar",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
}


# Roles that structure what they hold: a screen reader announces their name when it enters them (a column's
# header as it reads each cell, a radio group before its choices).
STRUCTURE_ROLES = {"columnheader", "radiogroup"}


def unnamed_controls(page: Page, roles: set[str] = CONTROL_ROLES) -> list[str]:
    """The nodes of the page's accessibility tree (Chromium's own, as screen readers get it) in `roles`
    (by default the controls) without a name, each as `role #id` (or its outer HTML when it has no id)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        found = []
        for node in nodes:
            role = node.get("role", {}).get("value")
            if node.get("ignored") or role not in roles or node.get("name", {}).get("value", "").strip():
                continue
            element = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})["object"]
            html = cdp.send(
                "Runtime.callFunctionOn",
                {
                    "objectId": element["objectId"],
                    "functionDeclaration": "function() { return this.id ? '#' + this.id"
                    " : this.outerHTML.slice(0, 160); }",
                    "returnByValue": True,
                },
            )["result"]["value"]
            found.append(f"{role} {html}")
        return found
    finally:
        cdp.detach()


def test_every_control_has_a_name_and_every_page_its_landmarks(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    report = load_demo_day(session, tmp_path, videos=60, seed=21)
    video_id = session.execute(text("SELECT min(video_id) FROM video")).scalar_one()
    queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    page.goto(f"{app_url}/login")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    seen = {"/login": outline(page)}

    sign_in(page, app_url, *make_user(email="a11y@example.com", admin=True), target="/")
    # (route, title, something the page shows once its data is in)
    pages = [
        ("/", "Dashboard", "#stat-videos"),
        ("/videos", "Videos", "#video-grid .video-row >> nth=0"),
        (f"/videos/{video_id}", "Video", "#tab-fields"),
        ("/channels", "Channels", "#channel-grid .channel-row >> nth=0"),
        ("/audit", "Audit", "#change-set-list .change-set-row >> nth=0"),
        ("/queue", "Queue", "#task-list .task-row >> nth=0"),
        ("/reports", "Reports", "#report-list a >> nth=0"),
        (f"/reports/{report.id}", "Report", "#report-name"),
        ("/users", "Users", "#users-table tbody tr >> nth=0"),
    ]
    expected = {"/login": {"main": 1, "navigation": 0, "h1": ["Sign in to Catalog"], "unnamed": []}}
    for route, title, ready in pages:
        page.goto(f"{app_url}{route}")
        expect(page.locator(ready)).to_be_visible()
        seen[route] = outline(page)
        expected[route] = {"main": 1, "navigation": 1, "h1": [title], "unnamed": []}
        if route.startswith("/videos/"):  # the video page's other tabs, opened from the keyboard
            for tab in ("History", "Views", "Tasks"):
                page.get_by_role("tab", name=tab).focus()
                page.keyboard.press("Enter")
                expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
                seen[f"{route} {tab}"] = outline(page)
                expected[f"{route} {tab}"] = expected[route]
    assert seen == expected


def test_every_column_header_and_radio_group_has_a_name(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    # A header cell with no text (over a column of buttons or badges) is announced as an empty cell with
    # every row; a radio group without a name reads its choices with no question.
    load_demo_day(session, tmp_path, videos=20, seed=24)
    sign_in(page, app_url, *make_user(email="headers@example.com", admin=True), target="/audit")
    expect(page.locator("#change-set-list .change-set-row").first).to_be_visible()
    seen = {"/audit": unnamed_controls(page, STRUCTURE_ROLES)}
    page.goto(f"{app_url}/reports")
    expect(page.locator("#report-list .report-row").first).to_be_visible()
    seen["/reports"] = unnamed_controls(page, STRUCTURE_ROLES)
    page.goto(f"{app_url}/users")
    expect(page.locator("#users-table tbody tr").first).to_be_visible()
    seen["/users"] = unnamed_controls(page, STRUCTURE_ROLES)
    page.get_by_role("button", name="New user").click()
    expect(page.get_by_role("dialog", name="New user").get_by_role("radiogroup")).to_be_visible()
    seen["/users New user"] = unnamed_controls(page, STRUCTURE_ROLES)
    assert seen == {"/audit": [], "/reports": [], "/users": [], "/users New user": []}


def outline(page: Page) -> dict[str, object]:
    """What a screen reader's user first meets on the page: its landmarks (the page's content, the sidebar's
    navigation), its top-level headings, and the controls it could not name."""
    return {
        "main": page.get_by_role("main").count(),
        "navigation": page.get_by_role("navigation", name="Main").count(),
        "h1": page.get_by_role("heading", level=1).all_inner_texts(),
        "unnamed": unnamed_controls(page),
    }


def test_a_grid_column_sorts_from_the_keyboard_and_its_header_says_how(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=30, seed=22)
    sign_in(page, app_url, *make_user(email="keys@example.com"))
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    header = page.get_by_role("columnheader", name="Title")
    sort = header.get_by_role("button", name="Title")
    sort.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*sort=title&dir=asc"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(sort).to_be_focused()  # the next Enter turns it round without looking for it again
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*sort=title&dir=desc"))
    expect(header).to_have_attribute("aria-sort", "descending")
    # The other sortable headers say they are not sorted; a computed column is no sort at all.
    expect(page.get_by_role("columnheader", name="Video ID")).to_have_attribute("aria-sort", "none")


def test_a_dialog_closed_with_escape_gives_focus_back_to_its_opener(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=120, seed=23)
    sign_in(page, app_url, *make_user(email="dialogs@example.com", admin=True))
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(50)
    video_id = rows.first.get_attribute("data-video-id")

    # A row's notes: opened with Enter on its button, typed into at once, left with Escape.
    notes = page.get_by_role("button", name=f"Notes on {video_id}")
    notes.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("textbox", name="Notes")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(notes).to_be_focused()

    # Saving the view: the dialog opens from a button in the Views popover, which closes with it; focus
    # goes back to the button that opened the popover.
    views = page.locator("#views-button")  # "Views" names the views column's sort button too
    views.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save current view…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Name of the view")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(views).to_be_focused()

    # The count preview of a bulk action on every matching video (an alert dialog).
    page.get_by_role("checkbox", name="Select every video on this page").click()  # checked by the server
    page.locator("#select-all-matching").click()
    expect(page.locator("#selection-label")).to_contain_text("120")
    hide = page.get_by_role("button", name="Hide", exact=True)
    hide.focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("120")
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(hide).to_be_focused()


def test_the_first_tab_offers_to_skip_the_navigation(app_url: str, page: Page, make_user) -> None:
    sign_in(page, app_url, *make_user(email="skip@example.com"), target="/channels")
    expect(page.locator("#page-title")).to_have_text("Channels")
    skip = page.get_by_role("button", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it has focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")  # the page's first control, not the sidebar's first link
    expect(page.get_by_role("button", name="Switch light or dark theme")).to_be_focused()


def test_slash_takes_the_keyboard_to_the_grid_search(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=30, seed=24)
    sign_in(page, app_url, *make_user(email="slash@example.com"))
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    search = page.get_by_role("textbox", name="Search videos")
    page.get_by_role("button", name="Title").focus()  # somewhere below the filters
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("zzz-no-such-video")
    page.wait_for_url(re.compile(r".*\?q=zzz-no-such-video$"))
    expect(page.locator("#grid-empty")).to_be_visible()
    # In a field being typed into, "/" is a character like any other.
    page.get_by_role("spinbutton", name="Page number").focus()
    page.keyboard.press("/")
    expect(search).not_to_be_focused()


def test_a_selected_grid_row_says_it_is_selected(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=5, seed=25)
    sign_in(page, app_url, *make_user(email="selected@example.com"))
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(5)
    first, second = rows.nth(0), rows.nth(1)
    expect(first).to_have_attribute("aria-selected", "false")
    first.get_by_role("checkbox").click()
    expect(first).to_have_attribute("aria-selected", "true")  # as the grid pattern asks of a selected row
    expect(second).to_have_attribute("aria-selected", "false")


def test_a_running_report_is_announced_politely_as_it_moves_and_when_it_ends(
    engine, app_url: str, page: Page, make_user
) -> None:
    with Session(engine) as session:
        running = Report(
            filename="reports/cms_announced.csv",
            source="upload",
            status="processing",
            size_bytes=1000,
            bytes_read=400,
            rows_read=40,
            started_at=datetime.now(UTC),
        )
        session.add(running)
        session.commit()
        report_id = running.id

    def report_becomes(**values: object) -> None:
        with Session(engine) as session:
            session.execute(update(Report).where(Report.id == report_id).values(**values))
            session.commit()

    sign_in(page, app_url, *make_user(), target="/reports")
    said = page.locator("#report-announcements")
    # A compact live region of its own, not the table (which would be read whole at every poll).
    expect(said).to_have_attribute("role", "status")
    expect(said).to_have_attribute("aria-live", "polite")
    expect(said).to_have_text("cms_announced.csv: processing, 40%")
    expect(
        page.locator("#report-list[aria-live], #report-list [aria-live], #report-list [role=status]")
    ).to_have_count(0)
    # A poll that moves the rows read and the percentage within the same tenth leaves the region's text as
    # it was: nothing is read out again.
    report_becomes(bytes_read=450, rows_read=45)
    expect(page.locator(f"#report-row-{report_id} .report-progress")).to_have_attribute("data-percent", "45")
    expect(said).to_have_text("cms_announced.csv: processing, 40%")
    report_becomes(status="completed", processed_at=datetime.now(UTC))
    expect(said).to_have_text("cms_announced.csv: completed, 45 rows")

    # The report's own page says the same of it.
    report_becomes(status="processing", bytes_read=700, processed_at=None)
    page.locator(f"#report-link-{report_id}").click()
    said = page.locator("#report-announcements")
    expect(said).to_have_attribute("role", "status")
    expect(said).to_have_text("cms_announced.csv: processing, 70%")
    report_becomes(status="error", error_message="Not a CSV file.", processed_at=datetime.now(UTC))
    expect(said).to_have_text("cms_announced.csv: failed: Not a CSV file.")


def test_an_icon_button_says_what_it_does_on_keyboard_focus_too(
    engine, app_url: str, page: Page, make_user
) -> None:
    with Session(engine) as session:
        session.add(Video(video_id="tipVideo001", title="Tooltip", views=1))
        session.flush()  # the task's video first
        failed = ProcessingQueue(
            video_id="tipVideo001", task_type="ownership_update", status="failed", completed_at=utc_now()
        )
        session.add(failed)
        session.commit()
        task_id = failed.id
    sign_in(page, app_url, *make_user(email="tips@example.com", admin=True), target="/queue")
    retry = page.get_by_role("button", name="Retry this task")
    expect(retry).to_have_id(f"retry-{task_id}")
    retry.focus()  # the keyboard's focus, no pointer: a title would show nothing
    expect(page.get_by_role("tooltip")).to_have_text("Retry this task")
