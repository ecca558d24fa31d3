"""The report lifecycle service: registering, listing, retrying, deleting, details, local uploads, data quality."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Report, ReportRejection, Video
from catalog_ui.services import reports
from catalog_ui.services.data_quality import data_quality_issues, issue_counts
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.users import create_user
from tests.s3 import clear_storage_caches

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
DAY_ONE = FIXTURES / "cms_videos_2026-03-01.csv"
DAY_TWO = FIXTURES / "cms_videos_2026-03-02.csv.gz"
S3_VARIABLES = ("S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "DATA_DIR")


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[Path]:
    """No S3 configured and DATA_DIR in a temporary folder: uploads are kept on disk."""
    saved = {name: os.environ.pop(name, None) for name in S3_VARIABLES}
    os.environ["DATA_DIR"] = str(tmp_path / "data")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    os.environ["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    clear_storage_caches()
    try:
        yield tmp_path / "data"
    finally:
        for name in (*S3_VARIABLES, "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
            os.environ.pop(name, None)
        os.environ.update({name: value for name, value in saved.items() if value is not None})
        clear_storage_caches()


def ingest(session: Session, path: Path) -> Report:
    report, _ = reports.register_path(session, path)
    session.commit()
    ingest_report(report.id)
    session.expire_all()
    return session.get(Report, report.id)


def test_a_file_registered_twice_is_one_report(session: Session) -> None:
    first, created = reports.register_path(session, DAY_ONE)
    again, created_again = reports.register_path(session, DAY_ONE)

    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert (first.status, first.source, first.bucket, first.size_bytes) == (
        "pending",
        "path",
        None,
        DAY_ONE.stat().st_size,
    )
    assert first.report_date == datetime(2026, 3, 1, tzinfo=UTC)
    assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 1


def test_registering_a_missing_path_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(reports.ReportError, match="No report file at"):
        reports.register_path(session, tmp_path / "nope.csv")
    with pytest.raises(reports.ReportError, match=r"'s3://bucket-only' is not an S3 object URL"):
        reports.register_location(session, "s3://bucket-only")


def test_report_dates_come_from_the_file_name() -> None:
    assert reports.report_date_from_name("reports/cms_videos_2026-01-02.csv.gz") == datetime(
        2026, 1, 2, tzinfo=UTC
    )
    assert reports.report_date_from_name("Videos_20251231_owner.csv") == datetime(2025, 12, 31, tzinfo=UTC)
    assert reports.report_date_from_name("videos-2025-13-45.csv") is None
    assert reports.report_date_from_name("videos.csv") is None


def test_the_list_is_newest_first_paginated_and_filtered(session: Session, tmp_path: Path) -> None:
    uploader = create_user(session, "ana@example.com", "correct-horse-42")
    ids = []
    for index in range(5):
        path = tmp_path / f"report_{index}.csv"
        path.write_text("video_id\nvidAlpha001\n")
        report, _ = reports.register_path(session, path, uploaded_by=uploader.id if index == 4 else None)
        ids.append(report.id)
    session.execute(
        update(Report)
        .where(Report.id.in_(ids[:2]))
        .values(status="error", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    session.commit()

    first = reports.list_reports(session, page=1, per_page=2)
    second = reports.list_reports(session, page=2, per_page=2)
    errors = reports.list_reports(session, status="error")

    assert first.total == second.total == 5
    assert [row["id"] for row in first.rows] == [ids[4], ids[3]]
    assert [row["id"] for row in second.rows] == [ids[2], ids[1]]
    assert first.rows[0]["uploaded_by_email"] == "ana@example.com"
    assert first.rows[1]["uploaded_by_email"] is None
    assert (errors.total, [row["id"] for row in errors.rows]) == (2, [ids[1], ids[0]])
    assert reports.running_count(session) == 3
    assert reports.pending_ids(session) == ids[2:]
    with pytest.raises(reports.ReportError, match=r"Unknown status 'lost'\."):
        reports.list_reports(session, status="lost")


def test_only_a_report_in_error_can_be_retried(session: Session) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    with pytest.raises(reports.ReportError, match=r"Only a report in error can be retried\."):
        reports.retry_report(session, report.id)
    report.status, report.error_message = "error", "boom"
    session.commit()

    retried = reports.retry_report(session, report.id)

    assert (retried.status, retried.error_message) == ("pending", None)
    with pytest.raises(reports.ReportError, match=r"Report 999 does not exist\."):
        reports.retry_report(session, 999)


def test_a_report_in_error_keeps_its_rejected_rows_and_a_retry_starts_afresh(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "cms_videos_2026-03-01.csv"
    path.write_text(
        "video_id,video_title,views\n"
        "bad-id,Bad,1\n"
        "vidAlpha001,Lots,lots\n"
        "video_id,views,video_title\n"  # another order, then data: the report ends in error
        "vidBravo002,2,Two\n"
    )
    failed = ingest(session, path)
    assert (failed.status, failed.rows_rejected) == ("error", 3)
    assert reports.rejection_count(session, failed.id) == 3  # what the count says is there to see
    assert failed.started_at is not None and failed.rows_read == 3

    retried = reports.retry_report(session, failed.id)
    session.commit()

    # Waiting again: no duration, counts or rejected rows of the attempt that ended.
    assert (retried.status, retried.started_at, retried.processed_at, retried.rows_read) == (
        "pending",
        None,
        None,
        0,
    )
    assert (retried.rows_rejected, reports.rejection_count(session, failed.id)) == (0, 0)


def test_a_recovered_report_waits_without_the_dead_attempts_progress(session: Session) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(status="processing", started_at=datetime.now(UTC), rows_read=600_000, bytes_read=1 << 20)
    )
    session.commit()
    assert reports.recover_interrupted(session) == [report.id]
    session.commit()
    session.expire_all()
    waiting = session.get(Report, report.id)
    assert (waiting.status, waiting.started_at, waiting.rows_read, waiting.bytes_read) == (
        "pending",
        None,
        0,
        0,
    )


def _left_by_a_dead_worker(session: Session, report_id: int, rows_read: int) -> None:
    """The report as a worker that died mid-way leaves it: processing, its progress, no lock held."""
    session.execute(
        update(Report)
        .where(Report.id == report_id)
        .values(status="processing", started_at=datetime.now(UTC), rows_read=rows_read, bytes_read=1 << 20)
    )
    session.commit()


def test_a_report_whose_worker_keeps_stopping_ends_in_error_saying_why(session: Session) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    session.commit()
    for attempt in (1, 2):
        _left_by_a_dead_worker(session, report.id, 600_000)
        assert reports.recover_interrupted(session) == [report.id]
        session.commit()
        session.expire_all()
        waiting = session.get(Report, report.id)
        assert (waiting.status, waiting.interruptions, waiting.rows_read) == ("pending", attempt, 0)
        # The page says why it waits (the next attempt's claim clears the line).
        assert waiting.error_message == (
            "The worker ingesting this report stopped after 600,000 rows; it starts again from the beginning "
            f"(try {attempt + 1} of 3)."
        )

    # The third stop: a file that kills its worker every time no longer goes round forever.
    _left_by_a_dead_worker(session, report.id, 1_234_567)
    assert reports.recover_interrupted(session) == [report.id]
    session.commit()
    session.expire_all()
    failed = session.get(Report, report.id)
    assert (failed.status, failed.interruptions, failed.rows_read) == ("error", 3, 1_234_567)
    assert failed.processed_at is not None and failed.started_at is not None
    assert failed.error_message.startswith(
        "The worker ingesting this report stopped before it finished, 3 times in a row (the last time after "
        "1,234,567 rows): the file may be too large for the workers' memory"
    )
    assert reports.pending_ids(session) == []

    # Retry starts the count again, and the report is ingested.
    assert reports.retry_report(session, report.id).interruptions == 0
    session.commit()
    assert ingest_report(report.id).status == "completed"


def test_a_dead_workers_report_taken_back_by_its_redelivered_message_counts_the_stop(
    session: Session,
) -> None:
    """Dramatiq sends a dead worker's message again; the report it finds processing (and unlocked) is
    counted as the scan's recovery counts it."""
    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(update(Report).where(Report.id == report.id).values(interruptions=1))
    _left_by_a_dead_worker(session, report.id, 10)
    result = ingest_report(report.id)
    assert result is not None and result.status == "completed"
    session.expire_all()
    assert session.get(Report, report.id).interruptions == 2

    _left_by_a_dead_worker(session, report.id, 10)
    assert ingest_report(report.id) is None  # its third stop: not taken again
    session.expire_all()
    failed = session.get(Report, report.id)
    assert (failed.status, failed.interruptions) == ("error", 3)


