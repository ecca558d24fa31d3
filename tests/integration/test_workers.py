"""Real Dramatiq workers (`python -m workers.main` processes) on real Redis and PostgreSQL against the YouTube
simulator: every task type end to end, priority over a backlog, a clean SIGTERM, `kill -9` mid-task, rate
limits shared by processes, the no-Redis mode, and report scanning through an S3 endpoint.

Redis keys live under a namespace of this run (database 11 unless TEST_REDIS_URL says otherwise) and are
deleted at the end. `workers.actors` is imported only once REDIS_URL is set: the broker is chosen at import.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
import redis
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, ProcessingQueue, Report, Video
from catalog_ui.services import queue
from catalog_ui.settings import get_settings
from tests.s3 import S3Endpoint, stalling_proxy
from tests.simulators.youtube import YouTubeSimulator

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
OWNER = "owner-1"


@pytest.fixture(scope="module")
def namespace(database_url: str) -> Iterator[str]:
    """REDIS_URL and a key namespace of this run in the environment; their keys are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    patch = pytest.MonkeyPatch()
    patch.setenv("REDIS_URL", REDIS_URL)
    patch.setenv("QUEUE_NAMESPACE", name)
    get_settings.cache_clear()
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    patch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def actors(namespace: str) -> ModuleType:
    """`workers.actors` bound to the Redis broker (messages sent here reach the worker processes)."""
    from dramatiq.brokers.redis import RedisBroker

    from workers import actors as module
    from workers.broker import setup_broker

    broker = setup_broker()
    assert isinstance(broker, RedisBroker), "workers.actors was imported before REDIS_URL was set"
    assert broker.namespace == f"{namespace}:dramatiq"
    return module


@pytest.fixture
def sim(engine: object) -> Iterator[YouTubeSimulator]:
    with YouTubeSimulator() as simulator:
        yield simulator


@pytest.fixture
def worker_env(sim: YouTubeSimulator, database_url: str, namespace: str, tmp_path: Path) -> dict[str, str]:
    """Environment of a worker process: this run's database, Redis namespace and simulator."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "QUEUE_NAMESPACE": namespace,
        "YOUTUBE_DATA_API_URL": sim.data_api_url,
        "YOUTUBE_CONTENT_ID_URL": sim.content_id_url,
        "YOUTUBE_API_KEY": "test-key",
        "YOUTUBE_ACCESS_TOKEN": "test-token",
        "YOUTUBE_CONTENT_OWNER_ID": OWNER,
        "YOUTUBE_TIMEOUT_S": "10",
        "QUEUE_SCHEDULER_INTERVAL_S": "0.5",
        "REPORT_SCAN_INTERVAL_S": "3600",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: the start-up scan fails fast
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "INFO",
    }


@contextmanager
def running_worker(
    env: dict[str, str], log: Path, processes: int = 1, threads: int = 4
) -> Iterator[subprocess.Popen]:
    """`python -m workers.main` in its own process group; stopped (SIGTERM, then SIGKILL) at the end."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workers.main", "--processes", str(processes), "--threads", str(threads)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(check: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> object:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def count(session: Session, *where: object) -> int:
    session.expire_all()
    value = session.execute(select(func.count()).select_from(ProcessingQueue).where(*where)).scalar_one()
    session.commit()  # polling must not keep a transaction open
    return value


def one_sync_task(session: Session, sim: YouTubeSimulator) -> tuple[str, ProcessingQueue]:
    """One seeded video and its pending metadata_sync task (committed)."""
    (video_id,) = seed(session, sim, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    return video_id, task


def seed(session: Session, sim: YouTubeSimulator, count_: int, prefix: str = "w") -> list[str]:
    ids = [f"{prefix}{n:0{11 - len(prefix)}d}" for n in range(count_)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title, views, asset_id) "
            "SELECT id, 'Old', 0, 'A' || id FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids},
    )
    session.commit()
    for n, video_id in enumerate(ids):
        sim.add_video(
            video_id, title=f"New {n}", channel_id="UCworkerchannel0000001", channel_title="W", views=n + 1
        )
    return ids


# -- end to end -------------------------------------------------------------------------------------------


def test_workers_run_every_task_type_and_stop_cleanly(
    session: Session, sim: YouTubeSimulator, actors: ModuleType, worker_env: dict[str, str], tmp_path: Path
) -> None:
    ids = seed(session, sim, 300)
    for video_id in ids[:20]:
        sim.add_claim(video_id, f"A{video_id}", "active", "Monetize in all countries")
        sim.add_asset(f"A{video_id}", isrc="USABC2400001", label="Label")
    queue.enqueue_many(session, ids, "metadata_sync")
    queue.enqueue_many(session, ids[:20], "ownership_update")
    queue.enqueue_many(session, ids[:20], "asset_enrichment")
    session.commit()
    for task_type in ("metadata_sync", "ownership_update", "asset_enrichment"):
        assert actors.wake(task_type)
    assert not actors.wake("metadata_sync")  # one waiting message per type is enough
    log = tmp_path / "worker.log"

    with running_worker(worker_env, log, processes=2, threads=2) as proc:
        wait_until(lambda: count(session, ProcessingQueue.status == "completed") == 340, 90, "all tasks", log)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

    assert all(len(call.params["id"].split(",")) <= 50 for call in sim.calls_to("/videos"))
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == ids[3])).scalar_one()
    assert (video.title, video.claimed_status, video.isrc, video.label) == (
        "New 3",
        "active",
        "USABC2400001",
        "Label",
    )
    assert count(session, ProcessingQueue.status != "completed") == 0


