"""The grid's Export CSV (VideoActionsState.export_typed_view) against the real database: the click carries
what the search box holds, so a search typed but not yet sent (the box sends after a pause) is applied first
and the export is of the view the user typed, not of the one shown before."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services import grid_jobs
from catalog_ui.services.auth import open_session
from catalog_ui.services.export_files import user_exports
from catalog_ui.services.users import create_user
from catalog_ui.settings import get_settings
from catalog_ui.state.video_actions import VideoActionsState
from tests.states import state_for

S = VideoActionsState


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def grid(session: Session, data_dir: Path) -> tuple[int, Any]:
    """A user's grid showing every video (no search yet)."""
    for n, title in enumerate(("Golden hour", "Golden days", "Silver lining"), start=1):
        session.add(Video(video_id=f"typedexp{n:03d}", title=title, views=n, privacy_status="public"))
    user = create_user(session, "bo@example.com", "correct-horse-42")
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    state = state_for(VideoActionsState, token)
    S.load.fn(state)  # the grid at /videos
    assert len(state.rows) == 3
    return user.id, state


def _exported(user_id: int, state: Any) -> list[list[str]]:
    deadline = time.monotonic() + 30
    while (job := grid_jobs.job_status(state.job_id, user_id)) is not None and job.state == "running":
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.05)
    assert job is not None and job.state == "done", job
    (path,) = user_exports(user_id).glob("*/*.csv")
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_export_applies_the_search_still_being_typed(grid) -> None:
    user_id, state = grid
    # The box holds "golden " but its debounced change has not reached the server yet.
    events = S.export_typed_view.fn(state, "golden ")
    assert state._view.filter.q == "golden" and state.search == "golden "
    assert [row["video_id"] for row in state.rows] == ["typedexp002", "typedexp001"]  # the grid shows it
    assert "pushState" in repr(events)  # and its URL, so Back returns to the view before
    assert [row[0] for row in _exported(user_id, state)] == ["video_id", "typedexp002", "typedexp001"]
    # The box's late change then finds its search already shown: nothing more happens.
    assert S.set_search.fn(state, "golden ") is None


def test_export_of_the_view_as_shown_when_nothing_is_pending(grid) -> None:
    user_id, state = grid
    assert S.export_typed_view.fn(state, "") is None  # the box holds the shown search: just the export
    assert [row[0] for row in _exported(user_id, state)] == [
        "video_id",
        "typedexp003",
        "typedexp002",
        "typedexp001",
    ]


def test_an_export_past_the_users_running_jobs_is_refused_with_a_message(grid) -> None:
    user_id, state = grid
    release = threading.Event()

    def waiting(progress: Any) -> dict[str, Any]:
        assert release.wait(30)
        return {}

    try:
        for _ in range(grid_jobs.MAX_RUNNING_PER_OWNER):  # running in the user's other tabs
            grid_jobs.start_job(user_id, "export", "Exporting videos as CSV", waiting)
        refused = S.start_export.fn(state, "view")
    finally:
        release.set()
    assert "Wait for your running actions to finish" in repr(refused)
    assert not state.job_running and state.job_id == ""
