"""Report ingestion benchmark: the pipeline against a raw COPY of the same file, on a generated catalog.

Run by hand (it takes minutes at the default size):

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--reports-dir DIR] [--keep]

In a database of its own it measures, for a demo CMS Videos report of `--rows` videos:
1. the floor: a raw `COPY` of the gzip file's CSV into an unlogged table of text columns (the median of
   COPY_RUNS runs);
2. the first load of day one into an empty catalog (and, as a reference measured at the end, `typed COPY`:
   its rows, typed as `video` stores them, COPYed into a logged table like `video` without indexes, keys or
   triggers: what the server must do to store them at all, before any index or history entry);
3. the next-day delta (views changed on ~30%, other fields on ~2%, ~1% new videos);
4. a re-ingest of the unchanged next-day file.
Between two ingestions the database gets the VACUUM ANALYZE and the checkpoint that the server gives it
by itself in the day between two reports (timed apart, not counted).
Each ingestion runs in a fresh worker process, whose peak RSS is recorded, with the machine's busy
CPU-seconds meanwhile (every process, PostgreSQL's included: on N cores no step can be faster than that
divided by N). It prints a table, then a last line
`RESULT rows=… copy_s=… first_load_x=… delta_x=… unchanged_x=… peak_rss_mb=…`, the `_x` being ratios
to `copy_s`. Targets: first load and delta ≤ 8×, unchanged ≤ 3×, peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the repository
    sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS = {"first load": 8.0, "delta": 8.0, "unchanged": 3.0}
RSS_TARGET_MB = 300
COPY_RUNS = 3  # raw COPYs measured; their median is the floor


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg2://", "postgresql://")


def create_database(server_url: str) -> str:
    """Create and migrate a database for this run; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from catalog_ui import migrations
    from catalog_ui.db import normalize_url

    server = make_url(normalize_url(server_url))
    name = f"catalog_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    return url


def drop_database(url: str) -> None:
    """Drop the run's database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": target.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    admin.dispose()


def demo_reports(rows: int, folder: Path) -> tuple[Path, Path]:
    """The day-one and next-day reports for `rows` videos in `folder`, written when missing."""
    from catalog_ui.services.demo_data import DAY_ONE, NEXT_DAY, write_demo_reports

    folder = folder / f"rows-{rows}"
    day_one = folder / f"cms_videos_{DAY_ONE}.csv.gz"
    next_day = folder / f"cms_videos_{NEXT_DAY}.csv.gz"
    if not (day_one.exists() and next_day.exists()):
        started = time.perf_counter()
        print(f"writing demo reports of {rows:,} videos to {folder} …", flush=True)
        write_demo_reports(folder, videos=rows, seed=1)
        print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)
    return day_one, next_day


def raw_copy_seconds(url: str, path: Path) -> float:
    """Seconds to COPY the file's CSV (decompressed on the fly) into an unlogged table of text columns."""
    import psycopg2

    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        header = file.readline().strip().split(",")
    connection = psycopg2.connect(_psycopg_url(url))
    try:
        with connection.cursor() as cur:
            columns = ", ".join(f'"{name}" text' for name in header)
            cur.execute(f"CREATE UNLOGGED TABLE raw_copy ({columns})")
            connection.commit()
            started = time.perf_counter()
            with gzip.open(path, "rb") as file:
                cur.copy_expert("COPY raw_copy FROM STDIN (FORMAT csv, HEADER true)", file, size=1 << 20)
            connection.commit()
            elapsed = time.perf_counter() - started
            cur.execute("DROP TABLE raw_copy")
            connection.commit()
    finally:
        connection.close()
    return elapsed


def typed_copy_seconds(url: str) -> tuple[float, int]:
    """Seconds to COPY the catalog's videos, typed as it stores them, into a logged copy of `video` without
    indexes, keys or triggers, and their number: what writing a first load's rows costs the server before
    any index, history entry or normalization (the rows are exported first, untimed)."""
    import psycopg2

    connection = psycopg2.connect(_psycopg_url(url))
    try:
        with connection.cursor() as cur, tempfile.TemporaryFile() as rows:
            cur.execute(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                "WHERE attrelid = 'video'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'id'"
            )
            columns = cur.fetchone()[0]
            cur.copy_expert(f"COPY (SELECT {columns} FROM video ORDER BY id) TO STDOUT", rows)
            rows.seek(0)
            cur.execute("CREATE TABLE typed_copy (LIKE video INCLUDING DEFAULTS)")
            connection.commit()
            started = time.perf_counter()
            cur.copy_expert(f"COPY typed_copy ({columns}) FROM STDIN", rows, size=1 << 20)
            connection.commit()
            elapsed = time.perf_counter() - started
            copied = cur.rowcount
            cur.execute("DROP TABLE typed_copy")
            connection.commit()
    finally:
        connection.close()
    return elapsed, copied


def a_day_later(url: str) -> float:
    """What the server does by itself in the day between two reports, at once: autovacuum's VACUUM ANALYZE
    (after a first load of a million rows it vacuums and analyzes the new tables, which also sets their
    rows' hint bits) and a checkpoint (one every few minutes writes the last ingestion's pages out).
    Returns its seconds. Without it the next ingestion would compete with both for the cores."""
    import psycopg2

    connection = psycopg2.connect(_psycopg_url(url))
    try:
        connection.autocommit = True
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        connection.close()