def test_a_high_priority_task_overtakes_a_backlog_within_a_second(
    session: Session, sim: YouTubeSimulator, actors: ModuleType, worker_env: dict[str, str], tmp_path: Path
) -> None:
    ids = seed(session, sim, 4001)
    backlog, urgent_video = ids[:4000], ids[4000]
    queue.enqueue_many(session, backlog, "metadata_sync")
    session.commit()
    sim.set_latency(0.03)
    log = tmp_path / "worker.log"

    with running_worker(worker_env, log, processes=1, threads=4) as proc:
        actors.wake("metadata_sync")
        wait_until(
            lambda: count(session, ProcessingQueue.status == "completed") >= 200, 60, "backlog start", log
        )
        urgent, _ = queue.enqueue(session, urgent_video, "metadata_sync", priority=10)
        session.commit()
        actors.wake("metadata_sync")
        wait_until(
            lambda: count(session, ProcessingQueue.id == urgent.id, ProcessingQueue.status == "completed"),
            10,
            "the urgent task",
            log,
        )
        still_pending = count(session, ProcessingQueue.status == "pending")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

    session.expire_all()
    stored = session.get(ProcessingQueue, urgent.id)
    assert (stored.started_at - stored.created_at).total_seconds() < 1.0
    assert still_pending > 1000  # it did not wait for the backlog
    # A clean stop finishes the batches in hand: nothing is left processing.
    assert count(session, ProcessingQueue.status == "processing") == 0


def test_a_wake_up_lost_with_a_vanished_worker_does_not_hold_its_recovered_tasks_back(
    session: Session, sim: YouTubeSimulator, actors: ModuleType, worker_env: dict[str, str], tmp_path: Path
) -> None:
    _, task = one_sync_task(session, sim)
    # A worker claimed the task and vanished, with the wake-up message it had taken ahead: the flag that
    # says "a message is waiting" stays set for a minute, and no message is waiting.
    session.execute(
        update(ProcessingQueue)
        .where(ProcessingQueue.id == task.id)
        .values(
            status="processing",
            worker_id="vanished",
            lease_expires_at=datetime.now(UTC) - timedelta(seconds=1),
        )
    )
    session.commit()
    assert actors.wake("metadata_sync", force=True)
    client = actors.redis_client()
    for key in client.scan_iter(f"{get_settings().queue_namespace}:dramatiq:{actors.TASKS_QUEUE}*"):
        client.delete(key)  # the message went with the worker
    log = tmp_path / "worker.log"

    with running_worker(worker_env, log, processes=1, threads=1):
        wait_until(
            lambda: count(session, ProcessingQueue.id == task.id, ProcessingQueue.status == "completed"),
            20,  # well within the flag's minute
            "the recovered task",
            log,
        )


