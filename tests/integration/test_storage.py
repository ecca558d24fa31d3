"""Reports in S3 through a real HTTP endpoint (moto's server): scans, uploads, streamed ingestion."""

from __future__ import annotations

import io
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import Report, Video
from catalog_ui.services import reports, storage
from catalog_ui.services.ingest import ingest_report
from catalog_ui.state.report_display import report_row
from tests.s3 import PREFIX, S3Endpoint, clear_storage_caches, stalling_proxy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
DAY_ONE = FIXTURES / "cms_videos_2026-03-01.csv"
DAY_TWO = FIXTURES / "cms_videos_2026-03-02.csv.gz"


def put(endpoint: S3Endpoint, bucket: str, key: str, data: bytes) -> str:
    """Store `data` at `key`; returns the object's ETag."""
    return endpoint.client().put_object(Bucket=bucket, Key=key, Body=data)["ETag"].strip('"')


def report_rows(session: Session) -> list[tuple[str, str, str | None, int | None, str]]:
    query = select(Report.filename, Report.source, Report.bucket, Report.size_bytes, Report.etag).order_by(
        Report.id
    )
    return [tuple(row) for row in session.execute(query)]


def test_s3_counts_as_configured_with_an_endpoint(s3_bucket: str) -> None:
    assert storage.s3_configured()


