"""Workers racing for reports: one worker per report, merges one after the other, dead workers recovered."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Report, Video
from catalog_ui.services import reports
from catalog_ui.services.ingest import (
    MERGE_LOCK_KEY,
    REPORT_LOCK_NAMESPACE,
    IngestResult,
    ingest_report,
    open_report_stream,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
DAY_ONE = FIXTURES / "cms_videos_2026-03-01.csv"
DAY_TWO = FIXTURES / "cms_videos_2026-03-02.csv.gz"


def register(session: Session, path: Path) -> int:
    report, _ = reports.register_path(session, path)
    session.commit()
    return report.id


def wait_for(check: Callable[[], bool], timeout: float = 20.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(engine: Engine, report_id: int) -> tuple[str, int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, bytes_read, COALESCE(size_bytes, 0) FROM report WHERE id = :id"),
            {"id": report_id},
        ).one()
    return row[0], row[1], row[2]


class Gate:
    """An opener that signals when a worker opened the file, then waits to be let through."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, report: dict[str, Any]) -> BinaryIO:
        self.entered.set()
        assert self.release.wait(20), "the test never released the worker"
        return open_report_stream(report)


def in_thread(fn: Callable[[], IngestResult | None]) -> tuple[threading.Thread, list]:
    results: list = []
    thread = threading.Thread(target=lambda: results.append(fn()))
    thread.start()
    return thread, results


def test_a_second_worker_on_the_same_report_does_nothing(engine: Engine, session: Session) -> None:
    report_id = register(session, DAY_ONE)
    gate = Gate()
    thread, results = in_thread(lambda: ingest_report(report_id, opener=gate))
    assert gate.entered.wait(20)

    second = ingest_report(report_id)  # the first holds the report
    assert second is None
    assert status_of(engine, report_id)[0] == "processing"
    gate.release.set()
    thread.join(30)

    assert [r.status for r in results] == ["completed"]
    assert ingest_report(report_id) is None  # and once completed, nobody takes it again
    assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 4


def test_two_worker_processes_racing_for_one_report_ingest_it_once(
    engine: Engine, session: Session, database_url: str
) -> None:
    report_id = register(session, DAY_ONE)
    script = textwrap.dedent(
        f"""
        import sys
        from catalog_ui.services.ingest import ingest_report
        sys.stdin.readline()  # both start together
        result = ingest_report({report_id})
        print(result.status if result else "skipped")
        """
    )
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(2)  # both have imported and wait on stdin
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = sorted(worker.communicate(timeout=60)[0].strip() for worker in workers)

    assert outputs == ["completed", "skipped"]
    assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 4
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4


def test_merges_of_different_reports_wait_for_each_other(engine: Engine, session: Session) -> None:
    report_id = register(session, DAY_ONE)
    with engine.connect() as holder:
        holder.begin()
        holder.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY}
        )  # another merge runs
        thread, results = in_thread(lambda: ingest_report(report_id))
        # The file is read and staged while the other merge runs, then the worker waits for its turn.
        wait_for(
            lambda: status_of(engine, report_id)[1:] == (DAY_ONE.stat().st_size,) * 2, what="the staging"
        )
        time.sleep(1.0)
        assert status_of(engine, report_id)[0] == "processing"
        assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 0
        holder.rollback()
    thread.join(30)

    assert [r.status for r in results] == ["completed"]
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4


def test_two_reports_ingested_at_once_end_with_the_newest_values(engine: Engine, session: Session) -> None:
    first, second = register(session, DAY_ONE), register(session, DAY_TWO)
    threads = [in_thread(lambda rid=rid: ingest_report(rid)) for rid in (first, second)]
    for thread, _ in threads:
        thread.join(60)

    assert [results[0].status for _, results in threads] == ["completed", "completed"]
    # Whichever merged first, the newer report's values win and every video is there once.
    rows = session.execute(select(Video.video_id, Video.title, Video.views).order_by(Video.video_id)).all()
    assert rows == [
        ("vidAlpha001", "First Light (Remastered)", 1300000),
        ("vidBravo002", 'Say "Hello", World', 0),
        ("vidCharl003", "Behind the Scenes", 42),
        ("vidDelta004", "Short Cut", 7),
        ("vidEcho0005", "New Arrival", 3),
    ]
    privacy = session.execute(
        select(Video.privacy_status).where(Video.video_id == "vidCharl003")
    ).scalar_one()
    assert privacy == "unlisted"