def test_kill_9_mid_task_loses_nothing_and_history_is_written_once(
    session: Session, sim: YouTubeSimulator, actors: ModuleType, worker_env: dict[str, str], tmp_path: Path
) -> None:
    video_id, task = one_sync_task(session, sim)
    env = {**worker_env, "QUEUE_LEASE_S": "2"}
    sim.set_latency(4.0)  # the worker is inside the videos.list call when it dies
    log = tmp_path / "worker.log"

    with running_worker(env, log, processes=1, threads=1) as proc:
        actors.wake("metadata_sync")
        wait_until(lambda: sim.calls_to("/videos"), 30, "the worker's API call", log)
        assert count(session, ProcessingQueue.status == "processing") == 1
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    session.expire_all()
    assert session.get(ProcessingQueue, task.id).status == "processing"
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 0
    sim.set_latency(0)

    with running_worker(env, log, processes=1, threads=1):
        # Its scheduler finds the expired lease, puts the task back and wakes a thread for it.
        wait_until(
            lambda: count(session, ProcessingQueue.id == task.id, ProcessingQueue.status == "completed"),
            30,
            "the recovered task",
            log,
        )

    session.expire_all()
    stored = session.get(ProcessingQueue, task.id)
    assert (stored.retry_count, stored.attempts) == (1, 2)
    assert "lease expired" in stored.error_message
    change_sets = session.execute(select(ChangeSet).where(ChangeSet.task_id == task.id)).scalars().all()
    assert len(change_sets) == 1
    entries = session.execute(select(MetadataSync).where(MetadataSync.video_id == video_id)).scalars().all()
    assert len(entries) == 1 and entries[0].change_set_id == change_sets[0].id
    assert entries[0].changes["title"] == ["Old", "New 0"]


def worker_children(supervisor: int) -> list[int]:
    """Pids of the worker processes a supervisor spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_the_supervisor_replaces_a_worker_process_that_dies(
    session: Session, sim: YouTubeSimulator, actors: ModuleType, worker_env: dict[str, str], tmp_path: Path
) -> None:
    (video_id,) = seed(session, sim, 1)
    log = tmp_path / "worker.log"

    with running_worker(worker_env, log, processes=1, threads=1) as proc:
        (first,) = wait_until(lambda: worker_children(proc.pid), 30, "the worker process", log)
        os.kill(first, signal.SIGKILL)
        (second,) = wait_until(
            lambda: [pid for pid in worker_children(proc.pid) if pid != first],
            30,
            "a new worker process",
            log,
        )
        task, _ = queue.enqueue(session, video_id, "metadata_sync")
        session.commit()
        actors.wake("metadata_sync")
        wait_until(
            lambda: count(session, ProcessingQueue.id == task.id, ProcessingQueue.status == "completed"),
            30,
            "the task, run by the new process",
            log,
        )
        assert proc.poll() is None and second != first
    assert "starting a new one" in log.read_text()


# -- rate limits, no-Redis mode, reports ------------------------------------------------------------------


def test_the_redis_rate_limit_holds_across_processes(namespace: str, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import time
        from catalog_ui.services.rate_limit import acquire
        for _ in range(20):
            acquire("data_api")
        print(time.time())
        """
    )
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "QUEUE_NAMESPACE": namespace,
        "YOUTUBE_DATA_API_CALLS_PER_S": "10",
        "PYTHONPATH": str(ROOT),
    }
    started = time.time()
    procs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    finished = [float(proc.communicate(timeout=30)[0]) for proc in procs]

    # 40 calls at 10 a second with 10 of burst: about 3 s in all. Separate buckets would take about 1 s.
    assert 2.6 <= max(finished) - started <= 6


def test_without_redis_tasks_run_in_process(
    session: Session, sim: YouTubeSimulator, worker_env: dict[str, str]
) -> None:
    video_id, task = one_sync_task(session, sim)
    script = textwrap.dedent(
        f"""
        import time
        from catalog_ui.db import session_scope
        from catalog_ui.models import ProcessingQueue
        from workers.broker import setup_broker, start_in_process_worker, stop_in_process_worker
        from workers.actors import wake
        assert type(setup_broker()).__name__ == "StubBroker"
        start_in_process_worker(threads=2)
        wake("metadata_sync")
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != "completed":
            time.sleep(0.05)
            with session_scope() as session:
                status = session.get(ProcessingQueue, {task.id}).status
        stop_in_process_worker()
        print(status)
        """
    )
    env = {k: v for k, v in worker_env.items() if k != "REDIS_URL"}

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "completed"
    assert session.execute(select(Video.title).where(Video.video_id == video_id)).scalar_one() == "New 0"


