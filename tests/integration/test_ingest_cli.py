"""`python -m catalog_ui ingest PATH|s3://bucket/key`: a real process, a progress bar, a summary, exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Report, Video
from catalog_ui.services import reports
from tests.cli import ROOT as CLI_ROOT
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


def test_ctrl_c_stops_the_ingestion_back_to_pending_uncounted(
    engine: Engine, session: Session, database_url: str, tmp_path: Path
) -> None:
    # Ctrl-C used to leave the report `processing`, taken for a dead worker's: counted as an interruption
    # (three ended it in error), and a Ctrl-C during a long statement waited for the statement to end.
    from catalog_ui.services.demo_data import iter_day_one, write_report
    from catalog_ui.services.ingest import MERGE_LOCK_KEY

    path = tmp_path / "cms_videos_2026-03-04.csv.gz"
    rows = write_report(path, iter_day_one(5_000, seed=11))
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with engine.connect() as holder:
        # Another report's merge holds the catalog: this one is read, then still running (waiting for its
        # turn, a statement in flight on the server) whatever the machine's speed.
        holder.begin()
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        try:
            with out.open("wb") as stdout, err.open("wb") as stderr:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "catalog_ui", "ingest", str(path)],
                    cwd=CLI_ROOT,
                    env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(CLI_ROOT)},
                    stdout=stdout,
                    stderr=stderr,
                )
            try:
                deadline = time.monotonic() + 180  # a loaded machine starts slowly
                while not _read_whole(session, rows):
                    assert proc.poll() is None and time.monotonic() < deadline, err.read_text()[-3000:]
                proc.send_signal(signal.SIGINT)
                assert proc.wait(timeout=60) == 130, err.read_text()[-3000:]
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        finally:
            holder.rollback()

    assert last_line(err.read_text()) == (
        f"Report 1 stopped (Ctrl-C) after {rows:,} rows; nothing was written to the catalog. It is pending "
        "again and starts from the beginning at the next ingest or worker scan."
    )
    session.expire_all()
    stopped = session.execute(select(Report)).scalar_one()
    assert stopped.status == "pending"
    assert stopped.error_message == reports.stopped_note(rows)
    assert stopped.interruptions == 0
    for model in (Video, MetadataSync, ChangeSet):
        assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0


def _read_whole(session: Session, rows: int) -> bool:
    """Whether the report is `processing` with all its `rows` read (its merge waits for its turn)."""
    session.expire_all()
    found = session.execute(select(Report.status, Report.rows_read)).first()
    session.commit()
    return found is not None and tuple(found) == ("processing", rows)
