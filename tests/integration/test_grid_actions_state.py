"""The grid's bulk-action confirmation (VideoActionsState) against the real database: confirmed once, it
acts once, whatever the clicks; it names the exact number of videos, not the grid's estimate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet
from catalog_ui.services.auth import open_session
from catalog_ui.services.bulk import CONFIRM_OVER
from catalog_ui.services.grid_view import GridView
from catalog_ui.services.users import create_user
from catalog_ui.state import video_actions
from catalog_ui.state.video_actions import VideoActionsState
from tests.states import state_for


@pytest.fixture
def grid(session: Session) -> tuple[Any, list[str]]:
    """An admin's grid state with more videos selected than a confirmation-free action may touch."""
    ids = [f"conf{n:07d}" for n in range(CONFIRM_OVER + 20)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title) SELECT id, 'Song ' || id FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids},
    )
    admin = create_user(session, "boss@example.com", "correct-horse-42", admin=True)
    token = open_session(session, admin, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    state = state_for(VideoActionsState, token)
    state.selected = ids
    return state, ids


def test_a_double_click_on_confirm_acts_once_and_reports_no_error(session: Session, grid) -> None:
    state, ids = grid
    assert VideoActionsState.start_bulk.fn(state, "hide") is None
    assert state.confirm_open
    assert state.confirm_title == f"Hide: {len(ids):,} videos?"

    first = VideoActionsState.confirm.fn(state)
    second = VideoActionsState.confirm.fn(state)  # the second click of a double click

    assert f"Hide: {len(ids):,} videos changed." in repr(first)
    assert second is None  # before: an error toast, "Select at least one video.", after a success
    assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == 1
    hidden = session.execute(text("SELECT count(*) FROM video WHERE hidden")).scalar_one()
    assert hidden == len(ids)


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The task types the grid woke workers for (no broker is touched)."""
    calls: list[str] = []
    monkeypatch.setattr(video_actions, "wake_workers", lambda types: calls.extend(types))
    return calls


def test_queueing_for_all_matching_names_and_queues_the_exact_count(session: Session, grid, woken) -> None:
    state, ids = grid
    # A large catalog's total is an estimate ("about 980,000 videos"); the filter matches len(ids) videos.
    state._view = GridView()
    state.total_count, state.counts_estimated, state.all_matching = 980_000, True, True
    assert state.selection_label == "All about 980,000 matching videos selected"

    assert VideoActionsState.start_enqueue.fn(state, "metadata_sync") is None
    assert state.confirm_title == f"Queue metadata_sync for {len(ids):,} videos?"  # before: 980,000
    done = VideoActionsState.confirm.fn(state)

    assert f"Queued metadata_sync for {len(ids):,} videos." in repr(done)  # at once, not as a long job
    assert woken == ["metadata_sync"]
    queued = session.execute(text("SELECT count(*) FROM processing_queue")).scalar_one()
    assert queued == len(ids)


def test_hiding_the_whole_last_page_shows_the_page_before(session: Session, grid) -> None:
    state, ids = grid  # 120 videos: pages of 50, 50 and 20
    state._view, state._anchor = GridView(sort="video_id", descending=False, page=3), ("offset", 100)
    state.selected = ids[100:]  # every row of the last page
    VideoActionsState.start_bulk.fn(state, "hide")

    # Before: "Page 3 of 2", no rows, and "No videos match this view" under "100 videos".
    assert (state.total_label, state.page_label, state.page) == ("100 videos", "Page 2 of 2", 2)
    assert [row["video_id"] for row in state.rows] == ids[50:100]
    assert not state.has_next and state.has_prev