def test_the_scan_actor_registers_and_ingests_new_reports(
    session: Session, actors: ModuleType, namespace: str, worker_env: dict[str, str], tmp_path: Path
) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    from catalog_ui.services.demo_data import iter_day_one, write_report

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        s3.create_bucket(Bucket="catalog-reports")
        report = tmp_path / "cms_videos_2026-01-02.csv.gz"
        rows = write_report(report, iter_day_one(25, seed=7))
        s3.upload_file(str(report), "catalog-reports", f"reports/{report.name}")
        env = {
            **worker_env,
            "S3_ENDPOINT_URL": endpoint,
            "S3_BUCKET": "catalog-reports",
            "S3_PREFIX": "reports/",
        }
        log = tmp_path / "worker.log"
        # Earlier workers of this run scanned already; this one starts as a fresh deployment would.
        redis.Redis.from_url(REDIS_URL).delete(f"{namespace}:flag:scan_reports")

        with running_worker(env, log, processes=1, threads=2):
            # The scheduler scans once at start-up; a second request within the interval is not sent.
            wait_until(
                lambda: session.execute(select(Report.status)).scalars().all() == ["completed"],
                60,
                "the report's ingestion",
                log,
            )
            assert not actors.request_scan()
    finally:
        server.stop()

    session.expire_all()
    assert session.execute(select(func.count()).select_from(Video)).scalar_one() == rows


def test_a_scan_is_not_requested_again_while_one_is_queued_or_running(
    session: Session, actors: ModuleType, namespace: str, s3_bucket: str
) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    interval_flag = f"{namespace}:flag:scan_reports"
    scans = f"{namespace}:dramatiq:{actors.REPORTS_QUEUE}.msgs"
    client.delete(interval_flag, *client.scan_iter(f"{interval_flag}*"))  # a fresh deployment's flags
    try:
        assert actors.request_scan()
        client.delete(interval_flag)  # the interval has passed, but the scan is still waiting in the queue
        assert not actors.request_scan()
        assert client.hlen(scans) == 1

        actors.scan_reports_actor()  # the scan runs (here, in this process) and ends
        client.delete(interval_flag)
        assert actors.request_scan()
        assert client.hlen(scans) == 2
    finally:
        actors.scan_reports_actor.broker.flush(actors.REPORTS_QUEUE)


def test_sync_tasks_keep_running_while_s3_does_not_answer(
    session: Session,
    sim: YouTubeSimulator,
    actors: ModuleType,
    namespace: str,
    worker_env: dict[str, str],
    s3_endpoint: S3Endpoint,
    s3_bucket: str,
    tmp_path: Path,
) -> None:
    # Scans of a hung bucket used to pile up, one per interval, and take every thread of the worker.
    client = redis.Redis.from_url(REDIS_URL)
    interval_flag = f"{namespace}:flag:scan_reports"
    client.delete(interval_flag, *client.scan_iter(f"{interval_flag}*"))  # a fresh deployment's flags
    log = tmp_path / "worker.log"
    with stalling_proxy(s3_endpoint) as proxy:
        proxy.stall()
        env = {
            **worker_env,
            **s3_endpoint.environment(s3_bucket),
            "S3_ENDPOINT_URL": proxy.url,
            "S3_TIMEOUT_S": "60",  # as long as boto3's default: the first try hangs for the whole test
            "REPORT_SCAN_INTERVAL_S": "5",
        }
        with running_worker(env, log, processes=1, threads=2):
            wait_until(lambda: proxy.connections, 30, "the first scan", log)
            ttls: list[int] = []

            def scan_requested_again() -> bool:
                ttls.append(client.pttl(interval_flag))
                return len(ttls) > 1 and ttls[-1] > ttls[-2]

            wait_until(scan_requested_again, 30, "the next scan interval", log)
            ids = seed(session, sim, 5)
            queue.enqueue_many(session, ids, "metadata_sync")
            session.commit()
            actors.wake("metadata_sync")
            wait_until(
                lambda: count(session, ProcessingQueue.status == "completed") == 5, 15, "the sync tasks", log
            )
            assert proxy.connections == 1  # the scan S3 keeps waiting is the only one
            proxy.close()  # the hung scan fails at once and the worker stops without waiting for it


