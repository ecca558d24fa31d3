"""The trail of account administration: every change an admin makes on /users (and the command line, and
a Firebase sign-up) is recorded with who made it; refused changes and changes that change nothing are
not; admins read it on /users, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog_ui.cli import ensure_first_admin, main
from catalog_ui.services.account_changes import list_changes
from catalog_ui.services.auth import open_session
from catalog_ui.services.firebase_auth import FirebaseIdentity, user_for_identity
from catalog_ui.services.users import create_user
from catalog_ui.settings import get_settings
from catalog_ui.state.users import UsersState
from tests.states import state_for

PASSWORD = "correct-horse-42"


def _trail(session: Session) -> list[tuple[str, str, str, str]]:
    """(by, change, account, detail), oldest first."""
    session.expire_all()
    rows = list_changes(session, per_page=100).rows
    return [(r.actor, r.action, r.user_email, r.detail) for r in reversed(rows)]


def _id(session: Session, email: str) -> int:
    return session.execute(text('SELECT id FROM "user" WHERE email = :e'), {"e": email}).scalar_one()


@pytest.fixture
def ana(session: Session) -> Any:
    """The users page of an admin, with the trail emptied of her own creation."""
    admin = create_user(session, "ana@example.com", PASSWORD, admin=True)
    token = open_session(session, admin, "127.0.0.1", "pytest", "flask-security")[0]
    session.execute(text("DELETE FROM account_change"))
    session.commit()
    return state_for(UsersState, token)


def test_an_admins_changes_on_the_users_page_are_recorded_with_who_made_them(session: Session, ana) -> None:
    UsersState.create_user.fn(ana, {"email": "bo@example.com", "password": PASSWORD, "admin": "on"})
    bo = _id(session, "bo@example.com")
    for _ in range(2):
        open_session(session, _user(session, bo), "10.0.0.2", "x", "flask-security")
    session.commit()
    UsersState.set_admin.fn(ana, bo, False)
    UsersState.set_admin.fn(ana, bo, False)  # already a plain user: nothing changes, nothing recorded
    UsersState.open_sessions.fn(ana, bo, "bo@example.com")
    UsersState.revoke_session.fn(ana, int(ana.sessions[0]["id"]))
    UsersState.set_active.fn(ana, bo, False)
    UsersState.set_active.fn(ana, bo, True)
    UsersState.open_reset.fn(ana, bo, "bo@example.com")
    UsersState.reset_password.fn(ana, {"password": "fresh-battery-77", "confirm": "fresh-battery-77"})
    open_session(session, _user(session, bo), "10.0.0.2", "x", "flask-security")
    session.commit()
    UsersState.open_sessions.fn(ana, bo, "bo@example.com")
    UsersState.revoke_all_sessions.fn(ana)
    UsersState.revoke_all_sessions.fn(ana)  # none left: nothing recorded

    by = "ana@example.com"
    assert _trail(session) == [
        (by, "created the account", "bo@example.com", "password sign-in"),
        (by, "granted the admin role", "bo@example.com", ""),
        (by, "revoked the admin role", "bo@example.com", ""),
        (by, "ended sessions", "bo@example.com", "1 session ended"),
        (by, "deactivated the account", "bo@example.com", "1 session ended"),
        (by, "reactivated the account", "bo@example.com", ""),
        (by, "set a new password", "bo@example.com", "0 sessions ended"),
        (by, "ended sessions", "bo@example.com", "1 session ended"),
    ]


def test_a_refused_change_records_nothing(session: Session, ana) -> None:
    own = _id(session, "ana@example.com")
    assert "last active admin" in repr(UsersState.set_admin.fn(ana, own, False))
    UsersState.create_user.fn(ana, {"email": "ana@example.com", "password": PASSWORD})  # taken
    assert ana.create_error
    assert _trail(session) == []


def test_the_users_page_lists_the_trail_newest_first_a_page_at_a_time(session: Session, ana) -> None:
    admin_id = _id(session, "ana@example.com")
    session.execute(
        text(
            "INSERT INTO account_change (actor_id, actor, user_id, user_email, action) "
            "SELECT :a, 'ana@example.com', :a, 'user' || n || '@example.com', 'created' "
            "FROM generate_series(1, 30) n"
        ),
        {"a": admin_id},
    )
    session.commit()
    UsersState.open_changes.fn(ana)
    assert ana.changes_open and (ana.changes_total, ana.changes_pages) == (30, 2)
    assert [row["user_email"] for row in ana.changes[:2]] == ["user30@example.com", "user29@example.com"]
    assert len(ana.changes) == 25
    UsersState.next_changes.fn(ana)
    assert [row["user_email"] for row in ana.changes] == [f"user{n}@example.com" for n in range(5, 0, -1)]


def test_the_command_line_and_the_first_start_are_named_as_such(session: Session, capsys) -> None:
    assert ensure_first_admin() is not None
    assert main(["create-user", "--email", "ops@example.com", "--password", PASSWORD]) == 0
    assert main(["set-password", "--login", "ops", "--password", "fresh-battery-77"]) == 0
    capsys.readouterr()
    assert _trail(session) == [
        ("first start-up", "created the account", "admin@example.com", "password sign-in"),
        ("first start-up", "granted the admin role", "admin@example.com", ""),
        ("command line", "created the account", "ops@example.com", "password sign-in"),
        ("command line", "set a new password", "ops@example.com", "0 sessions ended"),
    ]


def test_a_firebase_sign_up_is_named_as_such(session: Session, monkeypatch) -> None:
    monkeypatch.setenv("FIREBASE_SIGNUP_DOMAINS", '["acme.com"]')
    get_settings.cache_clear()
    user_for_identity(session, FirebaseIdentity("uid-new", "new@acme.com", True))
    session.commit()
    get_settings.cache_clear()
    assert _trail(session) == [
        ("Firebase sign-up", "created the account", "new@acme.com", "Firebase sign-in")
    ]


def test_an_entry_outlives_the_accounts_it_names(session: Session, ana) -> None:
    UsersState.create_user.fn(ana, {"email": "bo@example.com", "password": PASSWORD})
    session.execute(text("""DELETE FROM "user" WHERE email IN ('bo@example.com', 'ana@example.com')"""))
    session.commit()
    assert _trail(session) == [
        ("ana@example.com", "created the account", "bo@example.com", "password sign-in")
    ]
    assert session.execute(text("SELECT actor_id, user_id FROM account_change")).one() == (None, None)
    with pytest.raises(IntegrityError, match="ck_account_change_action_allowed"):
        session.execute(text("UPDATE account_change SET action = 'renamed'"))
    session.rollback()


def _user(session: Session, user_id: int):
    from catalog_ui.models import User

    session.expire_all()
    return session.get(User, user_id)


def test_a_role_or_status_change_waits_for_a_confirmation_that_says_what_it_does(
    session: Session, ana
) -> None:
    UsersState.create_user.fn(ana, {"email": "bo@example.com", "password": PASSWORD, "admin": "on"})
    bo, own = _id(session, "bo@example.com"), _id(session, "ana@example.com")
    open_session(session, _user(session, bo), "10.0.0.2", "x", "flask-security")
    session.commit()
    session.execute(text("DELETE FROM account_change"))
    session.commit()

    # The buttons ask; nothing changes until the confirmation's own button.
    UsersState.ask_set_active.fn(ana, bo, False)
    assert ana.confirm_open and ana.confirm_title == "Deactivate bo@example.com?"
    assert ana.confirm_detail == (
        "They are signed out everywhere (1 open session ends now) and cannot sign in again."
    )
    UsersState.set_confirm_open.fn(ana, False)  # Cancel, Escape
    assert not ana.confirm_open and _trail(session) == []

    UsersState.ask_set_admin.fn(ana, own, False)  # one's own role: only another admin gives it back
    assert (ana.confirm_title, ana.confirm_action) == ("Remove your own admin role?", "Remove my admin role")
    assert "only another admin can give the role back" in ana.confirm_detail
    assert _trail(session) == []

    UsersState.ask_set_admin.fn(ana, bo, False)
    assert ana.confirm_title == "Remove the admin role of bo@example.com?"
    assert "is no longer an admin" in repr(UsersState.confirm_change.fn(ana))
    assert UsersState.confirm_change.fn(ana) is None  # a second click finds the dialog closed
    assert _trail(session) == [("ana@example.com", "revoked the admin role", "bo@example.com", "")]

    UsersState.ask_set_admin.fn(ana, own, False)  # now the last admin: refused when confirmed
    assert "last active admin" in repr(UsersState.confirm_change.fn(ana))
    assert "cannot deactivate your own account" in repr(UsersState.ask_set_active.fn(ana, own, False))
    assert not ana.confirm_open
    assert len(_trail(session)) == 1
