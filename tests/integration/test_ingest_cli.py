"""`python -m catalog_ui ingest PATH|s3://bucket/key`: a real process, a progress bar, a summary, exit codes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import Report, Video
from catalog_ui.services import reports
from tests.cli import run_catalog_ui
from tests.s3 import PREFIX, S3Endpoint

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
DAY_ONE = FIXTURES / "cms_videos_2026-03-01.csv"


def run_cli(
    database_url: str, location: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return run_catalog_ui(
        "ingest", location, env={**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    )


def last_line(output: str) -> str:
    """The last line a command printed (log lines come before it)."""
    return output.strip().splitlines()[-1]


def test_ingest_a_local_path_with_a_progress_bar(engine, session: Session, database_url: str) -> None:
    done = run_cli(database_url, str(DAY_ONE))

    assert done.returncode == 0, done.stderr
    size = DAY_ONE.stat().st_size
    assert "[##############################] 100.0%" in done.stdout
    assert done.stdout.rstrip().endswith(
        "Report 1: 4 rows read, 4 new, 0 updated, 0 unchanged, 0 stale, 0 rejected."
    ), done.stdout
    assert session.execute(select(Report.status, Report.size_bytes)).one() == ("completed", size)
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4

    again = run_cli(database_url, str(DAY_ONE))

    assert again.returncode == 0
    assert again.stdout.strip() == f"Report 1 ({DAY_ONE}) was already ingested; nothing to do."


def test_a_deleted_report_named_again_is_ingested(engine, session: Session, database_url: str) -> None:
    # Deleted while it waited: the scan leaves it alone, but an operator naming its file wants it.
    report, _ = reports.register_path(session, DAY_ONE)
    reports.delete_report(session, report.id)
    session.commit()

    done = run_cli(database_url, str(DAY_ONE))

    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout).startswith(f"Report {report.id}: 4 rows read, 4 new")
    session.expire_all()
    assert [row["id"] for row in reports.list_reports(session).rows] == [report.id]


def test_a_report_waiting_out_s3s_back_off_named_again_is_ingested_now(
    engine, session: Session, database_url: str
) -> None:
    # S3 failed to deliver it: the scans wait (retry_after), but an operator naming its file wants it now.
    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(
        text("UPDATE report SET retry_after = now() + interval '1 hour', storage_retries = 1 WHERE id = :id"),
        {"id": report.id},
    )
    session.commit()

    done = run_cli(database_url, str(DAY_ONE))

    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout).startswith(f"Report {report.id}: 4 rows read, 4 new")


def test_ingest_an_s3_object(engine, session: Session, database_url: str, s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.new_bucket()
    key = f"{PREFIX}cms_videos_2026-03-01.csv"
    s3_endpoint.client().put_object(Bucket=bucket, Key=key, Body=DAY_ONE.read_bytes())

    done = run_cli(database_url, f"s3://{bucket}/{key}", s3_endpoint.environment(bucket))

    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(
        "Report 1: 4 rows read, 4 new, 0 updated, 0 unchanged, 0 stale, 0 rejected."
    )
    assert session.execute(select(Report.source, Report.bucket, Report.filename, Report.status)).one() == (
        "s3",
        bucket,
        key,
        "completed",
    )


def test_a_missing_object_or_file_is_a_clear_error(
    engine, session: Session, database_url: str, s3_endpoint: S3Endpoint
) -> None:
    bucket = s3_endpoint.new_bucket()

    missing_key = run_cli(database_url, f"s3://{bucket}/reports/nope.csv", s3_endpoint.environment(bucket))
    missing_file = run_cli(database_url, "/nonexistent/report.csv")

    assert missing_key.returncode == 2
    assert last_line(missing_key.stderr).startswith(
        f"error: Cannot read s3://{bucket}/reports/nope.csv: An error occurred (404)"
    )
    assert missing_file.returncode == 2
    assert last_line(missing_file.stderr) == "error: No report file at /nonexistent/report.csv."
    assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 0


def test_a_broken_file_exits_non_zero_with_its_message(engine, session: Session, database_url: str) -> None:
    done = run_cli(database_url, str(FIXTURES / "no_video_id.csv"))

    assert done.returncode == 1
    assert last_line(done.stderr) == (
        "Report 1 failed: The report has no video_id column (its columns are: title, views)."
    )
    assert session.execute(select(Report.status)).scalar_one() == "error"