def test_a_report_stopped_at_the_time_limit_ends_in_error_not_restarted(
    session: Session, actors: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dramatiq.middleware.time_limit import TimeLimitExceeded

    from catalog_ui.services import reports

    path = tmp_path / "cms_videos_2026-03-01.csv"
    path.write_text("video_id,views\nvidAlpha001,1\n")
    report, _ = reports.register_path(session, path)
    session.commit()

    def runs_out_of_time(report_id: int, **_: object) -> None:
        session.execute(update(Report).where(Report.id == report_id).values(status="processing"))
        session.commit()
        raise TimeLimitExceeded()

    monkeypatch.setattr(actors, "ingest_report", runs_out_of_time)
    with pytest.raises(TimeLimitExceeded):
        actors.ingest_report_actor.fn(report.id)

    session.expire_all()
    stopped = session.get(Report, report.id)
    assert stopped.status == "error"
    assert stopped.error_message.startswith("Ingestion was stopped after 6 hours, the workers' time limit")
    assert reports.recover_interrupted(session) == []  # not taken for a dead worker's


def test_a_sigterm_stops_a_report_at_once_back_to_pending_uncounted(
    engine: Engine,
    session: Session,
    actors: ModuleType,
    namespace: str,
    worker_env: dict[str, str],
    tmp_path: Path,
) -> None:
    # A deploy (SIGTERM, then SIGKILL a grace period later) used to wait for the ingestion to end, or count
    # an interruption: three deploys during one long report failed it.
    from catalog_ui.services import reports
    from catalog_ui.services.demo_data import iter_day_one, write_report
    from catalog_ui.services.ingest import MERGE_LOCK_KEY

    path = tmp_path / "cms_videos_2026-03-04.csv.gz"
    rows = write_report(path, iter_day_one(5_000, seed=11))
    report, _ = reports.register_path(session, path)
    session.commit()
    log = tmp_path / "worker.log"
    with engine.connect() as holder:
        # Another report's merge holds the catalog: this one is read, then still running (waiting for its
        # turn, a statement in flight on the server) whatever the machine's speed.
        holder.begin()
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        try:
            with running_worker(worker_env, log, processes=1, threads=2) as proc:
                actors.ingest_report_actor.send(report.id)

                def read_whole() -> bool:
                    session.expire_all()
                    stored = session.get(Report, report.id)
                    session.commit()
                    return stored.status == "processing" and stored.rows_read == rows

                wait_until(read_whole, 180, "the report to be read", log)  # a loaded machine starts slowly
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=30) == 0, log.read_text()[-3000:]
        finally:
            holder.rollback()

    session.expire_all()
    stopped = session.get(Report, report.id)
    assert stopped.status == "pending"
    assert stopped.error_message == (
        f"The worker was stopped (restart or deploy) after {rows:,} rows; the report starts again from the "
        "beginning."
    )
    assert stopped.interruptions == 0
    for model in (Video, MetadataSync, ChangeSet):
        assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    session.commit()

    # The next worker's start-up scan sends the pending report again, and it completes.
    client = redis.Redis.from_url(REDIS_URL)
    flags = list(client.scan_iter(f"{namespace}:flag:scan_reports*"))  # none, as at a fresh deployment
    if flags:
        client.delete(*flags)
    with running_worker(worker_env, log, processes=1, threads=2):

        def completed() -> bool:
            session.expire_all()
            status = session.get(Report, report.id).status
            session.commit()
            return status == "completed"

        wait_until(completed, 120, "the report's ingestion by the next worker", log)
    session.expire_all()
    done = session.get(Report, report.id)
    assert (done.rows_inserted, done.interruptions, done.error_message) == (rows, 0, None)
