"""A history entry's time follows every entry whose values it read as `old`: a report merge or a bulk action
that committed after an edit sorts after it, though its transaction began before the edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.services import ingest, reports
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.bulk import BulkTarget, run_bulk
from catalog_ui.services.history import video_timeline
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.video_flags import set_hidden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def _newest(session: Session, video_id: str) -> list[tuple[str | None, dict[str, Any]]]:
    session.expire_all()
    entries = video_timeline(session, video_id).entries
    return [(entry.kind, {c.field: [c.old, c.new] for c in entry.changes}) for entry in entries[:2]]


def test_a_report_merged_after_an_edit_sorts_after_it(
    session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = reports.register_path(session, FIXTURES / "cms_videos_2026-03-01.csv")
    session.commit()
    ingest_report(first.id)
    second, _ = reports.register_path(session, FIXTURES / "cms_videos_2026-03-02.csv.gz")
    session.commit()
    merge_turn = ingest._merge_turn

    def edit_then_merge(conn: Any) -> None:
        # The report's transaction has begun and read its file; a task's edit commits before its merge.
        with Session(engine) as other:
            change_set = open_change_set(other, "task", label="metadata_sync")
            apply_changes(other, change_set, "vidAlpha001", {"title": "Edited meanwhile"})
            other.commit()
        merge_turn(conn)

    monkeypatch.setattr(ingest, "_merge_turn", edit_then_merge)
    assert ingest_report(second.id).status == "completed"

    assert _newest(session, "vidAlpha001") == [
        ("report", {"title": ["Edited meanwhile", "First Light (Remastered)"], "views": [1234567, 1300000]}),
        ("task", {"title": ["First Light", "Edited meanwhile"]}),
    ]


def test_a_bulk_action_after_an_edit_sorts_after_it(session: Session, engine: Engine) -> None:
    first, _ = reports.register_path(session, FIXTURES / "cms_videos_2026-03-01.csv")
    session.commit()
    ingest_report(first.id)

    def hide_and_unhide_meanwhile(done: int, total: int) -> None:
        if done == 0:  # the bulk's transaction has begun; another admin's edits commit first
            with Session(engine) as other:
                set_hidden(other, "vidAlpha001", True, user_id=None)
                other.commit()
                set_hidden(other, "vidAlpha001", False, user_id=None)
                other.commit()

    run_bulk(
        session,
        "hide",
        BulkTarget(video_ids=("vidAlpha001",)),
        user_id=None,
        progress=hide_and_unhide_meanwhile,
    )
    session.commit()

    assert _newest(session, "vidAlpha001") == [
        ("bulk", {"hidden": [False, True]}),
        ("user", {"hidden": [True, False]}),
    ]
