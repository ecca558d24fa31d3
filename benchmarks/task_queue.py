"""Queue benchmark (run by hand): `python -m benchmarks.task_queue [--tasks 10000] [--enqueue 100000]`.

Creates and drops its own database; uses Redis (REDIS_URL, default redis://127.0.0.1:6379/0) under a key
prefix of its own, and the YouTube simulator over loopback HTTP. Measures:
1. enqueue: one set-based request queueing a task for each of 100,000 videos (a catalog filter);
2. retry: the Queue page's "Retry failed" on 100,000 failed tasks (one in a hundred of their videos has
   a task of that type queued again, which it skips), committed;
3. throughput: metadata_sync tasks through to `completed` by `run_worker()` with its default settings
   (1 process × 4 threads, the default API rate limits) against the simulator;
4. pickup: how long a new high-priority task waits while that backlog runs (created_at → started_at).
Prints a table, then `RESULT enqueue_100k_s=… retry_failed_100k_s=… tasks_per_s=… p95_pickup_ms=…`.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
TARGETS = {"enqueue_100k_s": 10.0, "tasks_per_s": 200.0, "p95_pickup_ms": 1000.0}
PROBES = 20
PROBE_EVERY_S = 0.25


def video_id(n: int) -> str:
    """The 11-character id of benchmark video `n`."""
    return f"bm{n:09d}"


def create_database(server: str, name: str | None = None) -> tuple[str, Engine]:
    """Create the scratch database `name` (a fresh catalog_bench_… when None); return its URL and an admin
    engine on the server."""
    from catalog_ui.db import normalize_url

    admin = create_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    name = name or f"catalog_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(server)).set(database=name).render_as_string(hide_password=False)
    return url, admin


def drop_database(admin: Engine, url: str) -> None:
    """Drop the scratch database (ending its connections first)."""
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@contextmanager
def scratch_catalog(server: str, name: str | None = None) -> Iterator[Engine]:
    """A migrated scratch database as the app's DATABASE_URL (its settings and engine read it), dropped at
    the end; yields the app's engine on it."""
    url, admin = create_database(server, name)
    os.environ["DATABASE_URL"] = url
    from catalog_ui import migrations
    from catalog_ui.db import get_engine
    from catalog_ui.settings import get_settings

    get_settings.cache_clear()
    try:
        migrations.upgrade(url)
        engine = get_engine()
        yield engine
        engine.dispose()
    finally:
        drop_database(admin, url)


def seed_videos(engine: Engine, count: int) -> None:
    """`count` videos with stale titles and views (the simulator holds newer ones)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO video (video_id, title, views, privacy_status) "
                "SELECT 'bm' || lpad(g::text, 9, '0'), 'Old ' || g, g, 'public' FROM generate_series(0, :n - 1) g"
            ),
            {"n": count},
        )
        conn.execute(text("ANALYZE video"))


def bench_enqueue(engine: Engine, count: int) -> float:
    """Seconds to queue `count` metadata_sync tasks in one request (a SELECT over the catalog)."""
    from sqlmodel import Session

    from catalog_ui.models import Video
    from catalog_ui.services import queue

    started = time.perf_counter()
    with Session(engine) as session:
        created, existing = queue.enqueue_many(session, select(Video.video_id), "metadata_sync", priority=0)
        session.commit()
    elapsed = time.perf_counter() - started
    assert (created, existing) == (count, 0), (created, existing)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE processing_queue CASCADE"))
    return elapsed


def bench_retry_failed(engine: Engine, count: int) -> float:
    """Seconds for "Retry failed" on `count` failed tasks (1% of their videos have an active one), committed."""
    from sqlmodel import Session

    from catalog_ui.services import queue

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO processing_queue (video_id, task_type, status, retry_count, error_message, "
                "completed_at) SELECT video_id, 'metadata_sync', 'failed', 5, 'HTTP 500', now() "
                "FROM video ORDER BY video_id LIMIT :n"
            ),
            {"n": count},
        )
        conn.execute(
            text(
                "INSERT INTO processing_queue (video_id, task_type) SELECT video_id, 'metadata_sync' "
                "FROM video ORDER BY video_id LIMIT :n / 100"
            ),
            {"n": count},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE processing_queue"))
    started = time.perf_counter()
    with Session(engine) as session:
        retried = queue.retry_failed(session)
        session.commit()
    elapsed = time.perf_counter() - started
    assert retried == count - count // 100, retried
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE processing_queue CASCADE"))
    return elapsed


def wait_for(engine: Engine, sql: str, expected: int, timeout_s: float) -> None:
    """Poll `sql` (a count) until it reaches `expected`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(text(sql)).scalar_one() >= expected:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{sql} did not reach {expected} within {timeout_s} s")


