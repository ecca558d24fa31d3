"""Bulk actions benchmark (run by hand): `python -m benchmarks.bulk_actions [--videos 1000000]`.

Creates and drops its own database (a fresh `catalog_bench_bulk_…`, or the name `--database` gives). Fills
it with `--videos` videos shaped like an ingested catalog: random 11-character video ids, every indexed
column set, a report row hash, 1% hidden, 5% administered, ten categories of 10% each spread over the
whole table, and two history entries per video. Then runs each grid bulk action the way the grid's
background job does (`services.bulk`, one session, one transaction, committed) on every video of one
category ("all matching": a tenth of the catalog), and on a page-sized selection of 200 video ids.

Each action starts right after `VACUUM ANALYZE` and a `CHECKPOINT`, so the one before leaves it neither
dead rows nor dirty pages, and it pays the full-page images of every page it touches (the worst case; a
run later in a checkpoint cycle writes less WAL). The time of an action is also how long it holds the
row locks of the videos it changes. Prints a table (videos selected, videos changed, seconds), then
`RESULT videos=… selected=… hide_s=… worst_s=…`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
CATEGORIES = (
    "Music",
    "Entertainment",
    "Gaming",
    "People",
    "Education",
    "Comedy",
    "Film",
    "News",
    "Sports",
    "Howto",
)
CATEGORY = "Gaming"  # the "all matching" target: every tenth video
SELECTION = 200  # the grid runs up to this many right away (state/video_actions.py RUN_NOW_MAX)

# Video n: a random-looking YouTube-style id (base64url of md5(n)), so id-keyed indexes fill in random order.
SEED = """
INSERT INTO channel (channel_id, name)
SELECT 'UCbench' || lpad(c::text, 16, '0'), 'Channel ' || c FROM generate_series(1, 200) c;
INSERT INTO video (
    video_id, asset_id, custom_id, channel_id, title, artist, genre, label, channel_display_name, category,
    upc, isrc, claimed_status, claimed_by_another_owner, third_party_ads_enabled, display_ads_enabled,
    embedding_allowed, privacy_status, effective_policy, video_length, views, hidden, administered,
    administered_at, is_short, time_published, values_as_of, report_row_hash, updated_at
)
SELECT left(translate(encode(decode(md5(n::text), 'hex'), 'base64'), '+/', '-_'), 11),
       'A' || (100000000000 + n), 'CUS-' || (n * 7919 % 1000003),
       'UCbench' || lpad((n % 200 + 1)::text, 16, '0'),
       'Song ' || n || ' ' || (ARRAY['love', 'night', 'golden', 'summer', 'heart'])[n % 5 + 1],
       ARRAY['Artist ' || (n % 5000)], ARRAY['Pop'], 'Label ' || (n % 300), 'Channel ' || (n % 200 + 1),
       (CAST(:categories AS text[]))[n % 10 + 1],
       CASE WHEN n % 50 = 0 THEN 'bad-upc' ELSE lpad((n * 31)::text, 12, '0') END,
       CASE WHEN n % 50 = 1 THEN 'BAD' ELSE 'USBKX' || lpad(n::text, 7, '0') END,
       (ARRAY['active', 'inactive', 'routedForReview', 'disputed'])[n % 4 + 1],
       CASE WHEN n % 9 = 0 THEN 'yes' ELSE 'no' END, 'yes', 'no', 'yes',
       (ARRAY['public', 'private', 'unlisted'])[n % 3 + 1], 'Monetize in all countries', 180 + n % 600,
       (n * 7919) % 10000000, n % 100 = 7, n % 20 = 3,
       CASE WHEN n % 20 = 3 THEN now() - interval '30 days' END,
       n % 7 = 0, timestamptz '2015-01-01' + n * interval '3 minutes', now() - interval '2 days',
       md5(n::text)::uuid, now() - interval '2 days' + (n % 1000) * interval '1 millisecond'
FROM generate_series(1::bigint, :videos) n;
INSERT INTO change_set (kind, label, video_count) VALUES ('report', 'cms_videos_day1.csv', :videos);
INSERT INTO change_set (kind, label, video_count) VALUES ('report', 'cms_videos_day2.csv', :videos);
INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes, change_set_id)
SELECT v.video_id, v.channel_display_name, v.title, v.updated_at - interval '1 day',
       '{"__created__": [null, "report"]}', 1
