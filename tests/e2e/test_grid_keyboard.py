"""The video grid from the keyboard, as WAI-ARIA's grid pattern has it: the table is one Tab stop between the
search box and the pager (it was some five a row), arrow keys, Home/End and Page Up/Down move inside it, and
Enter or Space works the focused control."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from catalog_ui.services.audit import apply_changes, open_change_set
from tests.e2e.conftest import load_demo_day, sign_in

pytestmark = pytest.mark.e2e


def focused(page: Page) -> str:
    """The focused element: `#id`, `link <video id>` for a row's link, `cell <video id or header> <index>` for
    a cell, else its tag."""
    return page.evaluate(
        """() => {
        const here = document.activeElement;
        if (here.id) return '#' + here.id;
        const row = here.closest('tr');
        const video = row ? (row.dataset.videoId || 'header') : '';
        if (here.matches('a.video-link')) return 'link ' + video;
        if (here.matches('td, th')) return 'cell ' + video + ' ' + here.cellIndex;
        return here.tagName;
    }"""
    )


def row_ids(page: Page) -> list[str]:
    return page.locator("#video-grid .video-row").evaluate_all("rows => rows.map(row => row.dataset.videoId)")


def test_the_grid_is_one_tab_stop_between_the_search_and_the_pager(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=30, seed=31)
    sign_in(page, app_url, *make_user(email="tabs@example.com"))
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    first = row_ids(page)[0]
    grid = page.get_by_role("grid", name="Videos")
    expect(grid.get_by_role("row")).to_have_count(31)  # the header's and the page's
    # Still a header that says how it sorts, now a grid's.
    expect(grid.get_by_role("columnheader", name="Video ID")).to_have_attribute(
        "aria-sort", re.compile("^(none|ascending|descending)$")
    )

    search = page.get_by_role("textbox", name="Search videos")
    search.focus()
    page.keyboard.press("Tab")
    assert focused(page) == f"#select-{first}"
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Videos per page")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert focused(page) == f"#select-{first}"
    page.keyboard.press("Shift+Tab")
    expect(search).to_be_focused()

    # The grid remembers where it was left, by keyboard or by mouse.
    page.locator(f"#video-grid .video-row[data-video-id='{row_ids(page)[2]}'] .video-link").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Videos per page")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert focused(page) == f"link {row_ids(page)[2]}"


def test_arrows_home_end_and_page_keys_move_in_the_grid(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=30, seed=32)
    sign_in(page, app_url, *make_user(email="arrows@example.com", admin=True))
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    ids = row_ids(page)
    page.get_by_role("textbox", name="Search videos").focus()
    page.keyboard.press("Tab")

    def press(key: str, expected: str) -> None:
        page.keyboard.press(key)
        assert focused(page) == expected, key

    press("ArrowRight", f"link {ids[0]}")
    press("ArrowRight", f"cell {ids[0]} 2")  # the title: a cell without a control takes focus itself
    press("ArrowDown", f"cell {ids[1]} 2")
    press("ArrowLeft", f"link {ids[1]}")
    press("ArrowUp", f"link {ids[0]}")
    press("ArrowUp", "#sort-video_id")  # the header row is the grid's first
    press("ArrowUp", "#sort-video_id")  # and nothing is above it
    press("ArrowDown", f"link {ids[0]}")
    # The admin cell's three controls, one by one.
    press("End", f"#notes-{ids[0]}")
    press("ArrowLeft", f"#administer-{ids[0]}")
    press("ArrowLeft", f"#hide-{ids[0]}")
    press("ArrowDown", f"#hide-{ids[1]}")
    press("Home", f"#select-{ids[1]}")
    press("Control+End", f"#notes-{ids[-1]}")
    viewport = page.locator("#video-grid .rt-ScrollAreaViewport")
    assert viewport.evaluate("element => element.scrollTop") > 0  # the grid scrolled to its last row
    for _ in ids[1:]:
        page.keyboard.press("ArrowUp")
    assert focused(page) == f"#notes-{ids[0]}"
    # Scrolled into sight below the sticky header, not under it.
    assert (
        page.evaluate(
            "() => document.activeElement.closest('tr').getBoundingClientRect().top"
            " - document.querySelector('#video-grid thead').getBoundingClientRect().bottom"
        )
        > -1
    )
    press("Control+Home", "#select-page")

    # Page Down: a screenful further, and the row focused is in sight.
    page.keyboard.press("PageDown")
    moved = focused(page)
    assert moved.startswith("#select-") and moved != f"#select-{ids[0]}", moved
    expect(page.locator(moved)).to_be_in_viewport()
    press("PageUp", "#select-page")


def test_enter_and_space_work_the_focused_control(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=30, seed=33)
    sign_in(page, app_url, *make_user(email="enter@example.com"))
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    first = row_ids(page)[0]
    checkbox = page.locator(f"#select-{first}")
    page.get_by_role("textbox", name="Search videos").focus()
    page.keyboard.press("Tab")
    expect(checkbox).to_be_focused()

    page.keyboard.press("Space")
    expect(checkbox).to_have_attribute("data-state", "checked")
    expect(page.locator("#selection-label")).to_contain_text("1")
    page.keyboard.press("Enter")  # Radix's checkbox ignores Enter; in the grid it toggles too
    expect(checkbox).to_have_attribute("data-state", "unchecked")
    expect(page.locator("#selection-label")).to_have_count(0)
    expect(checkbox).to_be_focused()

    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")  # a link opens with Space too, rather than scrolling the page
    page.wait_for_url(re.compile(rf".*/videos/{re.escape(first)}$"))
    page.go_back()
    expect(page.locator("#video-grid .video-row")).to_have_count(30)
    page.locator(f"#video-grid .video-row[data-video-id='{first}'] .video-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/videos/{re.escape(first)}$"))


def test_the_rows_say_where_they_are_in_the_whole_result(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=60, seed=34)
    sign_in(page, app_url, *make_user(email="rowcount@example.com"))
    grid = page.get_by_role("grid", name="Videos")
    rows = page.locator("#video-grid .video-row")
    expect(rows).to_have_count(50)
    # Not the page's 51 rows: the 60 videos matching, and the header row (the first).
    expect(grid).to_have_attribute("aria-rowcount", "61")
    expect(grid.locator("thead tr")).to_have_attribute("aria-rowindex", "1")
    expect(rows.first).to_have_attribute("aria-rowindex", "2")
    expect(rows.last).to_have_attribute("aria-rowindex", "51")

    page.locator("#next-page").click()
    expect(rows).to_have_count(10)
    expect(rows.first).to_have_attribute("aria-rowindex", "52")  # after the first page's 50
    expect(rows.last).to_have_attribute("aria-rowindex", "61")

    one = row_ids(page)[0]
    page.get_by_role("textbox", name="Search videos").fill(one)
    expect(rows).to_have_count(1)
    expect(grid).to_have_attribute("aria-rowcount", "2")  # the filter's total, as it changes
    expect(rows.first).to_have_attribute("aria-rowindex", "2")


def test_a_cell_shows_the_keyboard_what_it_shows_the_mouse_on_hover(
    engine, session, app_url: str, page: Page, tmp_path: Path, make_user
) -> None:
    load_demo_day(session, tmp_path, videos=3, seed=35)
    long = "A title far too long for its column, " * 4
    session.execute(text("UPDATE video SET title = :title || video_id"), {"title": long})
    for (video_id,) in session.execute(text("SELECT video_id FROM video")).all():
        change_set = open_change_set(session, "user", label="Edit notes")
        apply_changes(session, change_set, video_id, {"notes": "checked"}, allow_user_fields=True)
    session.commit()
    user = make_user(email="hover@example.com")
    sign_in(page, app_url, *user, target="/videos?cols=video_id,title,last_synced")
    expect(page.locator("#video-grid .video-row")).to_have_count(3)
    first = row_ids(page)[0]
    row = page.locator(f"#video-grid .video-row[data-video-id='{first}']")
    title = row.locator(".cell-text")
    # Screen readers read the title whole: it is cut on screen only, whole in the tooltip.
    expect(title).to_have_text(long + first)
    cut = "element => element.scrollWidth > element.clientWidth"
    assert title.evaluate(cut)
    changed = row.locator(".cell-more")  # read with the cell; on screen, in the tooltip
    expect(changed).to_have_text("Changed: notes")
    width = "element => element.getBoundingClientRect().width"
    assert changed.evaluate(width) <= 1  # visually hidden

    page.get_by_role("textbox", name="Search videos").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == f"cell {first} 2"
    assert not title.evaluate(cut), "the focused title shows whole"
    page.keyboard.press("ArrowRight")
    assert focused(page) == f"cell {first} 3"
    assert changed.evaluate(width) > 1, "what the sync changed shows while its cell has the focus"
