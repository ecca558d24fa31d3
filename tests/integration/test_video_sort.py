"""`video_sort` mirrors each video's id, views, updated_at and hidden flag for the grid's sort indexes.

The triggers of migration 014 keep it equal to `video` whoever writes (reports, tasks, user edits, bulk
actions, rollbacks, plain SQL); and because no index of `video` covers what a daily report changes most
(views, with updated_at and the report bookkeeping), such an update stays on its page (HOT).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services import video_flags
from catalog_ui.services.demo_data import write_demo_reports
from catalog_ui.services.grid_view import GridView, VideoFilter
from catalog_ui.services.rollback import ChangeSetTarget, apply
from catalog_ui.services.video_search import fetch_rows
from tests.integration.test_last_synced import _bulk_administer, _ingest, _task_sets_views

# What a next-day report writes on a video whose views alone moved.
DAILY_COLUMNS = {"views", "updated_at", "values_as_of", "report_row_hash"}


def out_of_mirror(session: Session) -> list[tuple]:
    """Videos whose `video_sort` row is missing, extra or different."""
    return list(
        session.execute(
            text(
                """
                SELECT v.id, s.video_pk FROM video v FULL JOIN video_sort s ON s.video_pk = v.id
                WHERE (v.video_id, v.views, v.updated_at, v.hidden)
                      IS DISTINCT FROM (s.video_id, s.views, s.updated_at, s.hidden)
                """
            )
        )
    )


def test_every_writer_keeps_the_mirror_equal(session: Session, tmp_path: Path) -> None:
    day_one, next_day = write_demo_reports(tmp_path, videos=300, seed=7)
    _ingest(session, day_one)
    assert session.execute(text("SELECT count(*) FROM video_sort")).scalar() == 300
    assert out_of_mirror(session) == []
    _ingest(session, next_day)
    assert out_of_mirror(session) == []

    video_ids = tuple(session.execute(text("SELECT video_id FROM video ORDER BY id LIMIT 3")).scalars())
    _task_sets_views(session, video_ids[0], 987_654)
    video_flags.set_hidden(session, video_ids[1], True, user_id=None)
    session.commit()
    assert out_of_mirror(session) == []
    bulk_set = _bulk_administer(session, video_ids)
    apply(session, ChangeSetTarget(bulk_set), user_id=None)
    session.commit()
    assert out_of_mirror(session) == []
    mirrored = session.execute(
        text("SELECT views, hidden FROM video_sort WHERE video_id = :v"), {"v": video_ids[0]}
    ).one()
    assert tuple(mirrored) == (987_654, False)

    session.execute(text("UPDATE video SET views = views + 1, hidden = NOT hidden WHERE id % 7 = 0"))
    deleted = session.execute(text("DELETE FROM video WHERE id % 11 = 0")).rowcount
    session.commit()
    assert deleted > 0
    assert out_of_mirror(session) == []
    assert (
        session.execute(text("SELECT count(*) FROM video_sort")).scalar()
        == session.execute(text("SELECT count(*) FROM video")).scalar()
    )


def test_the_grid_sorts_by_the_mirror_values(session: Session) -> None:
    session.add_all(
        [
            Video(video_id="mirror00001", views=10),
            Video(video_id="mirror00002", views=30),
            Video(video_id="mirror00003", views=20, hidden=True),
        ]
    )
    session.commit()
    session.execute(text("UPDATE video SET views = 40 WHERE video_id = 'mirror00001'"))
    session.commit()
    view = GridView(sort="views", descending=True, columns=("video_id", "views"))
    rows = fetch_rows(session, view, offset=0).rows
    assert [(r["video_id"], r["views"]) for r in rows] == [("mirror00001", 40), ("mirror00002", 30)]
    everything = GridView(filter=VideoFilter(hidden="include"), sort="views", descending=False)
    assert [r["video_id"] for r in fetch_rows(session, everything, offset=0).rows] == [
        "mirror00003",
        "mirror00002",
        "mirror00001",
    ]
    only = GridView(filter=VideoFilter(hidden="only"), sort="updated_at")
    assert [r["video_id"] for r in fetch_rows(session, only, offset=0).rows] == ["mirror00003"]


def test_no_index_of_video_covers_the_daily_columns(session: Session) -> None:
    indexed = set(
        session.execute(
            text(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid
                WHERE i.indrelid = 'video'::regclass
                  AND (a.attnum = ANY (i.indkey)
                       OR pg_get_expr(i.indexprs, i.indrelid) ~ ('\\m' || a.attname || '\\M'))
                """
            )
        ).scalars()
    )
    assert indexed, "the query finds video's indexed columns"
    assert "video_id" in indexed and "time_published" in indexed
    assert not indexed & DAILY_COLUMNS


def test_a_views_update_stays_on_its_page(session: Session) -> None:
    session.execute(
        text(
            "INSERT INTO video (video_id, views) "
            "SELECT 'hot' || lpad(g::text, 8, '0'), g FROM generate_series(1, 200) g"
        )
    )
    session.commit()
    fillfactor = session.execute(
        text("SELECT reloptions FROM pg_class WHERE oid = 'video'::regclass")
    ).scalar()
    assert "fillfactor=70" in fillfactor
    counts = text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'video'")
    before = session.execute(counts).one()  # may hold counts of earlier transactions not yet reported
    session.execute(
        text(
            "UPDATE video SET views = views + 1, updated_at = now(), values_as_of = now(), "
            "report_row_hash = gen_random_uuid() WHERE id % 5 = 0"  # a busy day: a fifth of the videos
        )
    )
    after = session.execute(counts).one()
    session.commit()
    assert (after[0] - before[0], after[1] - before[1]) == (40, 40)
