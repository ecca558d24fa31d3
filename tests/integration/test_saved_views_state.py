"""The grid's saved-views menu (SavedViewsState) against the real database: saving under a name the user
already has asks first and replaces only on the second click; deleting asks first, naming the view and,
for another user's shared view, its owner; the service's rule on who may delete still holds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from catalog_ui.services.auth import open_session
from catalog_ui.services.grid_view import GridView, VideoFilter
from catalog_ui.services.saved_views import list_views, save_view
from catalog_ui.services.users import create_user
from catalog_ui.state.saved_views import SavedViewsState
from tests.states import state_for

S = SavedViewsState


def _signed_in(session: Session, email: str, *, admin: bool = False) -> tuple[int, Any]:
    user = create_user(session, email, "correct-horse-42", admin=admin)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    return user.id, state_for(SavedViewsState, token)


def _queries(session: Session, user_id: int) -> list[tuple[str, str, bool]]:
    session.expire_all()
    return [(v.name, v.query, v.mine) for v in list_views(session, user_id)]


def _type_and_save(state: Any, name: str) -> Any:
    S.set_view_name.fn(state, name)
    return S.save_current.fn(state)


@pytest.fixture
def bo(session: Session) -> tuple[int, Any]:
    """A user whose grid shows 'golden' videos, with a view 'Mine' saved earlier."""
    user_id, state = _signed_in(session, "bo@example.com")
    save_view(session, user_id, "Mine", "q=old")
    session.commit()
    state._view = GridView(filter=VideoFilter(q="golden"))
    return user_id, state


def test_saving_over_an_existing_name_asks_then_replaces(session: Session, bo) -> None:
    user_id, state = bo
    S.open_save.fn(state)
    assert _type_and_save(state, " Mine") is None  # before: "Saved the view “Mine”", the old one gone
    assert state.save_open and state.replacing
    assert state.replace_detail == "You already have a view called “Mine”. Replace it with the current view?"
    assert _queries(session, user_id) == [("Mine", "q=old", True)]

    done = S.save_current.fn(state)  # the button now reads "Replace view “Mine”"
    assert "Replaced the view “Mine”." in repr(done)
    assert not state.save_open and not state.replacing
    assert _queries(session, user_id) == [("Mine", "q=golden", True)]


def test_a_confirmation_is_for_the_name_it_named(session: Session, bo) -> None:
    user_id, state = bo
    S.open_save.fn(state)
    _type_and_save(state, "Mine")
    assert state.replacing
    S.set_view_name.fn(state, "Mine 2")  # another name: a plain save again
    assert not state.replacing
    assert "Saved the view “Mine 2”." in repr(S.save_current.fn(state))
    S.open_save.fn(state)
    assert _type_and_save(state, "Mine") is None  # asked again: the earlier question was for that dialog
    assert _queries(session, user_id) == [("Mine", "q=old", True), ("Mine 2", "q=golden", True)]


def test_an_admins_shared_view_of_the_same_name_is_not_replaced(session: Session, bo) -> None:
    user_id, state = bo
    admin_id, _ = _signed_in(session, "ana@example.com", admin=True)
    save_view(session, admin_id, "Team", "q=team", shared=True, is_admin=True)
    session.commit()
    S.open_save.fn(state)
    assert "Saved the view “Team”." in repr(_type_and_save(state, "Team"))  # the user's own, beside it
    assert _queries(session, user_id) == [
        ("Mine", "q=old", True),
        ("Team", "q=team", False),
        ("Team", "q=golden", True),
    ]


def _shared_views(session: Session, user_id: int) -> list[tuple[str, str, bool]]:
    session.expire_all()
    return [(v.name, v.query, v.shared) for v in list_views(session, user_id) if v.mine]


@pytest.fixture
def ana(session: Session) -> tuple[int, Any]:
    """An admin whose grid shows 'golden' videos, with a view 'Team' she shared earlier."""
    user_id, state = _signed_in(session, "ana@example.com", admin=True)
    save_view(session, user_id, "Team", "q=old", shared=True, is_admin=True)
    session.commit()
    state._view = GridView(filter=VideoFilter(q="golden"))
    return user_id, state


def test_replacing_ones_shared_view_keeps_it_shared_and_says_so(session: Session, ana) -> None:
    user_id, state = ana
    S.open_save.fn(state)
    assert not state.share  # the box starts unticked, as for any new view
    _type_and_save(state, "Team")
    assert state.replacing and state.share  # the view's own sharing, not the box's default
    assert state.replace_detail == (
        "You already have a view called “Team”, shared with everybody. Replacing it changes it for everybody."
    )
    assert "Replaced the view “Team”." in repr(S.save_current.fn(state))
    # Before: silently private, gone from everybody else's menu.
    assert _shared_views(session, user_id) == [("Team", "q=golden", True)]


def test_unticking_share_before_replacing_makes_it_private_and_the_question_says_so(
    session: Session, ana
) -> None:
    user_id, state = ana
    S.open_save.fn(state)
    _type_and_save(state, "Team")
    S.set_share.fn(state, False)
    assert state.replace_detail == (
        "You already have a view called “Team”, shared with everybody. With “Share with everybody” "
        "unticked, replacing it makes it private: it disappears for everybody else."
    )
    assert "Replaced the view “Team”; it is private now." in repr(S.save_current.fn(state))
    assert _shared_views(session, user_id) == [("Team", "q=golden", False)]


def test_a_choice_made_before_the_question_stands(session: Session, ana) -> None:
    user_id, state = ana
    save_view(session, user_id, "Mine", "q=mine", is_admin=True)
    session.commit()
    S.open_save.fn(state)
    S.set_share.fn(state, True)
    _type_and_save(state, "Mine")
    assert state.share
    assert (
        state.replace_detail
        == "You already have a view called “Mine”. Replacing it shares it with everybody."
    )
    S.open_save.fn(state)
    S.set_share.fn(state, True)
    S.set_share.fn(state, False)  # unticked on purpose: not ticked again by the question
    _type_and_save(state, "Team")
    assert not state.share and "makes it private" in state.replace_detail


def test_a_former_admin_replacing_their_shared_view_is_told_it_becomes_private(session: Session) -> None:
    user_id, state = _signed_in(session, "cy@example.com")
    save_view(session, user_id, "Old team", "q=old", shared=True, is_admin=True)  # shared while an admin
    session.commit()
    state._view = GridView(filter=VideoFilter(q="golden"))
    S.open_save.fn(state)
    _type_and_save(state, "Old team")
    assert not state.share  # not ticked: the server would refuse a user's share
    assert state.replace_detail == (
        "You already have a view called “Old team”, shared with everybody. Only admins share views: "
        "replacing it makes it private, gone for everybody else."
    )
    assert "it is private now" in repr(S.save_current.fn(state))
    assert _shared_views(session, user_id) == [("Old team", "q=golden", False)]


def test_deleting_a_view_asks_first_and_names_it(session: Session, bo) -> None:
    user_id, state = bo
    S.load_saved_views.fn(state)
    mine = state.saved_views[0]
    assert S.ask_delete.fn(state, mine.id) is None  # before: deleted at the first click
    assert state.delete_open
    assert (state.delete_title, state.delete_detail) == ("Delete the view “Mine”?", "Only you see this view.")
    assert _queries(session, user_id) == [("Mine", "q=old", True)]

    S.cancel_delete.fn(state)
    assert _queries(session, user_id) == [("Mine", "q=old", True)]

    S.ask_delete.fn(state, mine.id)
    assert "Deleted the view “Mine”." in repr(S.confirm_delete.fn(state))
    assert S.confirm_delete.fn(state) is None  # a double click deletes once, quietly
    assert _queries(session, user_id) == [] and state.saved_views == []


def test_deleting_another_users_shared_view_names_its_owner(session: Session, bo) -> None:
    user_id, state = bo
    ana_id, _ = _signed_in(session, "ana@example.com", admin=True)
    cy_id, cy = _signed_in(session, "cy@example.com", admin=True)
    shared = save_view(session, ana_id, "Team", "q=team", shared=True, is_admin=True)
    private = save_view(session, ana_id, "Ana only", "q=ana", is_admin=True)
    session.commit()

    S.ask_delete.fn(cy, shared.id)
    assert cy.delete_title == "Delete ana@example.com’s shared view “Team”?"
    assert cy.delete_detail == "It was saved by ana@example.com; it disappears for everybody, them included."
    S.set_delete_open.fn(cy, False)  # Escape
    assert not cy.delete_open
    assert [v[0] for v in _queries(session, cy_id)] == ["Team"]

    # Who may delete is the server's rule: not a user for a shared view, nobody for a private one.
    assert "You can only delete your own views." in repr(S.ask_delete.fn(state, shared.id))
    assert not state.delete_open
    assert "That saved view no longer exists." in repr(S.ask_delete.fn(cy, private.id))
    assert not cy.delete_open

    S.ask_delete.fn(cy, shared.id)
    assert "Deleted the view “Team”." in repr(S.confirm_delete.fn(cy))
    assert [v[0] for v in _queries(session, ana_id)] == ["Ana only"]
    assert _queries(session, user_id) == [("Mine", "q=old", True)]