def machine_busy_seconds() -> float | None:
    """CPU-seconds the whole machine (every process, PostgreSQL's included) has been busy since boot, from
    Linux's /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def run_worker(url: str, path: Path) -> dict:
    """Register `path` and ingest it in a fresh process; returns its counts, seconds and peak RSS."""
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the worker failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def worker_main(path: str) -> int:
    """In the worker process: register and ingest one file, print one JSON line of figures."""
    from catalog_ui.db import session_scope
    from catalog_ui.services import reports
    from catalog_ui.services.ingest import ingest_report

    with session_scope() as session:
        report, _ = reports.register_path(session, path)
    busy_before = machine_busy_seconds()
    started = time.perf_counter()
    result = ingest_report(report.id)
    elapsed = time.perf_counter() - started
    busy_after = machine_busy_seconds()
    if result is None or result.status != "completed":
        print(f"ingestion did not complete: {result}", file=sys.stderr)
        return 1
    figures = {
        "seconds": elapsed,
        # the machine's CPU time meanwhile: the ingestion's work on every core (other load would count too)
        "cpu_s": None if busy_before is None or busy_after is None else busy_after - busy_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows_read": result.rows_read,
        "inserted": result.rows_inserted,
        "updated": result.rows_updated,
        "unchanged": result.rows_unchanged,
        "rejected": result.rows_rejected,
        "phases": {name: round(seconds, 2) for name, seconds in result.timings.items()},
    }
    print(json.dumps(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table and the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="videos in the generated report")
    parser.add_argument(
        "--reports-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "catalog-bench-reports",
        help="where the generated reports are kept between runs",
    )
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main(args.worker)

    day_one, next_day = demo_reports(args.rows, args.reports_dir)
    # The unchanged re-ingest needs a second report object for the same bytes: a hard link, another name.
    again = next_day.with_name(next_day.name.replace(".csv.gz", "-again.csv.gz"))
    again.unlink(missing_ok=True)
    os.link(next_day, again)

    url = create_database(args.server)
    runs: list[tuple[str, dict]] = []
    try:
        # The floor of every ratio, so the median of a few runs: one slow or fast COPY would skew them all.
        copies = [raw_copy_seconds(url, day_one) for _ in range(COPY_RUNS)]
        copy_s = statistics.median(copies)
        print(f"raw COPY: {copy_s:.2f} s (median of {', '.join(f'{c:.2f}' for c in copies)})", flush=True)
        for name, path in (("first load", day_one), ("delta", next_day), ("unchanged", again)):
            if runs:
                print(f"  a day later: VACUUM ANALYZE, CHECKPOINT: {a_day_later(url):.1f} s (not counted)")
            runs.append((name, run_worker(url, path)))
            print(f"{name}: {runs[-1][1]['seconds']:.2f} s  {runs[-1][1]['phases']}", flush=True)
        typed_s, typed_rows = typed_copy_seconds(url)
    finally:
        if not args.keep:
            drop_database(url)
        again.unlink(missing_ok=True)

    header = f"{'step':<11} {'seconds':>8} {'× COPY':>7} {'target':>7} {'rows/s':>10} {'new':>9} {'updated':>9} {'unchanged':>10} {'RSS MB':>7} {'CPU s':>7}"
    print()
    print(header)
    print("-" * len(header))
    print(f"{'raw COPY':<11} {copy_s:>8.2f} {1.0:>7.2f} {'':>7} {args.rows / copy_s:>10,.0f}")
    print(
        f"{'typed COPY':<11} {typed_s:>8.2f} {typed_s / copy_s:>7.2f} {'':>7} {typed_rows / typed_s:>10,.0f}"
    )
    for name, run in runs:
        ratio = run["seconds"] / copy_s
        print(
            f"{name:<11} {run['seconds']:>8.2f} {ratio:>7.2f} {'≤' + str(TARGETS[name]):>7} "
            f"{run['rows_read'] / run['seconds']:>10,.0f} {run['inserted']:>9,} {run['updated']:>9,} "
            f"{run['unchanged']:>10,} {run['peak_rss_mb']:>7.0f} {_cpu(run):>7}"
        )
    cores = os.cpu_count() or 1
    print(
        f"CPU s: the machine's busy CPU-seconds during the step (all processes); on its {cores} cores no "
        f"step can take less than CPU s / {cores}."
    )
    print(
        "typed COPY: the catalog's videos at the end, typed as the catalog stores them, into a logged `video` without "
        "indexes, keys or triggers (the server's share of any first load, before indexes and history)."
    )
    print()
    for name, run in runs:
        phases = ", ".join(f"{phase} {seconds:.2f}s" for phase, seconds in run["phases"].items())
        print(f"{name} phases: {phases}")
    peak = max(run["peak_rss_mb"] for _, run in runs)
    ratios = {name: run["seconds"] / copy_s for name, run in runs}
    print(
        f"RESULT rows={args.rows} copy_s={copy_s:.2f} first_load_x={ratios['first load']:.2f} "
        f"delta_x={ratios['delta']:.2f} unchanged_x={ratios['unchanged']:.2f} peak_rss_mb={peak:.0f}"
    )
    return 0


def _cpu(run: dict) -> str:
    return "" if run.get("cpu_s") is None else f"{run['cpu_s']:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
