"""Paging through a rollback preview's conflicts plans only the page's videos, and stays exact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, Video
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.auth import open_session
from catalog_ui.services.rollback import ChangeSetTarget, conflict_page, preview
from catalog_ui.services.users import create_user
from catalog_ui.state.rollback import RollbackState
from tests.states import state_for

VIDEOS = 25  # 49 conflicts: vid001's views, then the title and views of each other video (3 pages)


def _ids() -> list[str]:
    return [f"vid{n:08d}" for n in range(1, VIDEOS + 1)]


@pytest.fixture
def task(session: Session) -> ChangeSet:
    """A task that changed every video, each changed since by a user: every field it wrote is a conflict.

    The first video has one conflict, the others two, so the pages split a video's two (vid00000011's
    title ends page 1, its views start page 2)."""
    for video_id in _ids():
        session.add(Video(video_id=video_id, title="Song", views=100))
    session.flush()
    task = open_change_set(session, "task", label="metadata_sync")
    for n, video_id in enumerate(_ids()):
        values = {"views": 200} if n == 0 else {"title": "New", "views": 200}
        apply_changes(session, task, video_id, values, allow_user_fields=True)
    for n, video_id in enumerate(_ids()):
        values = {"views": 300} if n == 0 else {"title": "Mine", "views": 300}
        apply_changes(session, open_change_set(session, "user"), video_id, values, allow_user_fields=True)
    session.commit()
    return task


def _user_change(session: Session, video_id: str, values: dict) -> None:
    apply_changes(session, open_change_set(session, "user"), video_id, values, allow_user_fields=True)
    session.commit()


def test_a_page_of_conflicts_is_planned_for_its_videos_alone(session: Session, task: ChangeSet) -> None:
    target = ChangeSetTarget(task.id)
    seen = preview(session, target)
    session.rollback()
    assert (seen.conflicts, seen.conflict_pages, len(seen.conflict_keys)) == (49, 3, 49)
    assert (seen.conflict_rows[-1].video_id, seen.conflict_rows[-1].field) == ("vid00000011", "title")

    for page in (2, 3):
        keys = seen.conflict_keys[(page - 1) * 20 : page * 20]
        rows = conflict_page(session, target, keys)
        # Only the page's videos were planned: 11 (or 5) videos' pairs, not the change set's 49.
        planned = session.execute(text("SELECT count(DISTINCT video_id), count(*) FROM rollback_plan")).one()
        session.rollback()
        assert rows == preview(session, target, conflict_page=page).conflict_rows
        session.rollback()
        assert tuple(planned) == ((11, 22) if page == 2 else (5, 10))
    assert rows[0].video_id == "vid00000021"


def test_a_page_whose_videos_changed_since_the_preview_is_stale(session: Session, task: ChangeSet) -> None:
    target = ChangeSetTarget(task.id)
    seen = preview(session, target)
    session.rollback()
    page_two, page_three = seen.conflict_keys[20:40], seen.conflict_keys[40:]

    # A change on page 3's videos leaves page 2 as it was shown.
    _user_change(session, "vid00000023", {"title": "Other"})
    assert conflict_page(session, target, page_two) == seen_page(session, target, 2)
    session.rollback()
    # A conflict that changed value, one that resolved, one that appeared: each makes its page stale.
    assert conflict_page(session, target, page_three) is None
    session.rollback()
    _user_change(session, "vid00000015", {"views": 200})  # back to what the task wrote: clean now
    assert conflict_page(session, target, page_two) is None
    session.rollback()
    again = preview(session, target)
    session.rollback()
    page_two = again.conflict_keys[20:40]
    _user_change(session, "vid00000015", {"views": 301})
    assert conflict_page(session, target, page_two) is None
    session.rollback()


def seen_page(session: Session, target: ChangeSetTarget, page: int) -> list:
    rows = preview(session, target, conflict_page=page).conflict_rows
    session.rollback()
    return rows


@pytest.fixture
def dialog(session: Session, task: ChangeSet) -> RollbackState:
    """The rollback dialog of a signed-in admin, open on the task's preview."""
    admin = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    token = open_session(session, admin, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    state = state_for(RollbackState, token)
    list(RollbackState.preview_change_set.fn(state, task.id))
    assert (state.conflicts, state.conflict_pages, state.error) == (49, 3, "")
    return state


@pytest.fixture
def plans(engine) -> Iterator[list[dict]]:
    """The parameters of every plan of a rollback (`rollback_plan` created) while the test runs."""
    seen: list[dict] = []

    def record(conn, cursor, statement, parameters, *args) -> None:
        if "CREATE TEMP TABLE rollback_plan" in statement:
            seen.append(dict(parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_next_page_in_the_dialog_plans_only_its_videos(
    session: Session, task: ChangeSet, dialog: RollbackState, plans: list[dict]
) -> None:
    fingerprint = dialog._fingerprint
    RollbackState.next_conflicts.fn(dialog)
    RollbackState.next_conflicts.fn(dialog)
    RollbackState.prev_conflicts.fn(dialog)

    assert [sorted(plan.get("page_videos", ["the whole change set"])) for plan in plans] == [
        _ids()[10:21],
        _ids()[20:],
        _ids()[10:21],
    ]
    assert (dialog.conflict_page, dialog.error, dialog._fingerprint) == (2, "", fingerprint)
    assert [(row.video_id, row.label) for row in dialog.conflict_rows[:2]] == [
        ("vid00000011", "Views"),
        ("vid00000012", "Title"),
    ]


def test_the_next_page_after_a_change_shows_the_preview_again(
    session: Session, task: ChangeSet, dialog: RollbackState, plans: list[dict]
) -> None:
    fingerprint = dialog._fingerprint
    _user_change(session, "vid00000012", {"title": "Changed again"})

    RollbackState.next_conflicts.fn(dialog)

    # The page's plan saw the change, so the whole preview was prepared again: a new fingerprint, and
    # the page shows the value the video holds now.
    assert [sorted(plan.get("page_videos", [])) for plan in plans] == [_ids()[10:21], []]
    assert dialog.error.startswith("The videos changed since the preview")
    assert dialog._fingerprint != fingerprint
    assert (dialog.conflict_page, dialog.conflict_rows[1].video_id, dialog.conflict_rows[1].current) == (
        2,
        "vid00000012",
        "Changed again",
    )


def test_skipping_every_conflict_says_that_nothing_was_reverted_and_why(
    session: Session, task: ChangeSet, dialog: RollbackState
) -> None:
    # Every field the task wrote changed since: "Skip conflicts and revert the rest" has no rest.
    events = list(RollbackState.apply.fn(dialog, "skip"))

    toasts = [str(event.args) for event in events if event is not None]
    assert len(toasts) == 1
    assert (
        "Nothing reverted: the 49 conflicting fields were skipped and keep their current values." in toasts[0]
    )
    assert (dialog.open, dialog.error) == (False, "")
