"""Server-side sessions: expiry, sign-out, and revocation when a user is deactivated or changes password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from catalog_ui.models import UserSession
from catalog_ui.services.auth import open_session, resolve_session, sign_out, token_hash
from catalog_ui.services.users import create_user, set_active, set_password

PASSWORD = "correct-horse-42"


@pytest.fixture
def ana(session):
    user = create_user(session, "ana@example.com", PASSWORD, username="ana")
    create_user(session, "admin@example.com", "admin-horse-42", admin=True)
    session.commit()
    return user


def _open(session, user, n: int = 1) -> list[str]:
    tokens = [open_session(session, user, "10.0.0.1", "pytest", "flask-security")[0] for _ in range(n)]
    session.commit()
    return tokens


def test_only_the_token_hash_is_stored_and_resolves(session, ana) -> None:
    (token,) = _open(session, ana)
    record = session.execute(select(UserSession)).scalar_one()
    assert len(token) >= 40 and record.token_hash != token and len(record.token_hash) == 64
    assert (record.ip, record.user_agent, record.auth_method) == ("10.0.0.1", "pytest", "flask-security")
    assert resolve_session(session, token).user_id == ana.id
    assert resolve_session(session, token + "x") is None
    assert resolve_session(session, "") is None


def test_idle_and_absolute_expiry(session, ana) -> None:
    idle, absolute = _open(session, ana, 2)
    session.execute(
        text("UPDATE user_session SET last_seen_at = now() - interval '481 minutes' WHERE token_hash = :h"),
        {"h": token_hash(idle)},
    )
    session.execute(
        text("UPDATE user_session SET expires_at = now() - interval '1 second' WHERE token_hash = :h"),
        {"h": token_hash(absolute)},
    )
    session.commit()
    assert resolve_session(session, idle) is None
    assert resolve_session(session, absolute) is None


def test_use_moves_last_seen_forward(session, ana) -> None:
    (token,) = _open(session, ana)
    session.execute(text("UPDATE user_session SET last_seen_at = now() - interval '10 minutes'"))
    session.commit()
    assert resolve_session(session, token) is not None
    session.commit()
    seen = session.execute(text("SELECT now() - last_seen_at FROM user_session")).scalar_one()
    assert seen < timedelta(seconds=5)


def test_a_timer_does_not_keep_an_idle_session_alive(session, ana) -> None:
    (token,) = _open(session, ana)
    session.execute(text("UPDATE user_session SET last_seen_at = now() - interval '10 minutes'"))
    session.commit()
    assert resolve_session(session, token, touch=False) is not None
    session.commit()
    seen = session.execute(text("SELECT now() - last_seen_at FROM user_session")).scalar_one()
    assert seen >= timedelta(minutes=10)


def test_sign_out_revokes_only_that_session(session, ana) -> None:
    first, second = _open(session, ana, 2)
    sign_out(session, first)
    session.commit()
    assert resolve_session(session, first) is None
    assert resolve_session(session, second).user_id == ana.id


def test_deactivating_a_user_revokes_all_their_sessions(session, ana) -> None:
    tokens = _open(session, ana, 3)
    set_active(session, ana.id, False)
    session.commit()
    assert [resolve_session(session, t) for t in tokens] == [None, None, None]
    revoked = session.execute(
        text("SELECT count(*) FROM user_session WHERE revoked_at IS NOT NULL")
    ).scalar_one()
    assert revoked == 3
    set_active(session, ana.id, True)
    session.commit()
    assert [resolve_session(session, t) for t in tokens] == [None, None, None]


def test_an_inactive_user_is_refused_on_every_request_even_with_an_open_session(session, ana) -> None:
    (token,) = _open(session, ana)
    session.execute(text('UPDATE "user" SET active = false WHERE id = :id'), {"id": ana.id})
    session.commit()
    assert resolve_session(session, token) is None


def test_changing_a_password_revokes_all_sessions_but_the_one_kept(session, ana) -> None:
    own, other, third = _open(session, ana, 3)
    own_id = resolve_session(session, own).session_id
    assert set_password(session, ana.id, "new-horse-battery-7", keep_session_id=own_id) == 2
    session.commit()
    assert resolve_session(session, own).user_id == ana.id
    assert resolve_session(session, other) is None
    assert resolve_session(session, third) is None
    assert set_password(session, ana.id, "newer-horse-battery-8") == 1
    session.commit()
    assert resolve_session(session, own) is None