def test_a_report_left_processing_by_a_killed_worker_is_recovered(
    engine: Engine, session: Session, database_url: str
) -> None:
    report_id = register(session, DAY_ONE)
    script = textwrap.dedent(
        f"""
        import time
        from catalog_ui.services.ingest import ingest_report

        def stuck(report):
            print("opened", flush=True)
            time.sleep(120)

        ingest_report({report_id}, opener=stuck)
        """
    )
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline().strip() == "opened"
        # While the worker lives it holds the report: nothing to recover.
        assert reports.recover_interrupted(session) == []
        session.commit()
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert status_of(engine, report_id)[0] == "processing"

    recovered: list[int] = []

    def recover() -> bool:
        recovered.extend(reports.recover_interrupted(session))
        session.commit()
        return bool(recovered)

    wait_for(recover, what="the dead worker's lock to go")  # the server notices the closed connection

    assert recovered == [report_id]
    assert status_of(engine, report_id)[0] == "pending"
    result = ingest_report(report_id)
    assert result is not None and result.status == "completed"
    assert session.execute(select(Report.rows_inserted).where(Report.id == report_id)).scalar_one() == 4


def test_recovery_leaves_a_report_whose_worker_is_alive(engine: Engine, session: Session) -> None:
    report_id = register(session, DAY_ONE)
    session.execute(text("UPDATE report SET status = 'processing' WHERE id = :id"), {"id": report_id})
    session.commit()
    with engine.connect() as worker:
        worker.execute(
            text("SELECT pg_advisory_lock(:ns, :id)"), {"ns": REPORT_LOCK_NAMESPACE, "id": report_id}
        )
        worker.commit()
        assert reports.recover_interrupted(session) == []
        worker.execute(
            text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": REPORT_LOCK_NAMESPACE, "id": report_id}
        )
        worker.commit()

    assert reports.recover_interrupted(session) == [report_id]


def test_a_bulk_load_goes_row_by_row_while_a_staged_report_holds_the_catalog(
    engine: Engine, session: Session, monkeypatch: Any
) -> None:
    from catalog_ui.services import ingest

    monkeypatch.setattr(ingest, "BULK_MIN_ROWS", 3)  # day one's four videos would be loaded in bulk
    bulk_loads: list[list[str]] = []
    monkeypatch.setattr(ingest, "_deferred_indexes", _spy(ingest._deferred_indexes, bulk_loads))
    report_id = register(session, DAY_ONE)
    with engine.connect() as staged:
        staged.begin()
        # Like a long read of the catalog (an export, say): its lock on `video` outlasts the attempts.
        staged.execute(text("SELECT count(*) FROM video"))
        thread, results = in_thread(lambda: ingest_report(report_id))
        thread.join(30)  # a bulk load waiting for the staged report would still be waiting
        finished = [r.status for r in results]
        staged.rollback()
    thread.join(30)

    assert finished == ["completed"]
    assert bulk_loads == []  # no index was dropped: waiting for the staged report would have deadlocked
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == 4


class HeldPartWay(io.RawIOBase):
    """A report file whose bytes after the first `free` wait, once those have been read, until the test lets
    them through: a long file on its way."""

    def __init__(self, data: bytes, free: int) -> None:
        super().__init__()
        self._data = data
        self._position = 0
        self._free = free
        self.reached = threading.Event()
        self.release = threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._free and not self.release.is_set():
            self.reached.set()
            assert self.release.wait(20), "the test never released the reader"
        end = self._free if self._position < self._free else len(self._data)
        size = min(len(buffer), end - self._position)
        buffer[:size] = self._data[self._position : self._position + size]
        self._position += size
        return size