FROM video v;
INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes, change_set_id)
SELECT v.video_id, v.channel_display_name, v.title, v.updated_at,
       jsonb_build_object('views', jsonb_build_array(v.views - 1, v.views)), 2
FROM video v
"""


def seed(engine: Engine, videos: int) -> None:
    """The catalog described in the module docstring, vacuumed and analysed."""
    with engine.begin() as conn:
        for statement in filter(str.strip, SEED.split(";")):
            conn.execute(text(statement), {"videos": videos, "categories": list(CATEGORIES)})
    settle(engine)


def settle(engine: Engine) -> None:
    """VACUUM ANALYZE, then CHECKPOINT (skipped for a role that may not ask for one)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        with contextlib.suppress(DBAPIError):
            conn.execute(text("CHECKPOINT"))


def measure(engine: Engine) -> list[tuple[str, int, int, float]]:
    """(action, videos selected, videos changed, seconds) for each bulk action, committed."""
    from sqlmodel import Session

    from catalog_ui.services.bulk import BulkTarget, enqueue_bulk, preview, run_bulk
    from catalog_ui.services.grid_view import parse_view

    def category(hidden: str = "") -> BulkTarget:
        view, _ = parse_view(f"category={CATEGORY}" + (f"&hidden={hidden}" if hidden else ""))
        return BulkTarget(filter=view.filter.for_viewer(True))

    with engine.connect() as conn:  # one category's first videos, none of them hidden
        picked = tuple(
            conn.execute(
                text(
                    "SELECT video_id FROM video WHERE category = 'People' AND NOT hidden ORDER BY id LIMIT :n"
                ),
                {"n": SELECTION},
            ).scalars()
        )

    def flag(action: str, target: BulkTarget) -> Callable[[Any], tuple[int, int]]:
        def run(session: Any) -> tuple[int, int]:
            selected = preview(session, action, target).matching
            return selected, run_bulk(session, action, target, user_id=None).changed

        return run

    def queue(session: Any) -> tuple[int, int]:
        created, already = enqueue_bulk(session, category(), "metadata_sync", user_id=None)
        return created + already, created

    runs = [
        ("hide, all matching", flag("hide", category())),
        ("unhide, all matching", flag("unhide", category("only"))),
        ("mark administered, all matching", flag("administer", category())),
        ("unmark administered, all matching", flag("unadminister", category())),
        ("queue metadata_sync, all matching", queue),
        ("hide, selection", flag("hide", BulkTarget(video_ids=picked))),
        ("unhide, selection", flag("unhide", BulkTarget(video_ids=picked))),
    ]
    rows = []
    for label, run in runs:
        settle(engine)
        with Session(engine) as session:
            started = time.perf_counter()
            selected, changed = run(session)
            session.commit()
            rows.append((label, selected, changed, time.perf_counter() - started))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Seed, measure, print the table and the RESULT line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bulk_actions", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--videos", type=int, default=1_000_000, help="videos in the catalog (1000000)")
    parser.add_argument("--database", help="name of the scratch database to create and drop")
    args = parser.parse_args(argv)
    if args.videos < 10 * SELECTION:
        parser.error(f"--videos must be at least {10 * SELECTION}")

    sys.path.insert(0, str(ROOT))
    from benchmarks.task_queue import scratch_catalog

    with scratch_catalog(os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER), args.database) as engine:
        started = time.perf_counter()
        seed(engine, args.videos)
        print(
            f"seeded {args.videos:,} videos and {2 * args.videos:,} history entries "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rows = measure(engine)

    print(f"\n{'action (one transaction each)':36} {'selected':>10} {'changed':>10} {'seconds':>9}")
    print("-" * 68)
    for label, selected, changed, seconds in rows:
        print(f"{label:36} {selected:10,} {changed:10,} {seconds:9.2f}")
    worst = max(r[3] for r in rows)
    print(f"RESULT videos={args.videos} selected={rows[0][1]} hide_s={rows[0][3]:.2f} worst_s={worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