def test_deleting_a_report_keeps_the_catalog_and_its_history(session: Session) -> None:
    report = ingest(session, FIXTURES / "dirty_export.csv")
    assert session.execute(select(func.count()).select_from(ReportRejection)).scalar_one() == 9

    reports.delete_report(session, report.id)
    session.commit()

    assert reports.list_reports(session).total == 0
    with pytest.raises(reports.ReportError, match=rf"Report {report.id} does not exist\."):
        reports.get_report(session, report.id)
    assert session.execute(select(func.count()).select_from(ReportRejection)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 3
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 3
    assert session.execute(select(ChangeSet.report_id, ChangeSet.video_count)).all() == [(report.id, 3)]
    # The row stays as a tombstone: registering the same file again does not bring the report back.
    again, created = reports.register_path(session, FIXTURES / "dirty_export.csv")
    assert (again.id, created, again.deleted_at is not None) == (report.id, False, True)
    assert ingest_report(report.id) is None


def test_a_report_being_ingested_cannot_be_deleted(session: Session) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    report.status = "processing"
    session.commit()

    with pytest.raises(reports.ReportError, match="cannot be deleted"):
        reports.delete_report(session, report.id)


def test_a_report_a_worker_claims_while_it_is_being_deleted_is_not_deleted(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    session.commit()
    read_report = reports.get_report

    def read_then_claimed(session: Session, report_id: int) -> Report:
        seen = read_report(session, report_id)  # pending when the delete reads it
        with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as worker:
            worker.execute(text("UPDATE report SET status = 'processing' WHERE id = :id"), {"id": report_id})
        return seen

    monkeypatch.setattr(reports, "get_report", read_then_claimed)
    with pytest.raises(reports.ReportError, match="cannot be deleted"):
        reports.delete_report(session, report.id)
    session.rollback()
    session.expire_all()
    claimed = session.get(Report, report.id)
    assert (claimed.status, claimed.deleted_at) == ("processing", None)


def test_rejections_page_and_csv(session: Session) -> None:
    report = ingest(session, FIXTURES / "dirty_export.csv")

    page = reports.rejections(session, report.id, limit=2, offset=1)
    csv_text = reports.rejections_csv(session, report.id)

    assert [(r["line"], r["column"], r["reason"]) for r in page] == [
        (5, None, "expected 10 columns, found 3"),
        (6, "views", "not a whole number"),
    ]
    assert reports.rejection_count(session, report.id) == 9
    lines = csv_text.splitlines()
    assert lines[0] == "\ufeffline,column,reason,row"
    assert (
        lines[1]
        == '4,video_id,"not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)","bad-id,Bad Id,1,1,,,,,,"'
    )
    assert lines[2] == '5,,"expected 10 columns, found 3","vidBravo002,Too Few Columns,5"'
    assert len(lines) == 10


def _history_rows_read(engine, statement: str, parameters: Any) -> int:
    """History rows (live and archived) that `statement` reads, by EXPLAIN ANALYZE: each scan's rows,
    those its filter removed included, over all its loops."""

    def read(node: dict[str, Any]) -> int:
        own = 0
        if node.get("Relation Name") in ("metadata_sync", "metadata_sync_archive"):
            own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return own + sum(read(child) for child in node.get("Plans", ()))

    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar_one()
    return read(plan[0]["Plan"])


def test_a_page_of_a_big_reports_changes_reads_about_a_page(session: Session, engine) -> None:
    # 20,000 entries in two change sets of the report, a tenth of them archived, 1% of videos hidden.
    # Filtering and ordering above the union of live and archived entries read and sorted them all
    # (a million: 2-4 s a page); each branch now reads its first entries by video id only.
    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(
        text(
            "INSERT INTO video (video_id, hidden) "
            "SELECT 'big' || lpad(i::text, 8, '0'), i % 100 = 0 FROM generate_series(1, 20000) i"
        )
    )
    for parity in (0, 1):
        change_set = ChangeSet(kind="report", report_id=report.id, video_count=10000)
        session.add(change_set)
        session.flush()
        session.execute(
            text(
                "INSERT INTO metadata_sync (video_id, changes, change_set_id) "
                "SELECT video_id, '{\"views\": [1, 2]}', :cs FROM video WHERE id % 2 = :parity"
            ),
            {"cs": change_set.id, "parity": parity},
        )
    session.execute(
        text(
            "WITH moved AS (DELETE FROM metadata_sync WHERE id % 10 = 0 RETURNING *) "
            "INSERT INTO metadata_sync_archive SELECT *, now() FROM moved"
        )
    )
    session.execute(text("ANALYZE video; ANALYZE metadata_sync; ANALYZE metadata_sync_archive"))
    session.commit()
    every = sorted(session.execute(select(Video.video_id)).scalars())
    hidden = set(session.execute(select(Video.video_id).where(Video.hidden)).scalars())

    statements: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    for include_hidden in (False, True):
        expected = [v for v in every if include_hidden or v not in hidden]
        statements.clear()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            rows, total = reports.report_changes(
                session, report.id, page=3, per_page=25, include_hidden=include_hidden
            )
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert ([row["video_id"] for row in rows], total) == (expected[50:75], len(expected))
        # the statement that reads the page (the total is the change sets' counts, less the hidden few)
        [(page_sql, parameters)] = [(sql, p) for sql, p in statements if "ORDER BY" in sql]
        assert _history_rows_read(engine, page_sql, parameters) < 1000


def test_the_rejected_rows_csv_neutralises_formulas(session: Session, tmp_path: Path) -> None:
    # A report is anybody's text; opened in a spreadsheet, a rejected row must not run as a formula.
    path = tmp_path / "formulas.csv"
    path.write_text(
        "video_id,title,views\n"
        "=cmd|'/C calc'!A0,Song,1\n"
        '@SUM(1),"=HYPERLINK(""http://evil.example"")",2\n'
        "vidAlpha001,Fine,3\n"
    )
    report = ingest(session, path)

    lines = reports.rejections_csv(session, report.id).splitlines()

    assert lines[1:] == [
        '2,video_id,"not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)","\'=cmd|\'/C calc\'!A0,Song,1"',
        '3,video_id,"not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)",'
        '"\'@SUM(1),""=HYPERLINK(""""http://evil.example"""")"",2"',
    ]


def test_the_rejected_rows_csv_opens_in_a_spreadsheet_as_utf8_text(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text(
        "video_id,title,views\n"
        "vidAlpha001,ビデオ;=HYPERLINK(CHAR(104)&CHAR(116));,many\n"  # a title that starts a formula after ';'
        "vidBravo002,Fine,3\n",
        encoding="utf-8",
    )
    report = ingest(session, path)

    data = reports.rejections_csv(session, report.id)

    # A BOM, so that Excel reads UTF-8; and where it splits on ';' (a comma decimal mark), no formula.
    assert data.startswith("\ufeffline,column,reason,row\n")
    assert (
        data.splitlines()[1]
        == '2,views,not a whole number,"vidAlpha001,ビデオ;\'=HYPERLINK(CHAR(104)&CHAR(116));,many"'
    )


def test_changed_fields_and_changes_of_a_report(session: Session) -> None:
    day_one = ingest(session, DAY_ONE)
    day_two = ingest(session, DAY_TWO)

    assert reports.changed_fields(session, day_one.id) == {"__created__": 4}
    assert reports.changed_fields(session, day_two.id) == {
        "__created__": 1,
        "channel_display_name": 1,
        "claimed_status": 1,
        "privacy_status": 1,
        "title": 1,
        "views": 1,
    }
    # A report merged before the counts were stored: they are counted from its history entries.
    session.execute(update(Report).where(Report.id == day_two.id).values(field_counts=None))
    assert list(reports.changed_fields(session, day_two.id).items()) == [
        ("__created__", 1),
        ("channel_display_name", 1),
        ("claimed_status", 1),
        ("privacy_status", 1),
        ("title", 1),
        ("views", 1),
    ]
    rows, total = reports.report_changes(session, day_two.id, page=1, per_page=2)
    assert total == 3
    assert rows == [
        {
            "video_id": "vidAlpha001",
            "video_title": "First Light (Remastered)",
            "changes": {"title": ["First Light", "First Light (Remastered)"], "views": [1234567, 1300000]},
        },
        {
            "video_id": "vidCharl003",
            "video_title": "Behind the Scenes",
            "changes": {
                "channel_display_name": ["Lumen Music", "Lumen Music Group"],
                "claimed_status": ["active", "inactive"],
                "privacy_status": ["public", "unlisted"],
            },
        },
    ]
    assert reports.report_changes(session, day_two.id, page=2, per_page=2)[0] == [
        {
            "video_id": "vidEcho0005",
            "video_title": "New Arrival",
            "changes": {"__created__": [None, "report"]},
        }
    ]


def test_an_upload_without_s3_is_kept_under_the_data_folder(session: Session, local_storage: Path) -> None:
    uploader = create_user(session, "bo@example.com", "correct-horse-42")

    report = reports.upload(
        session, "../../My Report 2026-03-01.csv", io.BytesIO(DAY_ONE.read_bytes()), uploader.id
    )
    session.commit()

    stored = Path(report.filename)
    assert stored.parent.parent == (local_storage / "uploads").resolve()
    assert re.fullmatch(r"\d{8}T\d{12}Z", stored.parent.name)
    assert stored.name == "My_Report_2026-03-01.csv"
    assert stored.read_bytes() == DAY_ONE.read_bytes()
    assert (report.source, report.bucket, report.status, report.uploaded_by) == (
        "upload",
        None,
        "pending",
        uploader.id,
    )
    assert (report.size_bytes, report.report_date) == (
        DAY_ONE.stat().st_size,
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert reports.scan_bucket(session) == []  # nothing to scan without S3

    result = ingest_report(report.id)
    assert result is not None and (result.status, result.rows_inserted) == ("completed", 4)


def test_an_upload_that_is_not_a_report_is_refused(session: Session, local_storage: Path) -> None:
    with pytest.raises(reports.ReportError, match=r"Upload a CMS Videos report: a \.csv or \.csv\.gz file\."):
        reports.upload(session, "notes.pdf", io.BytesIO(b"%PDF"), None)
    assert not (local_storage / "uploads").exists()


def test_the_data_quality_view_finds_invalid_isrc_and_upc(session: Session) -> None:
    ingest(session, DAY_ONE)
    ingest(session, FIXTURES / "dirty_export.csv")  # vidJulie010: isrc xx-1, upc 999

    rows, total = data_quality_issues(session)

    assert issue_counts(session) == {"isrc_invalid": 2, "upc_invalid": 2}
    assert total == 2
    assert rows == [
        {
            "video_id": "vidBravo002",
            "title": 'Say "Hello", World',
            "channel_display_name": "Nova Records",
            "isrc": "XX123",
            "upc": "12345",
            "issues": ["isrc_invalid", "upc_invalid"],
        },
        {
            "video_id": "vidJulie010",
            "title": "Flagged",
            "channel_display_name": None,
            "isrc": "xx-1",
            "upc": "999",
            "issues": ["isrc_invalid", "upc_invalid"],
        },
    ]
    session.execute(update(Video).where(Video.video_id == "vidJulie010").values(upc="886443927087"))
    session.commit()
    assert [row["video_id"] for row in data_quality_issues(session, issue="upc_invalid")[0]] == [
        "vidBravo002"
    ]
    with pytest.raises(ValueError, match="unknown data-quality issue 'bad'"):
        data_quality_issues(session, issue="bad")


def test_a_report_in_processing_keeps_its_progress_visible_to_other_sessions(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "cms_videos_2026-03-01.csv"
    shutil.copyfile(DAY_ONE, path)
    report, _ = reports.register_path(session, path)
    session.commit()
    seen: list[tuple[str, int, int]] = []

    def observe(counts: dict[str, int]) -> None:
        # Another session reads what the worker committed so far.
        with Session(session.get_bind()) as other:
            row = other.execute(
                text("SELECT status, bytes_read, rows_read FROM report WHERE id = :id"), {"id": report.id}
            ).one()
        seen.append(tuple(row))

    ingest_report(report.id, on_progress=observe)

    assert seen[-1] == ("processing", DAY_ONE.stat().st_size, 4)
    session.expire_all()
    assert session.get(Report, report.id).processed_at - session.get(
        Report, report.id
    ).started_at < timedelta(seconds=60)


def test_the_reports_page_keeps_polling_while_a_row_it_shows_is_running(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reflex.state import State

    import catalog_ui.catalog_ui  # noqa: F401 - registers every page and state
    from catalog_ui.state.reports import ReportsState

    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(update(Report).where(Report.id == report.id).values(status="processing"))
    session.commit()
    # The report finishes between the page's two queries: its row still reads "processing".
    monkeypatch.setattr(reports, "running_count", lambda _session: 0)
    state = State(_reflex_internal_init=True).get_substate(ReportsState.get_full_name().split(".")[1:])

    state._fetch()

    assert [row.status for row in state.rows] == ["processing"]
    assert state.polling  # the next tick shows it completed; without it the row would stay stale
