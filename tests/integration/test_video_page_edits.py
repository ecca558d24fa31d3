"""The video page's admin edits keep what the admin typed: a notes draft not saved yet survives the page
reading the video again (a toggle of Hidden or Administered, a rollback, a task that ends). Queuing a task
shows the newest tasks, an edit the history's first page (its entry), and each says so in the address."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from catalog_ui.models import ProcessingQueue, Video
from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.services.video_flags import set_notes
from catalog_ui.state import video_detail
from catalog_ui.state.video_detail import HISTORY_PAGE_SIZE, TASKS_PAGE_SIZE, VideoDetailState
from tests.states import state_for

VIDEO = "vidNotes001"
SAVED = "Cleared with the label in March"
DRAFT = "Label says this duplicates the 2019 upload; check with the rights team"


@pytest.fixture
def page(session: Session) -> Any:
    """The video page of VIDEO, loaded by an admin; the video has saved notes."""
    admin = create_user(session, "boss@example.com", "correct-horse-42", admin=True)
    session.add(Video(video_id=VIDEO, title="Notes Song", views=10))
    session.commit()
    set_notes(session, VIDEO, SAVED, user_id=admin.id)
    token = open_session(session, admin, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    state = state_for(VideoDetailState, token)
    state.current_video_id = VIDEO  # what the page's load keeps
    VideoDetailState.refresh.fn(state)
    assert (state.notes, state.notes_draft) == (SAVED, SAVED)
    return state


def test_toggling_a_flag_keeps_the_notes_being_typed(page: Any) -> None:
    VideoDetailState.set_notes_draft.fn(page, DRAFT)

    VideoDetailState.set_administered.fn(page, True)
    assert page.administered
    VideoDetailState.set_hidden.fn(page, True)
    assert page.hidden
    VideoDetailState.refresh.fn(page)  # what a rollback or a finished task does

    assert page.notes_draft == DRAFT
    assert page.notes == SAVED
    assert page.notes_dirty  # Save notes stays enabled


def test_a_saved_draft_and_an_untouched_box_follow_the_saved_notes(page: Any, session: Session) -> None:
    VideoDetailState.set_notes_draft.fn(page, f"  {DRAFT} ")
    VideoDetailState.save_notes.fn(page)
    assert (page.notes, page.notes_draft, page.notes_dirty) == (DRAFT, DRAFT, False)

    set_notes(session, VIDEO, "Changed by another admin", user_id=None)  # the box was not touched since
    session.commit()
    VideoDetailState.refresh.fn(page)
    assert (page.notes, page.notes_draft) == ("Changed by another admin", "Changed by another admin")


def test_queuing_a_task_from_an_older_page_shows_the_first_in_the_address_too(
    page: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video_detail, "wake_workers", lambda types: None)
    for _ in range(TASKS_PAGE_SIZE + 1):
        session.add(ProcessingQueue(video_id=VIDEO, task_type="asset_enrichment", status="completed"))
    session.commit()
    page.tab = "tasks"
    VideoDetailState.refresh.fn(page)
    VideoDetailState.next_tasks.fn(page)
    assert page.tasks_page == 2

    events = VideoDetailState.enqueue.fn(page, "metadata_sync")

    assert page.tasks_page == 1 and page.task_rows[0].task_type == "metadata_sync"
    scripts = " ".join(str(event.args) for event in events)
    assert f"/videos/{VIDEO}?tab=tasks" in scripts and "page=2" not in scripts


def test_an_edit_from_an_older_page_of_history_shows_its_entry_on_the_first(
    page: Any, session: Session
) -> None:
    for n in range(HISTORY_PAGE_SIZE):  # a history of two pages
        set_notes(session, VIDEO, f"note {n}", user_id=None)
    session.commit()
    page.tab = "history"
    VideoDetailState.refresh.fn(page)
    VideoDetailState.next_history.fn(page)
    assert page.history_page == 2

    events = VideoDetailState.set_hidden.fn(page, True)

    assert page.history_page == 1
    assert "hidden" in str(page.history_rows[0])
    scripts = " ".join(str(event.args) for event in events)
    assert f"/videos/{VIDEO}?tab=history" in scripts and "page=2" not in scripts
