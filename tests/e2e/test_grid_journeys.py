"""The video grid in Chromium: search → filter → sort → page → open a video → back keeps the view; an admin
hides a video a user then no longer sees; a bulk action on "all matching" with a reason; the grid
updating by itself while a report is ingested."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Video
from catalog_ui.services import reports
from catalog_ui.services.demo_data import iter_day_one, write_report
from catalog_ui.services.ingest import ingest_report
from tests.e2e.conftest import BULK_ACTION_TIMEOUT_MS, sign_in

pytestmark = pytest.mark.e2e

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _videos(engine, rows: list[dict]) -> None:
    with Session(engine) as session:
        for row in rows:
            session.add(Video(**row))
        session.commit()


def _first_cell(page: Page) -> str:
    return page.locator("#video-grid .video-row").first.get_attribute("data-video-id") or ""


def test_search_filter_sort_page_open_and_back_keeps_the_view(
    engine, app_url: str, page: Page, make_user
) -> None:
    _videos(
        engine,
        [
            {
                "video_id": f"journey{n:04d}",
                "title": f"Golden Track {n}" if n <= 120 else f"Other Song {n}",
                "privacy_status": "private" if n % 4 == 0 else "public",
                "views": n * 10,
                "time_published": T0 + timedelta(hours=n),
            }
            for n in range(1, 131)
        ],
    )
    public_golden = sorted((n for n in range(1, 121) if n % 4), reverse=True)  # by views, most first
    sign_in(page, app_url, *make_user())
    expect(page.locator("#total-label")).to_have_text("130 videos")

    page.locator("#video-search").fill("golden")
    page.wait_for_url(re.compile(r".*/videos\?q=golden$"))
    expect(page.locator("#total-label")).to_have_text("120 videos")

    page.locator('[data-facet="privacy"][data-value="public"]').click()
    page.wait_for_url(re.compile(r".*\?q=golden&privacy=public$"))
    expect(page.locator("#total-label")).to_have_text("90 videos")

    page.locator("#sort-views").click()
    page.wait_for_url(re.compile(r".*&sort=views&dir=desc$"))
    expect(page.locator("#video-grid .video-row").first).to_have_attribute(
        "data-video-id", f"journey{public_golden[0]:04d}"
    )

    page.locator("#next-page").click()
    page.wait_for_url(re.compile(r".*&page=2$"))
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(40)
    second_page_first = f"journey{public_golden[50]:04d}"
    expect(rows.first).to_have_attribute("data-video-id", second_page_first)
    view_url = page.url

    rows.first.locator(".video-link").click()
    page.wait_for_url(f"{app_url}/videos/{second_page_first}")
    page.go_back()
    page.wait_for_url(view_url)
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    expect(rows.first).to_have_attribute("data-video-id", second_page_first)
    expect(page.locator("#video-search")).to_have_value("golden")
    expect(page.locator('[data-facet="privacy"][data-value="public"]')).to_have_attribute(
        "data-state", "checked"
    )
    expect(page.locator("th", has=page.locator("#sort-views"))).to_have_attribute("aria-sort", "descending")

    page.go_back()  # back through the history of views
    page.wait_for_url(re.compile(r".*&sort=views&dir=desc$"))
    expect(page.locator("#page-label")).to_have_text("Page 1 of 2")


def test_a_search_typed_slowly_keeps_every_letter_and_makes_one_history_entry(
    engine, app_url: str, page: Page, make_user
) -> None:
    # Each pause past the debounce sends the search; the grid's answer must not overwrite the letters typed
    # meanwhile, nor leave a history entry per pause.
    _videos(
        engine,
        [
            {
                "video_id": f"slowtype{n:03d}",
                "title": "Velour Blue Ocean" if n <= 3 else f"Other {n}",
                "views": n,
            }
            for n in range(1, 61)
        ],
    )
    sign_in(page, app_url, *make_user())
    expect(page.locator("#total-label")).to_have_text("60 videos")
    entries = page.evaluate("window.history.length")
    box = page.locator("#video-search")

    box.press_sequentially("Velour Blue Ocean", delay=450)

    page.wait_for_url(re.compile(r".*/videos\?q=Velour(\+|%20)Blue(\+|%20)Ocean$"))
    expect(page.locator("#total-label")).to_have_text("3 videos")
    expect(box).to_have_value("Velour Blue Ocean")
    assert page.evaluate("window.history.length") == entries + 1

    page.keyboard.press("Tab")  # from the box to its filter chip's remove button
    expect(page.locator(".remove-chip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#total-label")).to_have_text("60 videos")
    expect(box).to_have_value("")

    page.go_back()  # the box shows the search again
    expect(page.locator("#total-label")).to_have_text("3 videos")
    expect(box).to_have_value("Velour Blue Ocean")
    page.go_back()
    expect(page.locator("#total-label")).to_have_text("60 videos")
    expect(box).to_have_value("")

    # After a pause, a new search is an entry of its own: Back returns to the one before.
    box.press_sequentially("Velour", delay=100)
    page.wait_for_url(re.compile(r".*\?q=Velour$"))
    page.wait_for_timeout(2500)
    box.fill("Other")
    page.wait_for_url(re.compile(r".*\?q=Other$"))
    page.go_back()
    page.wait_for_url(re.compile(r".*\?q=Velour$"))
    expect(box).to_have_value("Velour")


def test_the_next_page_is_shown_from_its_first_row(engine, app_url: str, page: Page, make_user) -> None:
    _videos(engine, [{"video_id": f"paging{n:05d}", "title": f"Song {n}", "views": n} for n in range(1, 111)])
    sign_in(page, app_url, *make_user())
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(50)
    first_of_page_one = _first_cell(page)
    # The rows scroll inside the grid (the page fills the window): down to the last row.
    grid = "#video-grid .rt-ScrollAreaViewport"
    rows.last.scroll_into_view_if_needed()
    page.wait_for_function("(s) => document.querySelector(s).scrollTop > 0", arg=grid)

    page.locator("#next-page").click()

    page.wait_for_url(re.compile(r".*page=2$"))
    expect(rows.first).not_to_have_attribute("data-video-id", first_of_page_one)
    expect(rows).to_have_count(50)  # a page as long as the first: the grid could stay scrolled down
    page.wait_for_function(
        "(s) => document.querySelector(s).scrollTop === 0 && window.scrollY === 0", arg=grid
    )


def test_an_admins_row_controls_are_in_view_on_a_laptop_screen(
    engine, app_url: str, page: Page, make_user
) -> None:
    # The columns are wider than a 1280 px window with the filters open; the admin column stays pinned
    # at the grid's right edge, over the columns that scroll.
    long = "Extended Club Mix featuring Everybody Who Was In The Studio That Night (Remastered 2024)"
    _videos(
        engine,
        [{"video_id": "laptop00001", "title": long, "channel_display_name": long[:100], "label": long[:100]}],
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    expect(page.locator("#video-grid .video-row")).to_have_count(1)

    # Pinned, it still looks like its row: the row line below it, a selected row's tint.
    row_line = "(el) => getComputedStyle(el).boxShadow"
    cells = page.locator("#video-grid .video-row").first.locator("td")
    assert cells.last.evaluate(row_line) == cells.nth(1).evaluate(row_line)
    page.locator("#select-laptop00001").click()
    tint = "(el) => getComputedStyle(el).backgroundColor"
    expect(page.locator("#video-grid .video-row").first).to_have_attribute("data-video-id", "laptop00001")
    page.wait_for_function(
        "() => { const row = document.querySelector('#video-grid .video-row'); "
        "return getComputedStyle(row.lastElementChild).backgroundColor === getComputedStyle(row).backgroundColor }"
    )
    assert cells.last.evaluate(tint) == page.locator("#video-grid .video-row").first.evaluate(tint)

    for control in ("#hide-laptop00001", "#notes-laptop00001"):
        box = page.locator(control).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, control
        on_top = page.evaluate(
            "([s, x, y]) => document.querySelector(s).contains(document.elementFromPoint(x, y))",
            [control, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top, f"{control} is covered"


def test_admin_hides_a_video_from_the_grid_and_a_user_no_longer_sees_it(
    engine, app_url: str, page: Page, browser, make_user
) -> None:
    _videos(
        engine,
        [
            {"video_id": f"hideme{n:05d}", "title": f"Song {n}", "time_published": T0 + timedelta(days=n)}
            for n in range(3)
        ],
    )
    admin = make_user("ana@example.com", admin=True)
    user = make_user("bo@example.com")
    sign_in(page, app_url, *admin)
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Hide hideme00001", exact=True).click()  # named for screen readers
    expect(page.get_by_text("Hid hideme00001.")).to_be_visible()
    expect(rows).to_have_count(2)

    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        user_page = other.new_page()
        sign_in(user_page, app_url, *user)
        expect(user_page.locator("#video-grid .video-row")).to_have_count(2)
        expect(user_page.locator("#hide-hideme00000")).to_have_count(0)  # no admin actions for users
        expect(user_page.locator("#hidden-scope")).to_have_count(0)
        user_page.goto(f"{app_url}/videos?q=hideme00001&hidden=include")
        expect(user_page.locator("#grid-empty")).to_be_visible()
    finally:
        other.close()

    with Session(engine) as session:
        change_set = session.execute(select(ChangeSet)).scalar_one()
        assert (change_set.kind, change_set.label, change_set.video_count) == ("user", "Hide video", 1)
        changes = session.execute(
            select(MetadataSync.changes).where(MetadataSync.change_set_id == change_set.id)
        ).scalar_one()
        assert changes == {"hidden": [False, True]}


def test_bulk_administer_all_matching_with_a_reason(engine, app_url: str, page: Page, make_user) -> None:
    _videos(
        engine,
        [
            {
                "video_id": f"bulkvid{n:04d}",
                "title": f"Song {n}",
                "channel_display_name": "Echo" if n < 260 else "Nova",
            }
            for n in range(280)
        ],
    )
    sign_in(page, app_url, *make_user("ana@example.com", admin=True), target="/videos?channel=Echo")
    expect(page.locator("#total-label")).to_have_text("260 videos")
    page.locator("#select-page").click()
    expect(page.locator("#selection-label")).to_have_text("50 selected")
    page.locator("#select-all-matching").click()
    expect(page.locator("#selection-label")).to_have_text("All 260 matching videos selected")
    page.locator("#bulk-administer").click()
    expect(page.locator("#bulk-confirm-title")).to_have_text("Mark administered: 260 videos?")
    expect(page.locator("#bulk-confirm-detail")).to_have_text("260 will change.")
    page.locator("#bulk-reason").fill("label audit batch")
    page.locator("#bulk-confirm").click()
    expect(page.get_by_text("Mark administered: 260 videos changed.")).to_be_visible(
        timeout=BULK_ACTION_TIMEOUT_MS
    )
    expect(page.locator("#selection-bar")).to_have_count(0)

    with Session(engine) as session:
        change_set = session.execute(select(ChangeSet)).scalar_one()
        assert (change_set.kind, change_set.reason, change_set.video_count) == (
            "bulk",
            "label audit batch",
            260,
        )
        assert change_set.filter == {"scope": "all matching", "filter": {"channel": ["Echo"]}}
        entries = session.execute(
            select(func.count()).select_from(MetadataSync).where(MetadataSync.change_set_id == change_set.id)
        ).scalar_one()
        assert entries == 260
        administered = session.execute(
            select(Video.channel_display_name, func.count())
            .where(Video.administered)
            .group_by(Video.channel_display_name)
        ).all()
        assert administered == [("Echo", 260)]


def test_escape_closes_a_bulk_confirmation_without_acting(
    engine, app_url: str, page: Page, make_user
) -> None:
    _videos(engine, [{"video_id": f"escvid{n:05d}", "title": f"Song {n}"} for n in range(120)])
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    expect(page.locator("#total-label")).to_have_text("120 videos")
    page.locator("#select-page").click()
    page.locator("#select-all-matching").click()
    page.locator("#bulk-hide").click()
    expect(page.locator("#bulk-confirm-title")).to_have_text("Hide: 120 videos?")

    page.keyboard.press("Escape")  # before: the dialog stayed, only a click on Cancel closed it

    expect(page.locator("#bulk-confirm-title")).to_have_count(0)
    expect(page.locator("#selection-label")).to_have_text("All 120 matching videos selected")
    page.locator("#bulk-administer").click()  # the next action asks again
    expect(page.locator("#bulk-confirm-title")).to_have_text("Mark administered: 120 videos?")
    page.keyboard.press("Escape")
    expect(page.locator("#bulk-confirm-title")).to_have_count(0)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == 0


def _ingest(engine, path: Path) -> None:
    with Session(engine) as session:
        report, _ = reports.register_path(session, path)
        session.commit()
        report_id = report.id
    assert ingest_report(report_id).status == "completed"


def test_the_grid_updates_by_itself_when_a_report_is_ingested(
    engine, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    rows = list(iter_day_one(60, seed=5))
    day_one = tmp_path / "cms_videos_2026-01-01.csv.gz"
    write_report(day_one, rows)
    _ingest(engine, day_one)
    sign_in(page, app_url, *make_user())
    page.goto(f"{app_url}/videos?sort=title&dir=asc")
    grid_rows = page.locator("#video-grid .video-row")
    expect(grid_rows).to_have_count(50)
    watched = _first_cell(page)
    page.locator(f"#select-{watched}").click()
    expect(page.locator("#selection-label")).to_have_text("1 selected")
    url = page.url
    refreshed = page.locator("#video-grid").get_attribute("data-refreshed")

    changed = [
        dict(row, video_title="AAA Live Title " + row["video_id"]) if row["video_id"] == watched else row
        for row in rows
    ]
    next_day = tmp_path / "cms_videos_2026-01-02.csv.gz"
    write_report(next_day, changed)
    _ingest(engine, next_day)  # from this thread, while the page is open

    expect(grid_rows.first).to_contain_text("AAA Live Title")  # no click, no reload: the page's own poll
    assert page.url == url
    assert page.locator("#video-grid").get_attribute("data-refreshed") != refreshed
    expect(page.locator(f"#select-{watched}")).to_have_attribute("data-state", "checked")
    expect(page.locator("#selection-label")).to_have_text("1 selected")
    with Session(engine) as session:
        title = session.execute(
            text("SELECT title FROM video WHERE video_id = :v"), {"v": watched}
        ).scalar_one()
        assert title == "AAA Live Title " + watched


def test_back_undoes_the_first_filter_of_a_page_just_loaded(
    engine, app_url: str, page: Page, make_user
) -> None:
    # The entry the page was loaded in is the router's own: coming back to it must still reach on_load.
    _videos(
        engine,
        [{"video_id": f"firstback{n:02d}", "title": "Golden" if n < 3 else f"Other {n}"} for n in range(10)],
    )
    sign_in(page, app_url, *make_user())
    page.reload()
    expect(page.locator("#total-label")).to_have_text("10 videos")
    page.locator("#video-search").fill("golden")
    page.wait_for_url(re.compile(r".*/videos\?q=golden$"))
    expect(page.locator("#total-label")).to_have_text("3 videos")

    page.go_back()

    page.wait_for_url(re.compile(r".*/videos/?$"))
    expect(page.locator("#total-label")).to_have_text("10 videos")
    expect(page.locator("#video-search")).to_have_value("")