def test_a_first_load_is_loaded_in_bulk_while_another_report_is_being_read(
    engine: Engine, session: Session, monkeypatch: Any, tmp_path: Path
) -> None:
    from catalog_ui.services import ingest

    monkeypatch.setattr(ingest, "BULK_MIN_ROWS", 3)  # day one's four videos would be loaded in bulk
    bulk_loads: list[list[str]] = []
    monkeypatch.setattr(ingest, "_deferred_indexes", _spy(ingest._deferred_indexes, bulk_loads))
    # Day two, then 2,000 more new videos: a file long enough to be staged well before its end.
    lines = gzip.decompress(DAY_TWO.read_bytes()).decode().splitlines(keepends=True)
    echo = lines[-1]
    fillers = [echo.replace("vidEcho0005", f"vidFill{n:04d}") for n in range(2000)]
    day_two = tmp_path / "cms_videos_2026-03-02.csv"
    day_two.write_text("".join(lines + fillers))
    first, second = register(session, DAY_ONE), register(session, day_two)
    held = HeldPartWay(day_two.read_bytes(), free=128 << 10)
    with engine.connect() as holder:
        holder.begin()
        # Another merge runs: the second report finds the catalog empty but cannot load it first, so it
        # stages its file, which stops part-way.
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        thread, results = in_thread(lambda: ingest_report(second, opener=lambda report: held))
        assert held.reached.wait(20), "the second report never got part-way through its file"
        holder.rollback()
    # The report being read holds no lock on the catalog, so this first load takes it in bulk at once.
    loaded = ingest_report(first)
    first_load_bulk = list(bulk_loads)
    held.release.set()
    thread.join(30)

    assert loaded is not None and loaded.status == "completed" and loaded.rows_inserted == 4
    assert ["video"] in first_load_bulk
    assert [(r.status, r.rows_inserted, r.rows_updated) for r in results] == [("completed", 2001, 2)]
    titles = session.execute(
        select(Video.video_id, Video.title)
        .where(~Video.video_id.startswith("vidFill"))
        .order_by(Video.video_id)
    ).all()
    assert titles == [
        ("vidAlpha001", "First Light (Remastered)"),
        ("vidBravo002", 'Say "Hello", World'),
        ("vidCharl003", "Behind the Scenes"),
        ("vidDelta004", "Short Cut"),
        ("vidEcho0005", "New Arrival"),
    ]


def test_a_first_load_keeps_the_video_id_key_while_the_task_queue_is_busy(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    # Two rows of one video in a file without dates: normally collapsed in the catalog itself, which means
    # dropping the foreign key of the task queue on `video_id` for the load.
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text("video_id,video_title,views\nvidAlpha001,A,1\nvidBravo002,B,2\nvidAlpha001,A2,3\n")
    report_id = register(session, path)
    with engine.connect() as reader:
        reader.begin()
        reader.execute(text("SELECT count(*) FROM processing_queue"))  # a long read of the queue
        thread, results = in_thread(lambda: ingest_report(report_id))
        thread.join(30)  # a load waiting for the queue would still be waiting
        finished = [(r.status, r.rows_inserted) for r in results]
        reader.rollback()
    thread.join(30)

    assert finished == [("completed", 2)]  # through the staging table, the queue's key left in place
    rows = session.execute(select(Video.video_id, Video.title).order_by(Video.video_id)).all()
    assert [tuple(row) for row in rows] == [("vidAlpha001", "A2"), ("vidBravo002", "B")]


def _spy(function: Callable[..., Any], calls: list[list[str]]) -> Callable[..., Any]:
    def spied(*args: Any) -> Any:
        calls.append([str(arg) for arg in args[1:]])
        return function(*args)

    return spied


def test_rows_are_compared_with_what_the_merge_before_left(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    first = register(session, DAY_ONE)
    assert ingest_report(first).status == "completed"
    again = tmp_path / "cms_videos_2026-03-05.csv"  # the same lines, days later
    again.write_bytes(DAY_ONE.read_bytes())
    report_id = register(session, again)
    with engine.connect() as holder:
        holder.begin()
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        thread, results = in_thread(lambda: ingest_report(report_id))
        wait_for(lambda: status_of(engine, report_id)[1:] == (again.stat().st_size,) * 2, what="the COPY")
        time.sleep(0.5)
        # The merge before changes a video; the report's line for it is still the one it came from.
        holder.execute(
            text(
                "UPDATE video SET title = 'Changed meanwhile', values_as_of = '2026-03-02' "
                "WHERE video_id = 'vidAlpha001'"
            )
        )
        holder.commit()
    thread.join(30)

    assert [(r.status, r.rows_updated) for r in results] == [("completed", 1)]
    title = session.execute(select(Video.title).where(Video.video_id == "vidAlpha001")).scalar_one()
    assert title == "First Light"  # the newer report's, compared after the change, not before it