def bench_throughput(
    engine: Engine, tasks: int, env: dict[str, str]
) -> tuple[float, list[float], dict[str, int]]:
    """Run the backlog through a real worker; returns (tasks/s, pickup latencies in ms, final counts)."""
    from sqlmodel import Session

    from catalog_ui.services import queue
    from workers import actors

    worker = subprocess.Popen(
        [sys.executable, "-m", "workers.main"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        # Warm-up: the worker is up and connected once a first task completes.
        with Session(engine) as session:
            queue.enqueue(session, video_id(tasks + PROBES), "metadata_sync")
            session.commit()
        actors.wake("metadata_sync")
        wait_for(engine, "SELECT count(*) FROM processing_queue WHERE status = 'completed'", 1, 60)

        with Session(engine) as session:
            queue.enqueue_many(session, [video_id(n) for n in range(tasks)], "metadata_sync")
            session.commit()
        started = time.perf_counter()
        actors.wake("metadata_sync")
        probe_ids = []
        time.sleep(1.0)  # let the backlog get going
        for n in range(PROBES):
            with Session(engine) as session:
                task, _ = queue.enqueue(session, video_id(tasks + n), "metadata_sync", priority=10)
                session.commit()
                probe_ids.append(task.id)
            actors.wake("metadata_sync")
            time.sleep(PROBE_EVERY_S)
        total = tasks + PROBES + 1
        wait_for(
            engine,
            "SELECT count(*) FROM processing_queue WHERE status IN ('completed', 'failed')",
            total,
            600,
        )
        elapsed = time.perf_counter() - started
        with engine.connect() as conn:
            # The backlog and the probes, from the first claim to the last completion (not the warm-up).
            done, span = conn.execute(
                text(
                    "SELECT count(*), extract(epoch FROM max(completed_at) - min(started_at)) "
                    "FROM processing_queue WHERE status = 'completed' AND video_id <> :warm"
                ),
                {"warm": video_id(tasks + PROBES)},
            ).one()
            pickups = (
                conn.execute(
                    text(
                        "SELECT extract(epoch FROM started_at - created_at) * 1000 FROM processing_queue "
                        "WHERE id = ANY(:ids)"
                    ),
                    {"ids": probe_ids},
                )
                .scalars()
                .all()
            )
            counts = dict(
                conn.execute(text("SELECT status, count(*) FROM processing_queue GROUP BY status")).all()
            )
        print(
            f"# {done} tasks; wall time from the wake-up to the last completion {elapsed:.1f} s, "
            f"from the first claim {float(span):.1f} s; load average {os.getloadavg()[0]:.1f}"
        )
        return done / float(span), [float(p) for p in pickups], counts
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print the table and the RESULT line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.task_queue", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--enqueue", type=int, default=100_000, help="tasks queued in one request (100000)")
    parser.add_argument(
        "--tasks", type=int, default=10_000, help="metadata_sync tasks run to completion (10000)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from tests.simulators.youtube import YouTubeSimulator

    url, admin = create_database(os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    simulator = YouTubeSimulator()
    for n in range(args.tasks + PROBES + 1):
        simulator.add_video(
            video_id(n),
            title=f"Song {n}",
            channel_id=f"UCbench{n % 40:015d}",
            channel_title=f"Channel {n % 40}",
            views=10 * n + 7,
            duration=180,
        )
    simulator.start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "QUEUE_NAMESPACE": namespace,
        "YOUTUBE_DATA_API_URL": simulator.data_api_url,
        "YOUTUBE_CONTENT_ID_URL": simulator.content_id_url,
        "YOUTUBE_API_KEY": "bench-key",
        "YOUTUBE_ACCESS_TOKEN": "bench-token",
        "YOUTUBE_CONTENT_OWNER_ID": "bench-owner",
        "LOG_LEVEL": "ERROR",
        "REPORT_SCAN_INTERVAL_S": "86400",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",  # no bucket here: the start-up scan fails at once, quietly
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    from catalog_ui import migrations
    from catalog_ui.db import get_engine
    from catalog_ui.settings import get_settings

    get_settings.cache_clear()
    try:
        migrations.upgrade(url)
        engine = get_engine()
        seed_videos(engine, max(args.enqueue, args.tasks + PROBES + 1))
        enqueue_s = bench_enqueue(engine, max(args.enqueue, args.tasks + PROBES + 1))
        retry_s = bench_retry_failed(engine, max(args.enqueue, args.tasks + PROBES + 1))
        tasks_per_s, pickups, counts = bench_throughput(engine, args.tasks, env)
    finally:
        simulator.stop()
        from catalog_ui.db import get_engine as engine_of

        engine_of().dispose()
        drop_database(admin, url)
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{namespace}:*"))
        if keys:
            client.delete(*keys)

    p95 = statistics.quantiles(pickups, n=20)[-1] if len(pickups) >= 2 else pickups[0]
    rows = [
        (
            "enqueue_100k_s",
            f"{enqueue_s:.2f}",
            f"<= {TARGETS['enqueue_100k_s']:g}",
            enqueue_s <= TARGETS["enqueue_100k_s"],
        ),
        ("retry_failed_100k_s", f"{retry_s:.2f}", "", True),
        (
            "tasks_per_s",
            f"{tasks_per_s:.0f}",
            f">= {TARGETS['tasks_per_s']:g}",
            tasks_per_s >= TARGETS["tasks_per_s"],
        ),
        ("p95_pickup_ms", f"{p95:.0f}", f"<= {TARGETS['p95_pickup_ms']:g}", p95 <= TARGETS["p95_pickup_ms"]),
        ("max_pickup_ms", f"{max(pickups):.0f}", "", True),
        ("median_pickup_ms", f"{statistics.median(pickups):.0f}", "", True),
    ]
    print(f"{'metric':<20} {'value':>10} {'target':>10}  ok")
    for name, value, target, ok in rows:
        print(f"{name:<20} {value:>10} {target:>10}  {'yes' if ok else 'NO'}")
    print(f"# final task counts: {counts}")
    print(
        f"RESULT enqueue_100k_s={enqueue_s:.2f} retry_failed_100k_s={retry_s:.2f} "
        f"tasks_per_s={tasks_per_s:.0f} p95_pickup_ms={p95:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
