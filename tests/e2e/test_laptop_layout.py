"""The pages at a laptop's size (1280x800), with the long values real catalogs hold: nothing widens the page
sideways, and the video grid keeps its scrollbars, header row and pager in the window."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import MetadataSync, ProcessingQueue, Report, ReportRejection, Video, utc_now
from catalog_ui.models.queue import TASK_TYPES
from catalog_ui.services import queue
from catalog_ui.services.audit import open_change_set
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 800}
GRID_SCROLLER = "#video-grid .rt-ScrollAreaViewport"
LONG = "Extended Club Mix featuring Everybody Who Was In The Studio That Night (Remastered 2024)"


def _page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _seed_grid(engine) -> None:
    # More than a page (50 rows), with the long values that make the columns wider than the room beside
    # the filters, and a title with no place to break.
    with Session(engine) as session:
        for n in range(60):
            title = "#" + "NoSpacesAtAll" * 14 if n == 0 else f"{LONG} {n}"
            session.add(
                Video(
                    video_id=f"wide{n:07d}",
                    title=title,
                    channel_display_name=LONG[:100],
                    label=LONG[:100],
                    claimed_status="routedForReview",
                    privacy_status="unlisted",
                    views=n,
                )
            )
        session.commit()


def test_the_grid_beside_the_filters_keeps_its_scrollbar_header_and_pager_in_a_laptops_window(
    engine, app_url: str, page: Page, make_user
) -> None:
    _seed_grid(engine)
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    expect(page.locator("#facet-panel")).to_be_visible()  # the filters are open by default
    expect(page.locator("#video-grid .video-row")).to_have_count(50)
    assert not _page_scrolls_sideways(page)

    # The columns are wider than the grid: the grid scrolls sideways itself, and its bottom edge (where
    # its horizontal scrollbar is) and the pager are in the window, not below fifty rows.
    scroller = page.locator(GRID_SCROLLER)
    assert scroller.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert _box(page, GRID_SCROLLER)["y"] + _box(page, GRID_SCROLLER)["height"] <= LAPTOP["height"]
    for control in ("#next-page", "#page-label", "#page-input"):
        box = _box(page, control)
        assert box["y"] + box["height"] <= LAPTOP["height"] and box["x"] + box["width"] <= LAPTOP["width"]

    # Every column header can be brought into the grid's view, clear of the pinned admin column.
    headers = page.locator("#video-grid thead th")
    admin_left = _box(page, "#video-grid thead th:last-child")["x"]
    for index in range(1, headers.count() - 1):
        header = headers.nth(index)
        header.evaluate(
            "(th) => { const grid = th.closest('.rt-ScrollAreaViewport'); grid.scrollLeft = th.offsetLeft; }"
        )
        box = header.bounding_box()
        assert box is not None
        label = header.inner_text()
        assert box["x"] >= _box(page, GRID_SCROLLER)["x"] - 1 and box["x"] + box["width"] <= admin_left + 1, (
            label
        )
        assert header.evaluate(
            "(th) => { const r = th.getBoundingClientRect(); "
            "return th.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
        ), f"{label} is covered"

    # Scrolling down the rows with the wheel keeps the header row in view.
    scroller.evaluate("(el) => { el.scrollLeft = 0; }")
    page.locator("#video-grid .video-row").nth(5).hover()
    page.mouse.wheel(0, 900)
    page.wait_for_function(
        "(s) => document.querySelector(s).scrollTop > 0 || window.scrollY > 0", arg=GRID_SCROLLER
    )
    grid_top = _box(page, GRID_SCROLLER)["y"]
    assert grid_top >= 0 and abs(_box(page, "#video-grid thead th")["y"] - grid_top) < 2
    assert not _page_scrolls_sideways(page)


def test_a_reason_with_a_long_link_wraps_in_the_history_and_the_audit_log(
    engine, app_url: str, page: Page, make_user
) -> None:
    # Reasons are typed or pasted by people: a shared spreadsheet's link has no place to break.
    link = (
        "https://labelgroup.sharepoint.com/:x:/r/sites/RightsTeam/_layouts/15/Doc.aspx?sourcedoc=%7B8F1E0C2A"
        "%2D4B7D%2D4C1E%2D9A3F%2D2B6D8E1F0A4C%7D&file=Takedowns2026.xlsx&action=default&mobileredirect=true"
    )
    with Session(engine) as session:
        session.add(Video(video_id="reason00001", title="A video", views=1))
        session.flush()
        change_set = open_change_set(session, "user", label="Edit", reason=f"Rights takedown, see {link}")
        session.add(
            MetadataSync(
                video_id="reason00001", changes={"title": ["Old", "A video"]}, change_set_id=change_set.id
            )
        )
        session.commit()
        change_set_id = change_set.id
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))

    page.goto(f"{app_url}/videos/reason00001?tab=history")
    source = page.locator(".history-entry .entry-source")
    expect(source).to_contain_text("mobileredirect=true")
    assert not _page_scrolls_sideways(page)
    entry = _box(page, ".history-entry")
    assert source.evaluate("(el) => el.getBoundingClientRect().right") <= entry["x"] + entry["width"]

    page.goto(f"{app_url}/audit?change_set={change_set_id}")
    summary = page.locator("#detail-summary")
    expect(summary).to_contain_text("mobileredirect=true")
    assert not _page_scrolls_sideways(page)
    card = _box(page, "#change-set-detail")
    assert summary.evaluate("(el) => el.getBoundingClientRect().right") <= card["x"] + card["width"]


def test_long_report_file_names_stay_in_their_column_on_the_reports_and_the_dashboard(
    engine, app_url: str, page: Page, make_user
) -> None:
    # CMS exports are named like this (92 characters); keys under a prefix and re-exports run longer.
    name = "YouTube_KingfisherMusicGroupInternational_M_20260101_20260131_video_raw_v1-1_part{:04d}.csv.gz"
    longest = "YouTube_" + "KingfisherMusicGroupInternationalHoldings" * 4 + "_video_raw.csv.gz"
    with Session(engine) as session:
        session.add(Report(filename=name.format(1), status="completed", rows_read=3030, rows_inserted=30))
        session.add(
            Report(
                filename=name.format(2),
                status="error",
                error_message=f"Cannot read s3://catalog-reports-prod/reports/2026/01/{name.format(2)}: "
                "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
            )
        )
        longest_report = Report(filename=longest, status="completed")
        session.add(longest_report)
        session.commit()
        longest_id = longest_report.id
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True), target="/reports")

    names = page.locator("#report-list .report-name")
    expect(names).to_have_count(3)
    for index in range(3):
        assert names.nth(index).evaluate(
            "(a) => a.getBoundingClientRect().right <= a.closest('td').getBoundingClientRect().right"
        ), f"{names.nth(index).inner_text()} runs over the next column"
    # Every column, the error's Retry included, in view without scrolling the table sideways.
    assert page.locator("#report-list .rt-ScrollAreaViewport").evaluate(
        "(el) => el.scrollWidth <= el.clientWidth"
    )
    retry = _box(page, "#report-list button:has-text('Retry')")
    assert retry["x"] + retry["width"] <= LAPTOP["width"]
    assert not _page_scrolls_sideways(page)

    page.goto(f"{app_url}/reports/{longest_id}")
    expect(page.locator("#report-name")).to_have_text(longest)
    assert not _page_scrolls_sideways(page)

    # The dashboard's recent reports, in a half-width card: the date column is not cut off.
    page.goto(f"{app_url}/")
    table = page.locator(".rt-TableRoot", has_text="part0001").locator(".rt-ScrollAreaViewport")
    expect(table).to_be_visible()
    assert table.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    assert not _page_scrolls_sideways(page)


def test_the_queue_shows_every_column_and_a_tasks_error_on_a_laptop(
    engine, app_url: str, page: Page, make_user
) -> None:
    now = utc_now()
    error = "HTTP 403 quotaExceeded from youtube.videos.list: The request cannot be completed because you "
    with Session(engine) as session:
        session.add(Video(video_id="queued00001", title=LONG, views=1))
        session.flush()
        for task_type in TASK_TYPES:  # paused types show their pause beside their name in the counts
            queue.pause_task_type(session, task_type, now + timedelta(hours=1), "The API quota is spent")
        times = {"started_at": now - timedelta(minutes=5), "completed_at": now - timedelta(minutes=4)}
        session.add(
            ProcessingQueue(
                id=1_234_567, video_id="queued00001", task_type="metadata_sync", status="completed", **times
            )
        )
        session.add(
            ProcessingQueue(
                id=1_234_568,
                video_id="queued00001",
                task_type="ownership_update",
                status="failed",
                retry_count=10,
                error_message=error + "have exceeded your quota.",
                **times,
            )
        )
        session.commit()
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True), target="/queue")

    expect(page.locator("#task-1234568 .task-error")).to_contain_text("quotaExceeded")
    expect(page.locator("#pause-metadata_sync")).to_be_visible()
    assert not _page_scrolls_sideways(page)
    for table in ("#task-list", "#queue-counts"):  # no column past the table's right edge
        assert page.locator(f"{table} .rt-ScrollAreaViewport").evaluate(
            "(el) => el.scrollWidth <= el.clientWidth"
        ), table
    for element in ("#task-1234568 .task-error", "#retry-1234568", "#count-all-total"):
        box = _box(page, element)
        assert box["x"] + box["width"] <= LAPTOP["width"], element


def test_the_yes_no_filters_of_a_large_catalog_stay_inside_the_filter_panel(
    engine, app_url: str, page: Page, make_user
) -> None:
    # Five-digit counts ("No · 12,000") made the yes/no controls wider than the panel, which cut them off.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO video (video_id, title, views) "
                "SELECT 'big' || lpad(n::text, 8, '0'), 'Song ' || n, n FROM generate_series(1, 12000) AS n"
            )
        )
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    expect(page.locator("#choice-administered")).to_contain_text("12,000")

    controls = page.locator("#facet-panel .rt-SegmentedControlRoot")
    expect(controls).to_have_count(2)  # the Flags section is open: administered, and admins' hidden scope
    for index in range(2):
        control = controls.nth(index)
        label = control.get_attribute("id")
        assert control.evaluate(
            "(el) => el.getBoundingClientRect().right <= el.parentElement.getBoundingClientRect().right + 0.5"
        ), f"{label} runs past the panel"
        assert control.evaluate(
            "(el) => [...el.querySelectorAll('.rt-SegmentedControlItemLabel')]"
            ".every((item) => item.scrollWidth <= item.clientWidth)"
        ), f"an answer of {label} is cut off"


def test_a_long_search_keeps_its_chips_remove_button_in_reach(
    engine, app_url: str, page: Page, make_user
) -> None:
    _seed_grid(engine)
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user())
    page.goto(f"{app_url}/videos?q={quote(LONG)}")
    chip = page.locator(".filter-chip").first
    expect(chip).to_contain_text("Remastered 2024")
    assert chip.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # cut with an ellipsis, not clipped
    remove = chip.locator(".remove-chip")
    box, button = _box(page, ".filter-chip"), remove.bounding_box()
    assert button is not None and button["x"] + button["width"] <= box["x"] + box["width"]
    remove.click()
    expect(page.locator(".filter-chip")).to_have_count(0)
    expect(page.locator("#video-search")).to_have_value("")


def test_a_rejected_rows_line_is_cut_with_an_ellipsis_and_whole_in_its_tooltip(
    engine, app_url: str, page: Page, make_user
) -> None:
    raw = (
        "y4Z6zSBmamE,A479904918024,NEOS-7336-31," + f"{LONG}," * 6 + "Ravenna VEVO,Music,2026-13-45T99:99:99"
    )
    with Session(engine) as session:
        report = Report(filename="cms_videos_2026-03-02.csv", status="completed", rows_rejected=1)
        session.add(report)
        session.flush()
        session.add(
            ReportRejection(
                report_id=report.id, line=12, column="time_published", reason="Not a date", raw=raw
            )
        )
        session.commit()
        report_id = report.id
    page.set_viewport_size(LAPTOP)
    sign_in(page, app_url, *make_user("ana@example.com", admin=True))
    page.goto(f"{app_url}/reports/{report_id}")

    line = page.locator("#rejections .rejection-row td").last.locator("p")
    expect(line).to_have_attribute("title", raw)
    assert line.evaluate(
        "(el) => getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth"
        " && el.getBoundingClientRect().right <= el.closest('td').getBoundingClientRect().right"
    )
    assert not _page_scrolls_sideways(page)
