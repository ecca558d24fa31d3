"""/audit in Chromium: an admin undoes a bulk change set of a few hundred videos, conflict included; the
filters and the open change set are kept in the URL (reload, a new tab, Back)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.services.bulk import BulkTarget, run_bulk
from catalog_ui.services.users import create_user
from catalog_ui.services.video_flags import set_administered
from tests.e2e.conftest import BULK_ACTION_TIMEOUT_MS, sign_in, wait_for_view

pytestmark = pytest.mark.e2e

VIDEOS = 300


def _seed(engine) -> tuple[str, str]:
    """300 videos administered in one bulk action by Ana; one of them re-administered by hand since."""
    with Session(engine) as session:
        ana = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
        session.execute(
            text(
                "INSERT INTO video (video_id, title, views) "
                "SELECT 'bulk' || lpad(n::text, 7, '0'), 'Song ' || n, n FROM generate_series(1, :n) n"
            ),
            {"n": VIDEOS},
        )
        ids = tuple(f"bulk{n:07}" for n in range(1, VIDEOS + 1))
        result = run_bulk(
            session, "administer", BulkTarget(video_ids=ids), user_id=ana.id, reason="takedown batch"
        )
        session.commit()
        assert (result.change_set_id, result.changed) == (1, VIDEOS)
        set_administered(session, "bulk0000007", False, user_id=ana.id)
        set_administered(session, "bulk0000007", True, user_id=ana.id)  # a new administered_at: a conflict
        session.commit()
    return "ana@example.com", "correct-horse-42"


def test_admin_undoes_a_bulk_change_set_and_every_video_is_restored(engine, app_url: str, page: Page) -> None:
    sign_in(page, app_url, *_seed(engine), target="/audit")
    rows = page.locator(".change-set-row")
    expect(rows).to_have_count(3)
    expect(page.locator("#total-label")).to_have_text("3 change sets")
    bulk = page.locator("#change-set-1")
    expect(bulk).to_contain_text("takedown batch")
    expect(bulk).to_contain_text("300")
    expect(bulk).to_contain_text("ana")

    page.locator("#filter-kind").click()
    page.get_by_role("option", name="user").click()
    expect(rows).to_have_count(2)
    page.locator("#filter-clear").click()
    expect(rows).to_have_count(3)

    bulk.locator(".open-change-set").click()
    detail = page.locator("#change-set-detail")
    expect(detail.locator("#detail-heading")).to_have_text("Change set #1")
    expect(detail.locator("#detail-total")).to_have_text("300 videos")
    expect(detail.locator("#detail-summary")).to_contain_text("reason: takedown batch")
    expect(detail.locator("#detail-fields")).to_contain_text("Administered: 300")
    expect(detail.locator(".history-entry")).to_have_count(20)
    expect(detail.locator(".history-entry").first).to_contain_text("bulk0000001")

    page.locator("#undo-change-set").click()
    expect(page.locator("#rollback-heading")).to_contain_text("Undo change set #1")
    # The preview and the undo each plan 600 fields on 300 videos in one event.
    expect(page.locator("#rollback-summary")).to_have_text(
        "Reverts 600 fields on 300 videos.", timeout=BULK_ACTION_TIMEOUT_MS
    )
    expect(page.locator("#rollback-conflicts")).to_contain_text("1 field(s) on 1 video(s) changed since")
    expect(page.locator(".conflict-row")).to_have_count(1)
    expect(page.locator(".conflict-row")).to_contain_text("bulk0000007")
    page.locator("#rollback-reason").fill("administered by mistake")
    page.locator("#rollback-overwrite").click()
    expect(page.get_by_text("Reverted 600 fields on 300 videos as change set #4.")).to_be_visible(
        timeout=BULK_ACTION_TIMEOUT_MS
    )
    expect(page.locator("#rollback-dialog")).to_have_count(0)
    expect(page.locator("#change-set-1")).to_contain_text("undone by #4")
    expect(page.locator("#change-set-4")).to_contain_text("undoes #1")
    expect(page.locator("#change-set-4")).to_contain_text("administered by mistake")

    with Session(engine) as session:
        restored = session.execute(
            text(
                "SELECT count(*) FILTER (WHERE NOT administered AND administered_at IS NULL), count(*) FROM video"
            )
        ).one()
        assert tuple(restored) == (VIDEOS, VIDEOS)
        entries = session.execute(
            text("SELECT count(*) FROM metadata_sync WHERE change_set_id = 4")
        ).scalar_one()
        assert entries == VIDEOS


def test_a_user_sees_the_audit_log_without_undo(engine, app_url: str, page: Page, make_user) -> None:
    _seed(engine)
    sign_in(page, app_url, *make_user("bo@example.com"), target="/audit?change_set=1")
    expect(page.locator("#detail-heading")).to_have_text("Change set #1")
    expect(page.locator("#detail-total")).to_have_text("300 videos")
    expect(page.locator("#undo-change-set")).to_have_count(0)


def test_the_filters_and_the_open_change_set_are_kept_in_the_url(
    engine, app_url: str, page: Page, make_user
) -> None:
    _seed(engine)  # #1 bulk, #2 and #3 by hand
    sign_in(page, app_url, *make_user("bo@example.com"), target="/audit")
    rows, kind, heading = (
        page.locator(".change-set-row"),
        page.locator("#filter-kind"),
        page.locator("#detail-heading"),
    )
    expect(rows).to_have_count(3)

    kind.click()
    page.get_by_role("option", name="user").click()
    wait_for_view(page, app_url, "/audit", "kind=user")
    expect(rows).to_have_count(2)
    page.locator("#change-set-2 .open-change-set").click()
    wait_for_view(page, app_url, "/audit", "kind=user&change_set=2")
    expect(heading).to_have_text("Change set #2")

    page.reload()
    expect(heading).to_have_text("Change set #2")
    expect(rows).to_have_count(2)
    expect(kind).to_have_text("user")
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("#detail-heading")).to_have_text("Change set #2")
    expect(other.locator(".change-set-row")).to_have_count(2)
    other.close()

    page.go_back()  # closes the change set
    wait_for_view(page, app_url, "/audit", "kind=user")
    expect(heading).to_have_count(0)
    expect(rows).to_have_count(2)
    page.go_back()  # every kind again
    wait_for_view(page, app_url, "/audit")
    expect(rows).to_have_count(3)
    expect(kind).to_have_text("Any kind")

    page.locator("#filter-since").fill("2099-01-01")
    wait_for_view(page, app_url, "/audit", "since=2099-01-01")
    expect(rows).to_have_count(0)
    page.reload()
    expect(page.locator("#filter-since")).to_have_value("2099-01-01")
    expect(page.locator("#total-label")).to_have_text("0 change sets")
    page.go_back()
    wait_for_view(page, app_url, "/audit")
    expect(page.locator("#filter-since")).to_have_value("")
    expect(rows).to_have_count(3)

    # The open change set's page of videos too (the bulk one holds 300, 20 a page).
    page.locator("#change-set-1 .open-change-set").click()
    wait_for_view(page, app_url, "/audit", "change_set=1")
    page.locator("#detail-next").click()
    wait_for_view(page, app_url, "/audit", "change_set=1&entries=2")
    page.reload()
    expect(page.locator("#detail-page")).to_have_text("Page 2 of 15")
    page.go_back()
    wait_for_view(page, app_url, "/audit", "change_set=1")
    expect(page.locator("#detail-page")).to_have_text("Page 1 of 15")
    page.goto(f"{app_url}/audit?change_set=1&entries=99")  # past the last page: the last
    wait_for_view(page, app_url, "/audit", "change_set=1&entries=15")
    expect(page.locator("#detail-page")).to_have_text("Page 15 of 15")

    page.goto(f"{app_url}/audit?kind=coup&change_set=3")  # a bad value is ignored, not an error
    expect(page.get_by_text("Ignored kind='coup' in the address")).to_be_visible()
    expect(heading).to_have_text("Change set #3")
    wait_for_view(page, app_url, "/audit", "change_set=3")
