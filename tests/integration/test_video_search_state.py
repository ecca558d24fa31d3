"""What the grid keeps and watches: saved views, per-user grid preferences, the search documents the
triggers maintain, and the change marker the grid polls (including changes that commit out of order)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalog_ui.models import Video, VideoSearch
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.catalog import ChangeMarker, change_marker
from catalog_ui.services.grid_columns import DEFAULT_COLUMNS
from catalog_ui.services.saved_views import (
    SavedViewError,
    SavedViewExists,
    delete_view,
    get_preference,
    get_view,
    list_views,
    save_preference,
    save_view,
    view_to_delete,
)
from catalog_ui.services.users import create_user


@pytest.fixture
def people(session: Session) -> tuple[int, int, int]:
    ana = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    bo = create_user(session, "bo@example.com", "correct-horse-42")
    cy = create_user(session, "cy@example.com", "correct-horse-42")
    session.commit()
    return ana.id, bo.id, cy.id


# -- saved views ------------------------------------------------------------------------------------------


def test_saved_views_are_private_unless_an_admin_shares_them(session: Session, people) -> None:
    ana, bo, cy = people
    save_view(session, bo, "  My disputes ", "?claim=disputed")
    shared = save_view(session, ana, "Takedowns", "claim=takedown", shared=True, is_admin=True)
    save_view(session, ana, "Ana only", "privacy=private", is_admin=True)
    session.commit()
    assert [(v.name, v.query, v.shared, v.mine, v.owner) for v in list_views(session, bo)] == [
        ("My disputes", "claim=disputed", False, True, "bo@example.com"),
        ("Takedowns", "claim=takedown", True, False, "ana@example.com"),
    ]
    assert [v.name for v in list_views(session, cy)] == ["Takedowns"]
    assert get_view(session, cy, shared.id).query == "claim=takedown"
    ana_only = list_views(session, ana)[0]
    with pytest.raises(SavedViewError) as refused:
        get_view(session, cy, ana_only.id)
    assert str(refused.value) == "That saved view no longer exists."


def test_saving_a_name_again_replaces_its_query_only_when_asked_to(session: Session, people) -> None:
    _, bo, _ = people
    first = save_view(session, bo, "Mine", "q=a")
    with pytest.raises(SavedViewExists) as exists:  # before: replaced silently
        save_view(session, bo, "  Mine ", "q=b")  # the same name once its blanks are tidied
    assert (str(exists.value), exists.value.name, exists.value.shared) == (
        "You already have a view called “Mine”.",
        "Mine",
        False,
    )
    assert [(v.name, v.query) for v in list_views(session, bo)] == [("Mine", "q=a")]
    second = save_view(session, bo, "Mine", "q=b", replace=True)
    session.commit()
    assert first.id == second.id
    assert [(v.name, v.query) for v in list_views(session, bo)] == [("Mine", "q=b")]


def test_another_users_shared_view_of_the_same_name_is_another_view(session: Session, people) -> None:
    ana, bo, _ = people
    shared = save_view(session, ana, "Takedowns", "claim=takedown", shared=True, is_admin=True)
    with pytest.raises(SavedViewExists) as exists:
        save_view(session, ana, "Takedowns", "q=x", is_admin=True)
    assert exists.value.shared  # the dialog tells the admin that the view they replace is shared
    mine = save_view(session, bo, "Takedowns", "q=mine")  # names are unique per owner: no question
    session.commit()
    assert mine.id != shared.id
    assert [(v.name, v.query, v.mine) for v in list_views(session, bo)] == [
        ("Takedowns", "claim=takedown", False),
        ("Takedowns", "q=mine", True),
    ]


@pytest.mark.parametrize(
    ("name", "query", "shared", "message"),
    [
        ("   ", "q=a", False, "Give the view a name."),
        ("x" * 101, "q=a", False, "View names are limited to 100 characters."),
        ("Shared", "q=a", True, "Only admins can share a view with everybody."),
        ("Huge", "q=" + "a" * 9000, False, "This view is too long to save; remove some filters."),
    ],
)
def test_bad_saves_are_refused_clearly(session: Session, people, name, query, shared, message) -> None:
    _, bo, _ = people
    with pytest.raises(SavedViewError) as refused:
        save_view(session, bo, name, query, shared=shared, is_admin=False)
    assert str(refused.value) == message


def test_deleting_views(session: Session, people) -> None:
    ana, bo, cy = people
    mine = save_view(session, bo, "Mine", "q=a")
    shared = save_view(session, ana, "Everyone", "q=b", shared=True, is_admin=True)
    session.commit()
    with pytest.raises(SavedViewError) as refused:
        delete_view(session, cy, mine.id)
    assert str(refused.value) == "You can only delete your own views."
    with pytest.raises(SavedViewError):
        delete_view(session, bo, shared.id)
    # The confirmation names the view and its owner, under the same rule.
    assert view_to_delete(session, ana, shared.id, is_admin=True).name == "Everyone"
    other = view_to_delete(session, bo, mine.id)
    assert (other.name, other.mine, other.owner) == ("Mine", True, "bo@example.com")
    for user, view_id, admin in ((cy, mine.id, True), (bo, shared.id, False)):
        with pytest.raises(SavedViewError):
            view_to_delete(session, user, view_id, is_admin=admin)
    delete_view(session, ana, shared.id, is_admin=True)  # admins tidy shared views
    delete_view(session, bo, mine.id)
    session.commit()
    assert list_views(session, bo) == []


def test_grid_preferences_are_remembered_per_user(session: Session, people) -> None:
    _, bo, cy = people
    assert get_preference(session, bo) is None
    save_preference(session, bo, ("title", "views", "bogus", "last_synced"), 200)
    save_preference(session, cy, DEFAULT_COLUMNS, 75)
    session.commit()
    assert get_preference(session, bo) == (("video_id", "title", "views", "last_synced"), 200)
    assert get_preference(session, cy) == (DEFAULT_COLUMNS, 50)
    save_preference(session, bo, ("isrc",), 100)
    session.commit()
    assert get_preference(session, bo) == (("video_id", "isrc"), 100)


# -- search documents ------------------------------------------------------------------------------------


def _document(session: Session, video_id: str) -> str | None:
    session.expire_all()
    return session.execute(
        select(VideoSearch.document)
        .join(Video, Video.id == VideoSearch.video_pk)
        .where(Video.video_id == video_id)
    ).scalar_one_or_none()


def test_triggers_keep_every_video_searchable(session: Session) -> None:
    session.add(
        Video(video_id="docvid00001", title="Golden Hour", label="Nova", artist=["Maya"], isrc="USABC2400001")
    )
    session.commit()
    assert _document(session, "docvid00001") == "'golden':1 'hour':2 'maya':4 'nova':3"
    session.execute(text("UPDATE video SET title = 'Silver Hour', views = 5 WHERE video_id = 'docvid00001'"))
    session.commit()
    assert _document(session, "docvid00001") == "'hour':2 'maya':4 'nova':3 'silver':1"
    session.execute(
        text("UPDATE video SET label = NULL, artist = ARRAY['Kai', 'Zoë'] WHERE video_id = 'docvid00001'")
    )
    session.commit()
    assert _document(session, "docvid00001") == "'hour':2 'kai':3 'silver':1 'zoe':4"  # accents off
    session.execute(text("UPDATE video SET channel_display_name = 'Écho TV' WHERE video_id = 'docvid00001'"))
    session.commit()
    assert _document(session, "docvid00001") == "'echo':5 'hour':2 'kai':3 'silver':1 'tv':6 'zoe':4"
    session.execute(text("INSERT INTO video (video_id, custom_id) VALUES ('docvid00002', 'a''b\\c')"))
    session.commit()
    assert _document(session, "docvid00002") == ""  # ids are not in the document: btree indexes find them
    session.execute(text("DELETE FROM video WHERE video_id = 'docvid00001'"))
    session.commit()
    assert session.execute(select(VideoSearch.video_pk)).scalars().all() == [
        session.execute(select(Video.id).where(Video.video_id == "docvid00002")).scalar_one()
    ]


def test_id_changes_leave_the_document_alone(session: Session) -> None:
    session.add(Video(video_id="docvid00003", title="Blue", asset_id="A1"))
    session.commit()
    before = session.execute(
        text(
            "SELECT s.xmin::text FROM video_search s JOIN video v ON v.id = s.video_pk WHERE v.video_id = 'docvid00003'"
        )
    ).scalar_one()
    session.execute(
        text("UPDATE video SET asset_id = 'A2', isrc = 'USABC2400009' WHERE video_id = 'docvid00003'")
    )
    session.execute(text("UPDATE video SET title = 'Blue' WHERE video_id = 'docvid00003'"))  # same value
    session.commit()
    after = session.execute(
        text(
            "SELECT s.xmin::text FROM video_search s JOIN video v ON v.id = s.video_pk WHERE v.video_id = 'docvid00003'"
        )
    ).scalar_one()
    assert after == before  # neither update rewrote the document row


# -- the change marker -------------------------------------------------------------------------------------


def test_the_marker_moves_when_a_change_commits(session: Session) -> None:
    marker, moved = change_marker(session)
    assert (marker, moved) == (ChangeMarker(0, ()), False)
    assert change_marker(session, marker) == (marker, False)
    session.add(Video(video_id="marker00001", title="A"))
    session.flush()
    change_set = open_change_set(session, "user", label="Edit notes")
    apply_changes(session, change_set, "marker00001", {"notes": "hi"}, allow_user_fields=True)
    session.commit()
    after, moved = change_marker(session, marker)
    assert moved is True
    assert after == ChangeMarker(change_set.id, ())
    assert change_marker(session, after) == (after, False)


def test_a_change_that_commits_after_a_newer_one_still_moves_the_marker(
    engine: Engine, session: Session
) -> None:
    seen, _ = change_marker(session)
    session.commit()
    with Session(engine) as long_ingest, Session(engine) as quick_edit:
        slow = open_change_set(long_ingest, "report", label="big report")  # id taken, not committed
        quick = open_change_set(quick_edit, "user", label="one edit")
        quick_edit.commit()
        first, moved = change_marker(session, seen)
        session.commit()
        assert moved is True
        assert first == ChangeMarker(quick.id, (slow.id,))  # the slower id is remembered as pending
        assert change_marker(session, first) == (first, False)
        session.commit()
        long_ingest.commit()
    second, moved = change_marker(session, first)
    assert moved is True
    assert second == ChangeMarker(quick.id, ())


def test_a_rolled_back_id_stays_pending_without_moving_the_marker(engine: Engine, session: Session) -> None:
    seen, _ = change_marker(session)
    session.commit()
    with Session(engine) as failed:
        lost = open_change_set(failed, "report", label="failed report")
        failed.rollback()
    kept = open_change_set(session, "user", label="edit")
    session.commit()
    marker, moved = change_marker(session, seen)
    assert moved is True
    assert marker == ChangeMarker(kept.id, (lost.id,))
    assert change_marker(session, marker) == (marker, False)