def test_a_scan_registers_each_new_report_object_once(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    day_one_etag = put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-01.csv", DAY_ONE.read_bytes())
    day_two_etag = put(
        s3_endpoint, s3_bucket, f"{PREFIX}daily/cms_videos_2026-03-02.csv.gz", DAY_TWO.read_bytes()
    )
    put(s3_endpoint, s3_bucket, f"{PREFIX}readme.pdf", b"%PDF")  # not a report
    put(
        s3_endpoint, s3_bucket, "elsewhere/cms_videos_2026-03-03.csv", DAY_ONE.read_bytes()
    )  # outside the prefix

    first = reports.scan_bucket(session)
    session.commit()
    second = reports.scan_bucket(session)  # the same objects again: nothing new

    assert len(first) == 2
    assert second == []
    assert report_rows(session) == [
        (f"{PREFIX}cms_videos_2026-03-01.csv", "s3", s3_bucket, DAY_ONE.stat().st_size, day_one_etag),
        (
            f"{PREFIX}daily/cms_videos_2026-03-02.csv.gz",
            "s3",
            s3_bucket,
            DAY_TWO.stat().st_size,
            day_two_etag,
        ),
    ]
    dates = session.execute(select(Report.report_date).order_by(Report.id)).scalars().all()
    assert [d.date().isoformat() for d in dates] == ["2026-03-01", "2026-03-02"]


def test_scans_of_known_objects_take_no_ids_and_a_key_too_long_holds_nothing_back(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-01.csv", DAY_ONE.read_bytes())
    put(s3_endpoint, s3_bucket, f"{PREFIX}{'long_' * 60}.csv", DAY_ONE.read_bytes())  # 300+ characters
    (first,) = reports.scan_bucket(session)
    session.commit()
    for _ in range(3):
        assert reports.scan_bucket(session) == []
    put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-02.csv.gz", DAY_TWO.read_bytes())
    (second,) = reports.scan_bucket(session)
    # A scan that finds nothing new takes no id from the sequence (an int that would run out).
    assert second == first + 1


def test_a_deleted_report_is_not_registered_again_by_the_next_scan(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-01.csv", DAY_ONE.read_bytes())
    (report_id,) = reports.scan_bucket(session)
    reports.delete_report(session, report_id)
    session.commit()

    assert reports.scan_bucket(session) == []
    assert reports.list_reports(session).total == 0


def test_uploads_are_not_registered_again_by_a_scan(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    # Registered when uploaded; a scan must not turn them into second reports, nor revive deleted ones.
    put(
        s3_endpoint,
        s3_bucket,
        f"{PREFIX}uploads/20260301T000000000000Z/cms_videos_2026-03-01.csv",
        b"video_id\n",
    )

    assert reports.scan_bucket(session) == []


def test_an_object_replaced_under_the_same_key_is_a_new_report(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    key = f"{PREFIX}cms_videos_2026-03-01.csv"
    put(s3_endpoint, s3_bucket, key, DAY_ONE.read_bytes())
    reports.scan_bucket(session)
    session.commit()
    put(
        s3_endpoint,
        s3_bucket,
        key,
        DAY_ONE.read_bytes() + b"vidZulu0026,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
    )

    new = reports.scan_bucket(session)

    assert len(new) == 1
    assert (
        session.execute(select(func.count()).select_from(Report).where(Report.filename == key)).scalar_one()
        == 2
    )


def test_a_report_is_read_in_the_version_it_registered(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    # Its size, ETag and progress describe that version: a replaced object is not read under its name.
    key = f"{PREFIX}cms_videos_2026-03-01.csv"
    put(s3_endpoint, s3_bucket, key, DAY_ONE.read_bytes())
    (first,) = reports.scan_bucket(session)
    session.commit()
    put(s3_endpoint, s3_bucket, key, DAY_TWO.read_bytes())

    result = ingest_report(first)

    assert result.status == "error"
    assert result.error_message == (
        f"The report file cannot be opened: s3://{s3_bucket}/{key} was replaced since this report was "
        "registered; the scan registers the new version as a report of its own."
    )
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 0
    (second,) = reports.scan_bucket(session)
    session.commit()
    assert ingest_report(second).status == "completed"


def test_a_scanned_report_is_ingested_from_the_s3_stream(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-02.csv.gz", DAY_TWO.read_bytes())
    (report_id,) = reports.scan_bucket(session)
    session.commit()

    result = ingest_report(report_id)

    session.expire_all()
    report = session.get(Report, report_id)
    assert result is not None and report.status == "completed"
    assert (report.rows_read, report.rows_inserted, report.bytes_read) == (4, 4, DAY_TWO.stat().st_size)
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4


def test_an_upload_is_stored_in_the_bucket_then_registered(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    report = reports.upload(session, "cms_videos_2026-03-01.csv", io.BytesIO(DAY_ONE.read_bytes()), None)
    session.commit()

    assert (report.source, report.bucket, report.status) == ("upload", s3_bucket, "pending")
    assert re.fullmatch(rf"{PREFIX}uploads/\d{{8}}T\d{{12}}Z/cms_videos_2026-03-01\.csv", report.filename)
    stored = s3_endpoint.client().get_object(Bucket=s3_bucket, Key=report.filename)["Body"].read()
    assert stored == DAY_ONE.read_bytes()
    assert report.size_bytes == len(stored)
    # The periodic scan sees the uploaded object but does not register it a second time.
    assert reports.scan_bucket(session) == []
    result = ingest_report(report.id)
    assert result is not None and (result.status, result.rows_inserted) == ("completed", 4)


def test_an_upload_named_in_another_script_keeps_its_name_and_is_ingested(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    # "レポート 2026-03-01.csv" was reduced to "csv" and refused as not a report; accents became "_", and a
    # macOS name (a letter, then its accent) too.
    names = {
        "レポート 2026-03-01.csv": "レポート_2026-03-01.csv",
        "Vidéos été 2026-03-01.csv": "Vidéos_été_2026-03-01.csv",
        "Vide\u0301os 2026-03-01.csv": "Vidéos_2026-03-01.csv",
    }
    for uploaded, kept in names.items():
        report = reports.upload(session, uploaded, io.BytesIO(DAY_ONE.read_bytes()), None)
        session.commit()
        assert report.filename.endswith(f"/{kept}"), report.filename
        assert report.report_date == datetime(2026, 3, 1, tzinfo=UTC)
        stored = s3_endpoint.client().get_object(Bucket=s3_bucket, Key=report.filename)["Body"].read()
        assert stored == DAY_ONE.read_bytes()
        result = ingest_report(report.id)
        assert result is not None and result.status == "completed", result
    assert reports.scan_bucket(session) == []  # the uploads are not registered twice
    report = reports.upload(session, "レポート.csv", io.BytesIO(DAY_ONE.read_bytes()), None)
    assert report.filename.endswith("/レポート.csv")


def test_a_file_uploaded_again_says_which_report_it_copies(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    # Each upload gets a key of its own, so the same file uploaded twice was two reports, without a word.
    put(s3_endpoint, s3_bucket, f"{PREFIX}daily/cms_videos_2026-03-01.csv", DAY_ONE.read_bytes())
    (scanned,) = reports.scan_bucket(session)
    first = reports.upload(session, "cms_videos_2026-03-01.csv", io.BytesIO(DAY_ONE.read_bytes()), None)
    other = reports.upload(
        session, "cms_videos_2026-03-02.csv", io.BytesIO(DAY_ONE.read_bytes() + b"\n"), None
    )
    session.commit()

    assert reports.copy_of_earlier(session, scanned) is None
    assert reports.copy_of_earlier(session, first.id) == (
        f"cms_videos_2026-03-01.csv is the same file as report {scanned} (cms_videos_2026-03-01.csv, pending): "
        "it is ingested again all the same."
    )
    assert reports.copy_of_earlier(session, other.id) is None
    assert ingest_report(first.id).status == "completed"

    again = reports.upload(session, "again.csv", io.BytesIO(DAY_ONE.read_bytes()), None)
    session.commit()
    assert reports.copy_of_earlier(session, again.id) == (
        f"again.csv is the same file as report {first.id} (cms_videos_2026-03-01.csv, completed): it is "
        "ingested again all the same."
    )
    reports.delete_report(session, first.id)
    session.commit()
    assert f"report {scanned} " in reports.copy_of_earlier(session, again.id)  # a deleted one is no more


def test_a_bucket_that_cannot_be_listed_is_a_clear_error(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3_BUCKET", "no-such-bucket")
    clear_storage_caches()
    try:
        with pytest.raises(
            reports.ReportError, match=r"^Cannot list s3://no-such-bucket/reports/: .*NoSuchBucket"
        ):
            reports.scan_bucket(session)
    finally:
        monkeypatch.undo()
        clear_storage_caches()


def test_a_report_whose_object_was_deleted_ends_in_error(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    key = f"{PREFIX}cms_videos_2026-03-01.csv"
    put(s3_endpoint, s3_bucket, key, DAY_ONE.read_bytes())
    (report_id,) = reports.scan_bucket(session)
    session.commit()
    s3_endpoint.client().delete_object(Bucket=s3_bucket, Key=key)

    result = ingest_report(report_id)

    assert result is not None and result.status == "error"
    assert result.error_message == (
        f"The report file cannot be opened: s3://{s3_bucket}/{key} is no longer in the bucket: it was deleted "
        "or moved. Put it back, or upload it again, then retry the report."
    )

    retried = reports.retry_report(session, report_id)
    retried.bucket = "gone-bucket"
    session.commit()
    result = ingest_report(report_id)
    assert result is not None and result.error_message == (
        "The report file cannot be opened: the bucket gone-bucket does not exist (any more): check S3_BUCKET."
    )


def test_a_bucket_that_stops_answering_fails_a_scan_after_three_bounded_tries(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # boto3's defaults (60 s to read, 5 tries) held each scan of a hung bucket for about three minutes.
    with stalling_proxy(s3_endpoint) as proxy:
        monkeypatch.setenv("S3_ENDPOINT_URL", proxy.url)
        monkeypatch.setenv("S3_TIMEOUT_S", "0.2")
        clear_storage_caches()
        proxy.stall()
        outcome: list[BaseException] = []

        def scan() -> None:
            try:
                reports.scan_bucket(session)
            except BaseException as exc:
                outcome.append(exc)

        scanning = threading.Thread(target=scan, daemon=True)
        scanning.start()
        scanning.join(timeout=30)  # a hang, not a timing target: the scan ends in about a second

        assert not scanning.is_alive(), "the scan of a bucket that does not answer never ended"
        assert proxy.connections == storage.S3_ATTEMPTS == 3
        (error,) = outcome
        assert isinstance(error, reports.ReportError) and "Read timeout" in str(error)
        assert storage.unavailable(error)
        proxy.resume()
        assert reports.scan_bucket(session) == []  # answering again: an empty bucket


def test_a_report_whose_download_stalls_goes_back_to_pending_then_ends_in_error_naming_s3(
    session: Session,
    s3_endpoint: S3Endpoint,
    s3_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A read timeout mid-report ended it in error for good ("Internal error while ingesting: Read timeout
    # …"), while a database restart or a killed worker at the same point is recovered by the next scan.
    from catalog_ui.services.demo_data import iter_day_one, write_report
    from catalog_ui.services.ingest import STORAGE_RETRIES, STORAGE_RETRY_DELAYS_S

    path = tmp_path / "cms_videos_2026-03-05.csv"
    rows = write_report(path, iter_day_one(4000, seed=3))
    assert path.stat().st_size > 1_000_000
    put(s3_endpoint, s3_bucket, f"{PREFIX}{path.name}", path.read_bytes())
    (report_id,) = reports.scan_bucket(session)
    session.commit()

    def stored() -> Report:
        session.expire_all()
        report = session.get(Report, report_id)
        session.commit()
        return report

    with stalling_proxy(s3_endpoint) as proxy:
        monkeypatch.setenv("S3_ENDPOINT_URL", proxy.url)
        monkeypatch.setenv("S3_TIMEOUT_S", "0.3")
        clear_storage_caches()
        proxy.stall_after(300_000)  # each download stalls after 300 kB of its 1.3 MB

        result = ingest_report(report_id)
        assert result is not None and result.status == "pending"
        assert "Read timeout" in (result.error_message or "")
        report = stored()
        assert (report.status, report.storage_retries, report.bytes_read) == ("pending", 1, 0)
        # the Reports page shows why it waits
        assert report.error_message == result.error_message
        # A partial outage (listings answer, downloads stall) spent every retry in five scan intervals:
        # the retries now back off, and the page says from when the report is tried again.
        waited = report.retry_after - report_time(session)
        assert (
            timedelta(seconds=STORAGE_RETRY_DELAYS_S[0] - 5)
            < waited
            <= timedelta(seconds=STORAGE_RETRY_DELAYS_S[0])
        )
        assert report.error_message.endswith(
            f"the report is pending again, for the first scan after {report.retry_after.astimezone(UTC):%H:%M} UTC "
            "(retry 1 of 5)."
        )
        assert (
            session.execute(select(func.count()).select_from(Video)).scalar_one() == 0
        )  # nothing half-written
        assert reports.pending_ids(session) == []  # no scan sends it before its time
        assert ingest_report(report_id) is None  # nor does a message sent to the workers meanwhile
        assert stored().storage_retries == 1
        time_passes(session, report_id)
        assert reports.pending_ids(session) == [report_id]  # the first scan after it sends it again

        proxy.resume()
        assert ingest_report(report_id).status == "completed"
        assert session.execute(select(func.count()).select_from(Video)).scalar_one() == rows

        # A report S3 never delivers ends in error after the retries, naming the storage problem.
        proxy.stall_after(300_000)
        copy = f"{PREFIX}cms_videos_2026-03-06.csv"
        s3_endpoint.client().copy_object(
            Bucket=s3_bucket, Key=copy, CopySource=f"{s3_bucket}/{PREFIX}{path.name}"
        )
        (report_id,) = reports.scan_bucket(session)  # a listing is well under 300 kB
        session.commit()
        for attempt in range(STORAGE_RETRIES):
            assert ingest_report(report_id).status == "pending"
            retried = stored()
            assert retried.storage_retries == attempt + 1
            # each wait longer than the one before
            waited = retried.retry_after - report_time(session)
            assert waited > timedelta(seconds=STORAGE_RETRY_DELAYS_S[attempt] - 5)
            time_passes(session, report_id)
        result = ingest_report(report_id)
    assert result is not None and result.status == "error"
    report = stored()
    assert report.status == "error" and report.storage_retries == STORAGE_RETRIES
    message = report.error_message or ""
    assert message.startswith(
        f"S3 failed to deliver the report {STORAGE_RETRIES + 1} times; the last time it stopped after 0.3 MB "
        f"of s3://{s3_bucket}/{copy} (ReadTimeoutError: Read timeout"
    )
    assert "Internal error" not in message

    assert report.retry_after is None
    reports.retry_report(session, report_id)  # a retry by hand starts a fresh count
    session.commit()
    assert (stored().storage_retries, stored().retry_after) == (0, None)


def report_time(session: Session) -> datetime:
    """The database's clock (the back-off is counted in it)."""
    return session.execute(text("SELECT now()")).scalar_one()


def time_passes(session: Session, report_id: int) -> None:
    """The report's back-off ends, as if its time had come."""
    session.execute(
        text("UPDATE report SET retry_after = now() - interval '1 second' WHERE id = :id"), {"id": report_id}
    )
    session.commit()


def test_while_s3_does_not_answer_a_pending_report_held_there_says_why_it_waits(
    session: Session, s3_endpoint: S3Endpoint, s3_bucket: str
) -> None:
    # Its line said only "Waiting for a worker", though the periodic scan knew S3 had failed.
    put(s3_endpoint, s3_bucket, f"{PREFIX}cms_videos_2026-03-02.csv.gz", DAY_TWO.read_bytes())
    (held,) = reports.scan_bucket(session)
    local, _ = reports.register_path(session, DAY_ONE)  # not in a bucket: ingested all the same
    restarting = Report(
        filename=f"{PREFIX}restarting.csv",
        bucket=s3_bucket,
        status="pending",
        error_message="The worker ingesting this report stopped after 10 rows; it starts again (try 2 of 3).",
    )
    session.add(restarting)
    session.commit()

    def notes() -> dict[int, str]:
        session.expire_all()
        rows = session.execute(select(Report)).scalars().all()
        return {r.id: report_row(r.model_dump(), datetime.now(UTC)).note for r in rows}

    assert reports.pending_to_send(session, s3_answers=False) == [local.id]
    session.commit()
    assert notes() == {
        held: reports.S3_UNAVAILABLE_NOTE,
        local.id: "",
        restarting.id: restarting.error_message,  # its own note says more
    }
    assert reports.pending_to_send(session, s3_answers=False) == [local.id]  # the next scan: once only
    session.commit()
    assert notes()[held] == reports.S3_UNAVAILABLE_NOTE

    assert reports.pending_to_send(session, s3_answers=True) == [held, local.id, restarting.id]
    session.commit()
    assert notes() == {held: "", local.id: "", restarting.id: restarting.error_message}
