"""How reports read on the pages: sizes, durations, progress and the display row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog_ui.state.report_display import (
    ReportRow,
    announcement,
    announcements,
    duration_text,
    progress_percent,
    progress_text,
    report_row,
    size_text,
)

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def report(**values: object) -> dict:
    base = {
        "id": 7,
        "filename": "reports/daily/cms_videos_2026-03-02.csv.gz",
        "bucket": "catalog-reports",
        "source": "s3",
        "status": "completed",
        "size_bytes": 2_500_000,
        "bytes_read": 2_500_000,
        "created_at": T0 - timedelta(minutes=5),
        "started_at": T0,
        "processed_at": T0 + timedelta(seconds=75),
        "rows_read": 1_000_000,
        "rows_inserted": 10_000,
        "rows_updated": 300_000,
        "rows_unchanged": 690_000,
        "rows_stale": 0,
        "rows_rejected": 12,
        "rows_skipped": 1,
        "error_message": None,
        "columns_ignored": ["album", "Shiny"],
        "uploaded_by_email": "ana@example.com",
    }
    return {**base, **values}


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KB"),
        (80_199_676, "76.5 MB"),
        (5 * 1024**3, "5.0 GB"),
    ],
)
def test_size_text(size: int | None, text: str) -> None:
    assert size_text(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (4.4, "4 s"), (59.6, "1 min 00 s"), (75, "1 min 15 s"), (3725, "1 h 02 min")],
)
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_progress_follows_the_bytes_read_until_completed() -> None:
    assert progress_percent(report(status="pending", bytes_read=0)) == 0
    assert progress_percent(report(status="processing", bytes_read=1_000_000)) == 40
    assert progress_percent(report(status="processing", size_bytes=None)) == 0
    assert progress_percent(report(status="completed", bytes_read=0)) == 100


def test_progress_text_says_where_the_report_stands() -> None:
    assert progress_text(report(status="pending"), 0) == "Waiting for a worker"
    assert progress_text(report(status="processing", rows_read=12_000), 42) == "42% · 12,000 rows read"
    assert progress_text(report(status="processing"), 100) == "Merging 1,000,000 rows into the catalog…"
    assert progress_text(report(), 100) == "1,000,000 rows"
    assert progress_text(report(status="error", rows_read=1850), 66) == "Failed after 1,850 rows"
    assert progress_text(report(status="error", rows_read=0), 100) == "Failed"


def test_a_completed_report_row() -> None:
    assert report_row(report(), now=T0 + timedelta(hours=1)) == ReportRow(
        id=7,
        name="cms_videos_2026-03-02.csv.gz",
        location="s3://catalog-reports/reports/daily/cms_videos_2026-03-02.csv.gz",
        source="s3",
        status="completed",
        size="2.4 MB",
        uploaded_by="ana@example.com",
        created_at="2026-03-02T05:55:00+00:00",
        started_at="2026-03-02T06:00:00+00:00",
        processed_at="2026-03-02T06:01:15+00:00",
        duration="1 min 15 s",
        percent=100,
        progress="1,000,000 rows",
        running=False,
        rows_read="1,000,000",
        inserted="10,000",
        updated="300,000",
        unchanged="690,000",
        stale="0",
        rejected="12",
        skipped="1",
        error="",
        columns_ignored="album, Shiny",
    )


def test_a_running_report_counts_its_duration_until_now() -> None:
    row = report_row(
        report(status="processing", bytes_read=500_000, processed_at=None, rows_read=200_000, bucket=None),
        now=T0 + timedelta(seconds=12),
    )

    assert (row.running, row.duration, row.percent, row.processed_at) == (True, "12 s", 20, "")
    assert row.progress == "20% · 200,000 rows read"
    assert row.location == "reports/daily/cms_videos_2026-03-02.csv.gz"


def test_a_pending_report_has_no_duration_yet() -> None:
    row = report_row(report(status="pending", started_at=None, processed_at=None, bytes_read=0), now=T0)

    assert (row.duration, row.started_at, row.progress) == ("", "", "Waiting for a worker")


def test_a_completed_report_that_wrote_nothing_says_so() -> None:
    nothing = {"rows_inserted": 0, "rows_updated": 0, "rows_unchanged": 0, "rows_stale": 0}
    every_row_rejected = report_row(report(**nothing, rows_read=2_000, rows_rejected=2_000), now=T0)
    assert (every_row_rejected.status, every_row_rejected.warning) == (
        "completed",
        "Nothing was written to the catalog: all 2,000 rows were rejected. The report's page says why; fix "
        "the file and upload it again.",
    )
    assert report_row(report(**nothing, rows_read=1, rows_rejected=1), now=T0).warning.startswith(
        "Nothing was written to the catalog: its only row was rejected."
    )
    # Some rows used, or nothing rejected (every row unchanged or stale), or not completed: no warning.
    assert report_row(report(), now=T0).warning == ""
    assert report_row(report(**{**nothing, "rows_stale": 5}), now=T0).warning == ""
    assert report_row(report(**nothing, rows_rejected=0), now=T0).warning == ""
    assert report_row(report(**nothing, status="error"), now=T0).warning == ""


def test_why_a_pending_report_waits_is_a_note_not_an_error() -> None:
    why = "The worker ingesting this report stopped after 600,000 rows; it starts again from the beginning."
    waiting = report_row(report(status="pending", started_at=None, error_message=why), now=T0)
    assert (waiting.error, waiting.note) == ("", why)
    failed = report_row(
        report(status="error", error_message="The file is empty: there is no header row."), now=T0
    )
    assert (failed.error, failed.note) == ("The file is empty: there is no header row.", "")


def test_an_announcement_says_the_status_and_a_tenth_of_the_file_not_what_moves_at_every_poll() -> None:
    running = report(status="processing", bytes_read=1_175_000, processed_at=None, rows_read=4_321)
    row = report_row(running, now=T0 + timedelta(seconds=30))
    assert announcement(row) == "cms_videos_2026-03-02.csv.gz: processing, 40%"
    later = report_row(
        {**running, "bytes_read": 1_240_000, "rows_read": 4_999}, now=T0 + timedelta(seconds=32)
    )
    assert announcement(later) == announcement(row)  # same tenth: the live region stays silent
    merging = report_row({**running, "bytes_read": 2_500_000}, now=T0)
    assert announcement(merging) == "cms_videos_2026-03-02.csv.gz: merging into the catalog"
    pending = report_row(report(status="pending", started_at=None, processed_at=None), now=T0)
    assert announcement(pending) == "cms_videos_2026-03-02.csv.gz: waiting for a worker"


def test_an_announcement_says_how_a_report_ended() -> None:
    done = report_row(report(), now=T0 + timedelta(hours=1))
    assert announcement(done) == "cms_videos_2026-03-02.csv.gz: completed, 1,000,000 rows"
    failed = report_row(report(status="error", error_message="Not a CSV file."), now=T0)
    assert announcement(failed) == "cms_videos_2026-03-02.csv.gz: failed: Not a CSV file."
    useless = report(rows_read=2, rows_inserted=0, rows_updated=0, rows_unchanged=0, rows_rejected=2)
    assert announcement(report_row(useless, now=T0)).endswith(
        "completed, 2 rows, nothing written to the catalog"
    )


def test_only_reports_seen_running_are_announced() -> None:
    done = report_row(report(id=1), now=T0)
    finished = report_row(report(id=2, filename="b.csv", rows_read=5), now=T0)
    running = report_row(report(id=3, filename="c.csv", status="processing", bytes_read=0), now=T0)
    assert announcements([running, finished, done], watched={2, 3}) == [
        "c.csv: processing, 0%",
        "b.csv: completed, 5 rows",
    ]
