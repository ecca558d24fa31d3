"""The reports page in Chromium: uploads ingested live, changed values, rejected rows as CSV, errors, retries."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlmodel import Session

from catalog_ui.api import UNCHECKED_UPLOAD
from catalog_ui.models import Report, Video
from catalog_ui.services import reports
from catalog_ui.services.demo_data import iter_day_one, write_report
from catalog_ui.services.ingest import ingest_report
from tests.e2e.conftest import MAX_UPLOAD_MB, sign_in, wait_for_page, wait_for_view

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
LONG = 90_000  # ms: an ingestion through the app's worker, on a busy machine


def ingest_path(engine, path: Path) -> int:
    with Session(engine) as session:
        report, _ = reports.register_path(session, path)
        session.commit()
        report_id = report.id
    assert ingest_report(report_id) is not None
    return report_id


def upload(page: Page, path: Path) -> None:
    page.locator("#open-upload").click()
    page.locator("#report-upload input[type=file]").set_input_files(str(path))
    expect(page.locator(".chosen-file")).to_have_text([path.name])
    page.locator("#upload-submit").click()
    expect(page.get_by_text("1 report uploaded; ingestion started.")).to_be_visible()


def newest_report_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT max(id) FROM report")).scalar_one()


def test_an_upload_is_ingested_live_and_its_changes_are_shown(
    engine, app_url: str, page: Page, make_user
) -> None:
    day_one = ingest_path(engine, FIXTURES / "cms_videos_2026-03-01.csv")
    sign_in(page, app_url, *make_user(), target="/reports")
    expect(page.locator(".report-row")).to_have_count(1)
    expect(page.locator(f"#report-row-{day_one} .report-status")).to_contain_text("completed")

    upload(page, FIXTURES / "cms_videos_2026-03-02.csv.gz")

    rows = page.locator(".report-row")
    expect(rows).to_have_count(2)
    new_id = newest_report_id(engine)
    row = page.locator(f"#report-row-{new_id}")
    expect(rows.first).to_have_id(f"report-row-{new_id}")  # newest first
    expect(row.locator(".report-status")).to_contain_text("completed", timeout=LONG)
    expect(row.locator(".report-progress")).to_have_attribute("data-percent", "100")
    expect(row.locator(".progress-label")).to_have_text("4 rows")
    expect(row.locator(".report-counts")).to_contain_text("new 1")
    expect(row.locator(".report-counts")).to_contain_text("updated 2")
    expect(row.locator(".report-counts")).to_contain_text("unchanged 1")
    expect(row.locator(".report-name")).to_have_text("cms_videos_2026-03-02.csv.gz")

    row.locator(".report-name").click()
    page.wait_for_url(f"{app_url}/reports/{new_id}")
    expect(page.locator("#report-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#count-inserted")).to_have_text("1")
    expect(page.locator("#count-updated")).to_have_text("2")
    expect(page.locator("#count-unchanged")).to_have_text("1")
    fields = page.locator("#changed-fields .changed-field-row")
    expect(fields).to_have_text(
        [
            re.compile(r"^New videos\s*1$"),
            re.compile(r"^Channel\s*1$"),
            re.compile(r"^Claimed status\s*1$"),
            re.compile(r"^Privacy status\s*1$"),
            re.compile(r"^Title\s*1$"),
            re.compile(r"^Views\s*1$"),
        ]
    )
    expect(page.locator("#changes-pager #total-label")).to_have_text("3 history entries")
    changes = page.locator("#report-changes .change-row")
    expect(changes).to_have_count(3)
    expect(changes.nth(0)).to_contain_text("vidAlpha001")
    expect(changes.nth(0)).to_contain_text("First Light (Remastered)")
    expect(changes.nth(0)).to_contain_text("1,300,000")
    expect(changes.nth(1)).to_contain_text("unlisted")
    expect(changes.nth(2)).to_contain_text("new video")
    expect(page.locator("#rejections")).to_have_count(0)


def test_progress_moves_while_a_large_report_runs(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    big = tmp_path / "cms_videos_2026-04-01.csv.gz"
    write_report(big, iter_day_one(120_000, seed=11))
    sign_in(page, app_url, *make_user(), target="/reports")

    upload(page, big)

    new_id = newest_report_id(engine)
    row = page.locator(f"#report-row-{new_id}")
    seen: set[str] = set()
    labels: set[str] = set()
    deadline = time.monotonic() + LONG / 1000
    while time.monotonic() < deadline:
        status = row.locator(".report-status").inner_text()
        seen.add(row.locator(".report-progress").get_attribute("data-percent"))
        labels.add(row.locator(".progress-label").inner_text())
        if "completed" in status:
            break
        time.sleep(0.2)
    expect(row.locator(".report-status")).to_contain_text("completed")
    expect(row.locator(".report-counts")).to_contain_text("new 120,000")
    # In between, the page showed the file partly read, or read and being merged, with its rows counted.
    partial = seen - {"0", "100"}
    running = [
        t for t in labels if re.fullmatch(r"\d+% · [\d,]+ rows read|Merging [\d,]+ rows into the catalog…", t)
    ]
    assert partial or running, (seen, labels)
    expect(row.locator(".report-duration")).to_have_text(re.compile(r"^\d+ (s|min \d\d s)$"))


def test_while_a_file_is_sent_the_dialog_shows_how_far_and_takes_no_second_click(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    # Reflex runs the upload handler only once the whole body has arrived: until then, on a slow link, the
    # button said nothing and took a second click (a second upload of the same file).
    big = tmp_path / f"slow-{time.time_ns()}.csv"
    write_report(big, iter_day_one(8_000, seed=5))
    sign_in(page, app_url, *make_user(), target="/reports")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    seconds = 6
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": big.stat().st_size / seconds,
        },
    )
    page.locator("#open-upload").click()
    page.locator("#report-upload input[type=file]").set_input_files(str(big))
    page.locator("#upload-submit").click()

    expect(page.locator("#upload-sending")).to_contain_text(re.compile(r"Sending the file… \d+%"))
    expect(page.locator("#upload-submit")).to_be_disabled()
    expect(page.get_by_text("1 report uploaded; ingestion started.")).to_be_visible(timeout=LONG)
    with engine.connect() as conn:
        uploads = conn.execute(
            text("SELECT count(*) FROM report WHERE filename LIKE :name"), {"name": f"%/{big.name}"}
        ).scalar_one()
    assert uploads == 1


def test_after_a_file_refused_as_too_large_another_is_uploaded_at_once(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    # The guard refuses the upload before the upload handler runs: the button waited for that handler (the
    # file was being sent) until the dialog was closed and opened again.
    too_large = tmp_path / "cms_videos_2026-03-09.csv"
    with too_large.open("wb") as file:
        file.truncate((MAX_UPLOAD_MB << 20) + 1)  # sparse: the browser sends zeros
    sign_in(page, app_url, *make_user(), target="/reports")
    page.locator("#open-upload").click()
    page.locator("#report-upload input[type=file]").set_input_files(str(too_large))
    expect(page.locator(".chosen-file")).to_have_text([too_large.name])
    page.locator("#upload-submit").click()
    expect(page.get_by_text(f"Reports up to {MAX_UPLOAD_MB} MB can be uploaded here")).to_be_visible()

    page.locator("#report-upload input[type=file]").set_input_files(
        str(FIXTURES / "cms_videos_2026-03-01.csv")
    )
    expect(page.locator(".chosen-file")).to_have_text(["cms_videos_2026-03-01.csv"])
    expect(page.locator("#upload-sending")).to_have_count(0)
    expect(page.locator("#upload-submit")).to_be_enabled()
    page.locator("#upload-submit").click()
    expect(page.get_by_text("1 report uploaded; ingestion started.")).to_be_visible()
    with engine.connect() as conn:
        names = conn.execute(text("SELECT filename FROM report")).scalars().all()
    assert [name.rsplit("/", 1)[-1] for name in names] == ["cms_videos_2026-03-01.csv"]


def test_rejected_rows_are_listed_and_download_as_csv(engine, app_url: str, page: Page, make_user) -> None:
    sign_in(page, app_url, *make_user(), target="/reports")
    upload(page, FIXTURES / "dirty_export.csv")
    report_id = newest_report_id(engine)
    row = page.locator(f"#report-row-{report_id}")
    expect(row.locator(".report-status")).to_contain_text("completed", timeout=LONG)
    expect(row.locator(".report-counts")).to_contain_text("rejected 9")

    row.locator(".report-name").click()

    rejected = page.locator("#rejections .rejection-row")
    expect(rejected).to_have_count(9)
    expect(page.locator("#rejections .rejection-line")).to_have_text(
        ["4", "5", "6", "7", "8", "9", "10", "11", "16"]
    )
    expect(rejected.nth(0).locator(".rejection-column")).to_have_text("video_id")
    expect(rejected.nth(1).locator(".rejection-column")).to_have_text("(row)")
    expect(rejected.nth(2).locator(".rejection-reason")).to_have_text("not a whole number")
    expect(page.locator("#rejections-pager #total-label")).to_have_text("9 rejected rows stored")
    # A line cut with an ellipsis (line 8, its 201-character title) is shown whole, wrapped, when the
    # keyboard reaches its cell: each rejected line is a Tab stop after the download button.
    raw = rejected.nth(4).locator(".rejection-raw")
    clipped = "e => e.scrollWidth > e.clientWidth"
    assert raw.evaluate(clipped)
    page.locator("#download-rejections").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
    expect(rejected.nth(4).locator(".rejection-raw-cell")).to_be_focused()
    assert not raw.evaluate(clipped)
    with page.expect_download() as download_info:
        page.locator("#download-rejections").click()
    download = download_info.value
    assert download.suggested_filename == f"report-{report_id}-rejected-rows.csv"
    with Session(engine) as session:
        expected = reports.rejections_csv(session, report_id)
    assert Path(download.path()).read_text() == expected


def test_a_broken_upload_ends_in_error_and_a_fixed_file_can_be_retried(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    broken = tmp_path / "cms_videos_2026-03-01.csv"
    shutil.copyfile(FIXTURES / "no_video_id.csv", broken)
    local_id = ingest_path(engine, broken)
    sign_in(page, app_url, *make_user(), target="/reports")

    upload(page, FIXTURES / "truncated.csv.gz")

    uploaded = newest_report_id(engine)
    row = page.locator(f"#report-row-{uploaded}")
    expect(row.locator(".report-status")).to_contain_text("error", timeout=LONG)
    expect(row.locator(".report-error")).to_have_text(
        "The gzip data is damaged or cut off near line 1973 "
        "(Compressed file ended before the end-of-stream marker was reached)."
    )
    local = page.locator(f"#report-row-{local_id}")
    expect(local.locator(".report-error")).to_have_text(
        "The report has no video_id column (its columns are: title, views)."
    )

    shutil.copyfile(FIXTURES / "cms_videos_2026-03-01.csv", broken)
    page.locator(f"#retry-{local_id}").click()

    expect(page.get_by_text("Retrying cms_videos_2026-03-01.csv.")).to_be_visible()
    expect(local.locator(".report-status")).to_contain_text("completed", timeout=LONG)
    expect(local.locator(".report-error")).to_have_count(0)
    expect(local.locator(".report-counts")).to_contain_text("new 4")
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4

    page.locator("#status-filter").click()
    page.get_by_role("option", name="error").click()
    expect(page.locator(".report-row")).to_have_count(1)
    expect(page.locator(".report-row")).to_have_id(f"report-row-{uploaded}")


def test_a_report_whose_every_row_is_rejected_says_nothing_was_written(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    # Its badge says "completed", as for a report that worked: the line under it says what happened.
    path = tmp_path / "cms_videos_2026-03-01.csv"
    path.write_text("video_id,video_title,views\nnot-an-id,One,1\nnor-this,Two,2\n")
    report_id = ingest_path(engine, path)
    sign_in(page, app_url, *make_user(), target="/reports")

    row = page.locator(f"#report-row-{report_id}")
    expect(row.locator(".report-status")).to_contain_text("completed")
    expected = (
        "Nothing was written to the catalog: all 2 rows were rejected. The report's page says why; fix the "
        "file and upload it again."
    )
    expect(row.locator(".report-warning")).to_have_text(expected)
    row.locator(".report-name").click()
    expect(page.locator("#report-warning")).to_contain_text(expected)
    expect(page.locator("#rejections .rejection-row")).to_have_count(2)


def test_why_a_pending_report_waits_reads_as_a_note_not_an_error(
    engine, app_url: str, page: Page, make_user
) -> None:
    why = (
        "S3 stopped after 1.2 MB of s3://catalog/reports/cms.csv; the report is pending again (retry 1 of 5)."
    )
    with Session(engine) as session:
        waiting = Report(
            filename="reports/cms.csv",
            bucket="catalog",
            status="pending",
            error_message=why,
            retry_after=datetime.now(UTC) + timedelta(hours=1),  # no worker takes it meanwhile
        )
        session.add(waiting)
        session.commit()
        report_id = waiting.id
    sign_in(page, app_url, *make_user(), target="/reports")

    row = page.locator(f"#report-row-{report_id}")
    expect(row.locator(".report-note")).to_have_text(why)
    expect(row.locator(".report-error")).to_have_count(0)
    row.locator(".report-name").click()
    expect(page.locator("#report-note")).to_contain_text(why)
    expect(page.locator("#report-error")).to_have_count(0)


def test_a_file_uploaded_twice_says_which_report_it_copies(
    engine, app_url: str, page: Page, make_user, tmp_path: Path
) -> None:
    path = tmp_path / f"copy-{time.time_ns()}.csv"  # the app's bucket outlives the test
    shutil.copyfile(FIXTURES / "cms_videos_2026-03-01.csv", path)
    sign_in(page, app_url, *make_user(), target="/reports")
    upload(page, path)
    first = newest_report_id(engine)
    expect(page.locator(f"#report-row-{first} .report-status")).to_contain_text("completed", timeout=LONG)

    upload(page, path)

    expect(
        page.get_by_text(
            f"{path.name} is the same file as report {first} ({path.name}, completed): it is ingested again "
            "all the same."
        )
    ).to_be_visible()


def test_the_list_is_paginated(engine, app_url: str, page: Page, make_user) -> None:
    with Session(engine) as session:
        for index in range(27):
            session.add(
                Report(
                    filename=f"reports/cms_videos_2026-01-{index + 1:02d}.csv.gz",
                    status="completed",
                    etag=str(index),
                    size_bytes=1000,
                    bytes_read=1000,
                )
            )
        session.commit()
    sign_in(page, app_url, *make_user(), target="/reports")

    expect(page.locator("#total-label")).to_have_text("27 reports")
    expect(page.locator(".report-row")).to_have_count(25)
    page.locator("#next-page").click()
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    expect(page.locator(".report-row")).to_have_count(2)


def test_only_an_admin_deletes_a_report_record_and_the_catalog_keeps_its_data(
    engine, app_url: str, page: Page, make_user
) -> None:
    report_id = ingest_path(engine, FIXTURES / "cms_videos_2026-03-01.csv")
    sign_in(page, app_url, *make_user("user@example.com"), target=f"/reports/{report_id}")
    expect(page.locator("#report-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#delete-report")).to_have_count(0)
    page.locator("#sign-out").click()
    wait_for_page(page, app_url, "/login")

    sign_in(page, app_url, *make_user("boss@example.com", admin=True), target=f"/reports/{report_id}")
    page.locator("#delete-report").click()
    page.locator("#confirm-delete").click()

    page.wait_for_url(f"{app_url}/reports")
    expect(page.locator("#no-reports")).to_be_visible()
    with Session(engine) as session:
        assert session.get(Report, report_id).deleted_at is not None
        assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4


def test_an_admin_deletes_a_pending_report_which_is_then_never_ingested(
    engine, app_url: str, page: Page, make_user
) -> None:
    with Session(engine) as session:
        report, _ = reports.register_path(session, FIXTURES / "cms_videos_2026-03-01.csv")
        # Waiting (as for S3 after a failed download): no worker takes it before the admin acts.
        report.retry_after = datetime.now(UTC) + timedelta(hours=1)
        session.commit()
        report_id = report.id
    sign_in(page, app_url, *make_user("boss@example.com", admin=True), target=f"/reports/{report_id}")
    expect(page.locator("#report-status")).to_have_attribute("data-status", "pending")

    page.locator("#delete-report").click()
    expect(page.get_by_text("The report is removed from this list and will not be ingested.")).to_be_visible()
    page.locator("#confirm-delete").click()

    page.wait_for_url(f"{app_url}/reports")
    expect(page.locator(f"#report-row-{report_id}")).to_have_count(0)
    with Session(engine) as session:
        session.execute(update(Report).where(Report.id == report_id).values(retry_after=None))
        session.commit()
    assert ingest_report(report_id) is None  # deleted: not taken
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 0


def test_scanning_the_bucket_registers_and_ingests_new_files(
    engine, app_url: str, page: Page, make_user, s3_endpoint, app_bucket: str
) -> None:
    key = f"reports/scan-{time.time_ns()}/cms_videos_2026-03-01.csv"
    s3_endpoint.client().put_object(
        Bucket=app_bucket, Key=key, Body=(FIXTURES / "cms_videos_2026-03-01.csv").read_bytes()
    )
    sign_in(page, app_url, *make_user(), target="/reports")

    page.locator("#scan-now").click()

    expect(page.get_by_text("1 new report found; ingestion started.")).to_be_visible()
    with engine.connect() as conn:
        report_id = conn.execute(
            text("SELECT id FROM report WHERE filename = :key"), {"key": key}
        ).scalar_one()
    row = page.locator(f"#report-row-{report_id}")
    expect(row.locator(".report-status")).to_contain_text("completed", timeout=LONG)
    expect(row.locator(".report-counts")).to_contain_text("new 4")

    page.locator("#scan-now").click()
    expect(page.get_by_text("No new reports in the bucket.")).to_be_visible()
    s3_endpoint.client().delete_object(Bucket=app_bucket, Key=key)  # later tests start from an empty catalog


def test_the_status_filter_and_a_videos_tab_are_kept_in_the_url(
    engine, app_url: str, page: Page, make_user
) -> None:
    sign_in(page, app_url, *make_user(), target="/reports")
    status = page.locator("#status-filter")
    status.click()
    page.get_by_role("option", name="error").click()
    wait_for_view(page, app_url, "/reports", "status=error")
    page.reload()
    expect(status).to_have_text("error")
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("#status-filter")).to_have_text("error")
    other.close()
    page.go_back()
    wait_for_view(page, app_url, "/reports")
    expect(status).to_have_text("all")

    with Session(engine) as session:
        session.add(Video(video_id="tabKept0001", title="A video with tabs"))
        session.commit()
    page.goto(f"{app_url}/videos/tabKept0001")
    # Hydrated and loaded: the tab takes a click.
    expect(page.locator("#video-id")).to_have_text("tabKept0001")
    page.locator("#tab-history").click()
    wait_for_view(page, app_url, "/videos/tabKept0001", "tab=history")
    page.reload()
    expect(page.locator("#tab-history")).to_have_attribute("aria-selected", "true")
    page.go_back()
    wait_for_view(page, app_url, "/videos/tabKept0001")
    expect(page.locator("#tab-fields")).to_have_attribute("aria-selected", "true")
    page.goto(f"{app_url}/videos/tabKept0001?tab=secrets")  # a bad value is ignored, not an error
    expect(page.get_by_text("Ignored tab='secrets' in the address")).to_be_visible()
    expect(page.locator("#tab-fields")).to_have_attribute("aria-selected", "true")


@contextmanager
def database_refusing_connections(database_url: str) -> Iterator[None]:
    """The app's database takes no connections for the block (its open ones are ended), then does again."""
    name = make_url(database_url).database
    admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


def test_an_upload_while_the_database_is_down_says_so(
    engine, app_url: str, page: Page, make_user, database_url: str
) -> None:
    sign_in(page, app_url, *make_user(), target="/reports")
    page.locator("#open-upload").click()
    page.locator("#report-upload input[type=file]").set_input_files(
        str(FIXTURES / "cms_videos_2026-03-01.csv")
    )
    expect(page.locator(".chosen-file")).to_have_text(["cms_videos_2026-03-01.csv"])

    with database_refusing_connections(database_url):
        page.locator("#upload-submit").click()
        expect(page.get_by_text(UNCHECKED_UPLOAD)).to_be_visible()

    expect(page.locator("#upload-submit")).to_be_enabled()  # the chosen file is still there to send again
    assert newest_report_id(engine) is None
