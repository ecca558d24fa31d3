"""The grid's bulk-action confirmation (VideoActionsState) against the real database: confirmed once, it
acts once, whatever the clicks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet
from catalog_ui.services.auth import open_session
from catalog_ui.services.bulk import CONFIRM_OVER
from catalog_ui.services.users import create_user
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
