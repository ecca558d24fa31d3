"""A hidden video exists for admins only: not in a plain user's video page history or tasks, queue, report
changes or dashboard, even when the user asks for it by id or the page loaded before it was hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, ProcessingQueue, Report, ReportRejection
from catalog_ui.services import queue, reports
from catalog_ui.services.auth import open_session
from catalog_ui.services.dashboard import overview
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.users import create_user
from catalog_ui.services.video_flags import set_hidden, set_notes
from catalog_ui.state.dashboard import DashboardState
from catalog_ui.state.queue import QueueState
from catalog_ui.state.report_detail import ReportDetailState
from catalog_ui.state.video_detail import VideoDetailState
from tests.states import state_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
HIDDEN, VISIBLE = "vidAlpha001", "vidCharl003"
SECRET = "Legal: do not release before the case settles"


@pytest.fixture
def catalog(session: Session) -> dict[str, Any]:
    """Two days of reports; an admin wrote notes on HIDDEN, gave it a bad ISRC, queued a task, then hid it."""
    day_two = None
    for name in ("cms_videos_2026-03-01.csv", "cms_videos_2026-03-02.csv.gz"):
        report, _ = reports.register_path(session, FIXTURES / name)
        session.commit()
        ingest_report(report.id)
        day_two = report.id
    admin = create_user(session, "boss@example.com", "correct-horse-42", admin=True)
    user = create_user(session, "user@example.com", "correct-horse-42")
    session.execute(text("UPDATE video SET isrc = 'BAD-ISRC' WHERE video_id = :v"), {"v": HIDDEN})
    set_notes(session, HIDDEN, SECRET, user_id=admin.id)
    task, _ = queue.enqueue(session, HIDDEN, "metadata_sync", created_by=admin.id)
    set_hidden(session, HIDDEN, True, user_id=admin.id)
    session.commit()
    tokens = {
        who: open_session(session, person, "127.0.0.1", "pytest", "flask-security")[0]
        for who, person in (("admin", admin), ("user", user))
    }
    session.commit()
    return {"report": day_two, "task": task.id, **tokens}


def test_the_services_leave_hidden_videos_out_unless_asked(session: Session, catalog) -> None:
    report = catalog["report"]
    rows, total = reports.report_changes(session, report)
    assert (total, [row["video_id"] for row in rows]) == (2, [VISIBLE, "vidEcho0005"])
    rows, total = reports.report_changes(session, report, include_hidden=True)
    assert (total, [row["video_id"] for row in rows]) == (3, [HIDDEN, VISIBLE, "vidEcho0005"])

    assert queue.list_tasks(session).total == 0
    assert [t["video_id"] for t in queue.list_tasks(session, include_hidden=True).rows] == [HIDDEN]
    assert queue.get_task(session, catalog["task"]) is None
    assert queue.get_task(session, catalog["task"], include_hidden=True).video_id == HIDDEN

    every = session.execute(text("SELECT count(*), sum(views)::bigint FROM video")).one()
    hidden_views = session.execute(
        text("SELECT views FROM video WHERE video_id = :v"), {"v": HIDDEN}
    ).scalar()
    admin, user = overview(session, include_hidden=True), overview(session, include_hidden=False)
    assert (admin["totals"]["videos"], admin["totals"]["views"]) == (every[0], every[1])
    assert (user["totals"]["videos"], user["totals"]["views"]) == (every[0] - 1, every[1] - hidden_views)
    assert HIDDEN in [row["video_id"] for row in admin["quality_sample"]]
    assert HIDDEN not in [row["video_id"] for row in user["quality_sample"]]
    assert user["quality_counts"]["isrc_invalid"] == admin["quality_counts"]["isrc_invalid"] - 1
    assert user["quality_total"] == admin["quality_total"] - 1


def test_a_user_gets_nothing_of_a_hidden_video_by_its_id(session: Session, catalog) -> None:
    page = state_for(VideoDetailState, catalog["user"])
    page.current_video_id = HIDDEN  # what the page's load keeps, found or not
    page.found = True  # as if the video was hidden after the page loaded
    tasks_before = session.execute(select(func.count()).select_from(ProcessingQueue)).scalar_one()

    VideoDetailState.filter_history.fn(page, "all")
    assert (page.found, page.history_rows, page.title) == (False, [], "")
    VideoDetailState.set_include_archived.fn(page, True)
    assert (page.history_rows, page.views_points) == ([], [])
    refused = VideoDetailState.enqueue.fn(page, "metadata_sync")
    assert f"Video {HIDDEN} not found." in repr(refused)
    assert session.execute(select(func.count()).select_from(ProcessingQueue)).scalar_one() == tasks_before
    assert SECRET not in repr(page.dict())

    admin_page = state_for(VideoDetailState, catalog["admin"])
    admin_page.current_video_id = HIDDEN
    VideoDetailState.filter_history.fn(admin_page, "all")
    assert SECRET in repr(admin_page.history_rows)


def test_a_users_queue_report_and_dashboard_pages_leave_the_hidden_video_out(
    session: Session, catalog
) -> None:
    all_counts = reports.changed_fields(session, catalog["report"], include_hidden=True)
    hidden_fields = {
        field
        for changes in session.execute(
            select(MetadataSync.changes)
            .join(ChangeSet, ChangeSet.id == MetadataSync.change_set_id)
            .where(MetadataSync.video_id == HIDDEN, ChangeSet.report_id == catalog["report"])
        ).scalars()
        for field in changes
    }
    assert hidden_fields and set(all_counts) >= hidden_fields
    user_counts = {
        field: count - (field in hidden_fields)
        for field, count in all_counts.items()
        if count - (field in hidden_fields)
    }
    entries = session.execute(select(func.count()).select_from(MetadataSync)).scalar_one()
    hidden_entries = session.execute(
        select(func.count()).select_from(MetadataSync).where(MetadataSync.video_id == HIDDEN)
    ).scalar_one()
    assert hidden_entries
    for who, sees in (("user", False), ("admin", True)):
        board = state_for(QueueState, catalog[who])
        QueueState.load.fn(board)
        assert ([row.video_id for row in board.rows] == [HIDDEN]) is sees
        # nor do the counts above the list: the hidden video's task is the only one
        assert (board.count_total.pending, board.count_total.total) == (("1", "1") if sees else ("0", "0"))
        QueueState.open_detail.fn(board, catalog["task"])
        assert board.detail_open is sees

        detail = state_for(ReportDetailState, catalog[who])
        detail.report_id, detail.found = catalog["report"], True
        detail.changes_page, detail.changes_pages = 2, 2
        ReportDetailState.prev_changes.fn(detail)
        assert (HIDDEN in [change.video_id for change in detail.changes]) is sees
        assert detail.changes_total == (3 if sees else 2)
        # the per-field counts leave the hidden video out as well
        shown = {row.field: int(row.count) for row in detail.field_counts}
        assert shown == (all_counts if sees else user_counts)

        dashboard = state_for(DashboardState, catalog[who])
        DashboardState.load.fn(dashboard)
        assert (HIDDEN in [row["video_id"] for row in dashboard.quality_sample]) is sees
        assert {row["status"]: row["count"] for row in dashboard.queue}["pending"] == ("1" if sees else "0")
        assert dashboard.history == f"{entries if sees else entries - hidden_entries:,}"
        # recent reports named as the Reports page names them, without the worker's local path
        assert [row["filename"] for row in dashboard.reports] == [
            "cms_videos_2026-03-02.csv.gz",
            "cms_videos_2026-03-01.csv",
        ]
    assert session.get(Report, catalog["report"]).status == "completed"


def test_a_users_rejected_rows_leave_the_hidden_video_out(session: Session, catalog, tmp_path: Path) -> None:
    path = tmp_path / "cms_videos_2026-03-03.csv"
    path.write_text(
        f"video_id,video_title,views\n{HIDDEN},Secret unreleased title,lots\n{VISIBLE},Fine,many\n"
    )
    report, _ = reports.register_path(session, path)
    session.commit()
    ingest_report(report.id)

    def seen(include_hidden: bool) -> tuple[list[int], int, str]:
        rows = reports.rejections(session, report.id, include_hidden=include_hidden)
        csv_text = reports.rejections_csv(session, report.id, include_hidden=include_hidden)
        return (
            [r["line"] for r in rows],
            reports.rejection_count(session, report.id, include_hidden=include_hidden),
            csv_text,
        )

    lines, count, csv_text = seen(False)
    assert (lines, count) == ([3], 1) and "Secret" not in csv_text
    lines, count, csv_text = seen(True)
    assert (lines, count) == ([2, 3], 2) and "Secret unreleased title" in csv_text


def test_a_rejected_row_belongs_to_the_video_its_video_id_cell_names(
    session: Session, catalog, tmp_path: Path
) -> None:
    # The row's id is stored as it is rejected, so a user's view looks it up among the hidden videos
    # instead of searching every row's text for every hidden id (seconds per thousand rows).
    path = tmp_path / "cms_videos_2026-03-04.csv"
    path.write_text(
        "video_id,video_title,views\n"
        f" {HIDDEN} ,Secret,1,one cell too many\n"
        f"{VISIBLE},Fine,many\n"
        "not-an-id,Nobody's,3\n"
    )
    report, _ = reports.register_path(session, path)
    session.commit()
    ingest_report(report.id)

    stored = session.execute(
        select(ReportRejection.line, ReportRejection.video_id)
        .where(ReportRejection.report_id == report.id)
        .order_by(ReportRejection.line)
    ).all()
    assert [tuple(row) for row in stored] == [(2, HIDDEN), (3, VISIBLE), (4, None)]
    for include_hidden, lines in ((False, [3, 4]), (True, [2, 3, 4])):
        rows = reports.rejections(session, report.id, include_hidden=include_hidden)
        assert [r["line"] for r in rows] == lines
        assert reports.rejection_count(session, report.id, include_hidden=include_hidden) == len(lines)
        csv_text = reports.rejections_csv(session, report.id, include_hidden=include_hidden)
        assert ("Secret" in csv_text) is include_hidden
