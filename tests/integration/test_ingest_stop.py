"""A requested stop (the worker's SIGTERM) ends an ingestion within seconds, back to pending, uncounted.

Two places stop it: a progress checkpoint while the file streams (`StopRequest.check`), and a statement in
flight on the server, cancelled (`StopRequest.cancelling`). The real worker process under SIGTERM is in
`test_workers.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Report, Video
from catalog_ui.services import reports
from catalog_ui.services.demo_data import iter_day_one, write_report
from catalog_ui.services.ingest import MERGE_LOCK_KEY, IngestResult, ingest_report
from catalog_ui.services.stopping import StopRequest, WorkerStopped

ROOT = Path(__file__).resolve().parents[2]
DAY_ONE = ROOT / "tests" / "fixtures" / "reports" / "cms_videos_2026-03-01.csv"


# Another session of this database waits for an advisory lock.
WAITING_FOR_A_LOCK = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
)


def wait_for(check: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def register(session: Session, path: Path) -> int:
    report, _ = reports.register_path(session, path)
    session.commit()
    return report.id


def assert_stopped_and_untouched(session: Session, report_id: int, result: IngestResult | None) -> Report:
    """The report is pending with the stop's note, its interruptions not counted; the catalog saw nothing."""
    assert result is not None and result.status == "pending"
    session.expire_all()
    report = session.get(Report, report_id)
    assert report.status == "pending"
    assert report.error_message == reports.stopped_note(result.rows_read)
    assert report.interruptions == 0
    assert report.started_at is None and report.rows_read == 0  # the list shows no attempt that ended
    for model in (Video, MetadataSync, ChangeSet):
        assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    assert reports.recover_interrupted(session) == []  # nothing left for a dead worker's recovery
    return report


def test_a_stop_requested_while_the_file_streams_ends_at_the_next_checkpoint(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "cms_videos_2026-03-05.csv"
    rows = write_report(path, iter_day_one(20_000, seed=3))
    report_id = register(session, path)
    stop = StopRequest()
    seen: list[int] = []

    def stop_after_first_progress(counts: dict[str, int]) -> None:
        seen.append(counts["rows_read"])
        stop.request()  # as the worker's SIGTERM would, from another thread

    result = ingest_report(report_id, on_progress=stop_after_first_progress, stop=stop)

    assert len(seen) == 1  # the checkpoint after the request raised; no further progress
    assert 0 < result.rows_read < rows
    report = assert_stopped_and_untouched(session, report_id, result)
    assert report.error_message == (
        f"The worker was stopped (restart or deploy) after {result.rows_read:,} rows; "
        "the report starts again from the beginning."
    )

    completed = ingest_report(report_id)  # the next worker starts it from the beginning
    assert completed is not None and completed.status == "completed"
    assert completed.rows_inserted == rows


def test_a_stop_cancels_the_statement_in_flight(engine: Engine, session: Session) -> None:
    report_id = register(session, DAY_ONE)
    stop = StopRequest()
    results: list[IngestResult | None] = []
    with engine.connect() as holder:
        holder.begin()
        # Another report merges: this one is read, then waits on the server for the merge's turn.
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        thread = threading.Thread(target=lambda: results.append(ingest_report(report_id, stop=stop)))
        thread.start()
        try:

            def waits_for_its_turn() -> bool:
                assert thread.is_alive(), "the ingestion ended before its merge"
                return holder.execute(text(WAITING_FOR_A_LOCK)).scalar_one()

            wait_for(waits_for_its_turn, "the ingestion to wait for the merge's turn")
            stop.request()
            thread.join(30)
            assert not thread.is_alive(), "the stop did not cancel the wait"
        finally:
            holder.rollback()
            thread.join(30)

    assert_stopped_and_untouched(session, report_id, results[0])
    assert results[0].rows_read == 4


def test_no_ingestion_starts_once_a_stop_was_requested(session: Session) -> None:
    report_id = register(session, DAY_ONE)
    stop = StopRequest()
    stop.request()

    assert ingest_report(report_id, stop=stop) is None
    session.expire_all()
    assert session.get(Report, report_id).status == "pending"  # left for the next worker, untouched


def test_a_cancel_callback_is_called_only_within_its_block() -> None:
    stop = StopRequest()
    cancelled: list[str] = []
    with stop.cancelling(lambda: cancelled.append("in flight")):
        pass
    stop.request()
    assert cancelled == []
    with pytest.raises(WorkerStopped), stop.cancelling(lambda: cancelled.append("late")):
        pass  # never entered: the stop came first
    assert cancelled == []

    running = StopRequest()
    with running.cancelling(lambda: cancelled.append("in flight")):
        running.request()
    assert cancelled == ["in flight"]
