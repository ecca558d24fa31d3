"""History pages benchmark (run by hand): `python -m benchmarks.history_pages [--videos 200000]`.

Creates and drops its own database (a fresh `catalog_bench_…`, or the name `--database` gives). Fills it
with `--videos` videos (5% hidden), one report-sized change set touching every video, 20,000 small task
change sets of two videos each, and one video with 5,000 entries (each its own change set). Then times,
as a plain user (hidden videos left out) and as an admin, what the audit page and the video page's
History tab ask for: the change-set list (first and 50th page), one change set (first, 10th and 500th
page of its videos) and a video's timeline (first, 90th and last page), and, as an admin only, the
rollback preview of the report-sized change set (its counts, fingerprint and first page of conflicts:
every entry is one, as the videos changed since) and its next page of conflicts (`conflict_page` on the
preview's keys; before it, each page planned the whole change set again). Prints a table, then `RESULT worst_user_ms=…
worst_admin_ms=…`; the target is each under 1,000 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 1000.0
SMALL_SETS = 20_000
LONG_HISTORY = 5_000
LONG_VIDEO = "bh000000001"

SEED = """
INSERT INTO video (video_id, title, views, hidden)
SELECT 'bh' || lpad(n::text, 9, '0'), 'Song ' || n, n, n % 20 = 0 FROM generate_series(1, :videos) n;
INSERT INTO change_set (kind, label, video_count) VALUES ('report', 'big.csv', :videos);
INSERT INTO metadata_sync (video_id, changes, change_set_id, sync_time)
SELECT 'bh' || lpad(n::text, 9, '0'), '{"views": [1, 2]}', 1, now() - interval '10 days'
FROM generate_series(1, :videos) n;
INSERT INTO change_set (kind, label, video_count)
SELECT 'task', 'metadata_sync', 2 FROM generate_series(1, :small);
INSERT INTO metadata_sync (video_id, changes, change_set_id, sync_time)
SELECT 'bh' || lpad(((n * k) % :videos + 1)::text, 9, '0'), '{"title": ["a", "b"]}', 1 + n,
       now() - interval '5 days'
FROM generate_series(1, :small) n, (VALUES (7919), (104729)) primes(k);
INSERT INTO change_set (kind, label, video_count)
SELECT 'task', 'metadata_sync', 1 FROM generate_series(1, :long);
INSERT INTO metadata_sync (video_id, changes, change_set_id, sync_time)
SELECT :long_video, '{"views": [1, 2]}', 1 + :small + n, now() - make_interval(mins => n)
FROM generate_series(1, :long) n;
"""


def seed(engine: Engine, videos: int) -> None:
    """The catalog and its history described in the module docstring, analysed."""
    with engine.begin() as conn:
        for statement in filter(str.strip, SEED.split(";")):
            conn.execute(
                text(statement),
                {"videos": videos, "small": SMALL_SETS, "long": LONG_HISTORY, "long_video": LONG_VIDEO},
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def best_ms(call: Callable[[], object], runs: int = 3) -> float:
    """The fastest of `runs` calls, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def measure(engine: Engine) -> list[tuple[str, float | None, float]]:
    """(what, user ms, admin ms) for each page read; user ms is None for what only an admin may do."""
    from sqlmodel import Session

    from catalog_ui.services import change_sets, history, rollback

    last_page = -(-LONG_HISTORY // 25)
    reads: list[tuple[str, Callable[[Session, bool], object]]] = [
        ("audit list, page 1", lambda s, a: change_sets.list_change_sets(s, include_hidden=a)),
        ("audit list, page 50", lambda s, a: change_sets.list_change_sets(s, include_hidden=a, page=50)),
        ("report change set, open", lambda s, a: change_sets.get_change_set(s, 1, include_hidden=a)),
        *(
            (
                f"report change set, videos page {page}",
                lambda s, a, page=page: change_sets.change_set_entries(
                    s, 1, include_hidden=a, page=page, per_page=20
                ),
            )
            for page in (1, 10, 500)
        ),
        *(
            (
                f"timeline of {LONG_HISTORY:,} entries, page {page}",
                lambda s, a, page=page: history.video_timeline(
                    s, LONG_VIDEO, include_hidden=a, page=page, per_page=25
                ),
            )
            for page in (1, 90, last_page)
        ),
    ]
    with Session(engine) as session:
        rows: list[tuple[str, float | None, float]] = [
            (
                label,
                best_ms(lambda read=read: read(session, False)),
                best_ms(lambda read=read: read(session, True)),
            )
            for label, read in reads
        ]

        def preview_rollback() -> None:
            rollback.preview(session, rollback.ChangeSetTarget(1))
            session.rollback()  # its temporary tables go with the transaction

        rows.append(("rollback preview, report change set", None, best_ms(preview_rollback)))

        target = rollback.ChangeSetTarget(1)
        keys = rollback.preview(session, target).conflict_keys
        session.rollback()
        per_page = rollback.CONFLICT_PAGE_SIZE

        def next_conflict_page() -> None:
            assert rollback.conflict_page(session, target, keys[per_page : 2 * per_page]) is not None
            session.rollback()

        rows.append(("rollback preview, next conflict page", None, best_ms(next_conflict_page)))
        return rows


def main(argv: list[str] | None = None) -> int:
    """Seed, measure, print the table and the RESULT line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.history_pages", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--videos", type=int, default=200_000, help="videos in the catalog (200000)")
    parser.add_argument("--database", help="name of the scratch database to create and drop")
    args = parser.parse_args(argv)
    if args.videos < 100:
        parser.error("--videos must be at least 100")

    sys.path.insert(0, str(ROOT))
    from benchmarks.task_queue import scratch_catalog

    with scratch_catalog(os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER), args.database) as engine:
        started = time.perf_counter()
        seed(engine, args.videos)
        print(f"seeded {args.videos:,} videos and their history in {time.perf_counter() - started:.1f} s")
        rows = measure(engine)

    print(f"\n{'read':42} {'user ms':>9} {'admin ms':>9}  target ≤ {TARGET_MS:,.0f} ms")
    print("-" * 75)
    for label, user_ms, admin_ms in rows:
        print(f"{label:42} {'—' if user_ms is None else f'{user_ms:.1f}':>9} {admin_ms:9.1f}")
    worst_user = max(r[1] for r in rows if r[1] is not None)
    worst_admin = max(r[2] for r in rows)
    print(f"RESULT worst_user_ms={worst_user:.1f} worst_admin_ms={worst_admin:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
