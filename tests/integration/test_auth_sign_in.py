"""Password sign-in on the real database: e-mail or username, one generic message, login tracking, rehash."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from catalog_ui.models import User, UserSession
from catalog_ui.services.auth import WRONG_CREDENTIALS, AuthError, resolve_session, sign_in_password
from catalog_ui.services.users import create_user, set_active

PASSWORD = "correct-horse-42"


@pytest.fixture
def ana(session) -> User:
    user = create_user(session, "Ana@Example.com", PASSWORD, username="ana")
    session.commit()
    return user


def _refusal(session, login: str, password: str, ip: str = "10.0.0.1") -> str:
    with pytest.raises(AuthError) as raised:
        sign_in_password(session, login, password, ip, "pytest")
    session.rollback()
    return str(raised.value)


def test_sign_in_by_email_any_case_or_username_opens_a_session(session, ana: User) -> None:
    token, principal = sign_in_password(session, "ANA@example.com", PASSWORD, "10.0.0.1", "pytest")
    session.commit()
    assert (principal.user_id, principal.email, principal.username, principal.is_admin) == (
        ana.id,
        "ana@example.com",
        "ana",
        False,
    )
    assert resolve_session(session, token) == principal
    _, again = sign_in_password(session, "ana", PASSWORD, "10.0.0.2", "pytest")
    session.commit()
    assert again.user_id == ana.id
    stored = session.execute(select(UserSession.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 2


def test_login_tracking_moves_current_to_last(session, ana: User) -> None:
    sign_in_password(session, "ana", PASSWORD, "10.0.0.1", "pytest")
    session.commit()
    first = session.get(User, ana.id)
    first_at = first.current_login_at
    assert (first.login_count, first.current_login_ip, first.last_login_ip, first.last_login_at) == (
        1,
        "10.0.0.1",
        None,
        None,
    )
    sign_in_password(session, "ana", PASSWORD, "10.0.0.2", "pytest")
    session.commit()
    session.refresh(first)
    assert (first.login_count, first.current_login_ip, first.last_login_ip) == (2, "10.0.0.2", "10.0.0.1")
    assert first.last_login_at == first_at
    assert first.current_login_at > first_at


def test_wrong_password_unknown_user_and_inactive_user_get_the_same_message(session, ana: User) -> None:
    create_user(session, "admin@example.com", "admin-horse-42", admin=True)
    session.commit()
    assert _refusal(session, "ana", "wrong-password-1") == WRONG_CREDENTIALS
    assert _refusal(session, "nobody@example.com", PASSWORD, ip="10.0.0.2") == WRONG_CREDENTIALS
    set_active(session, ana.id, False)
    session.commit()
    assert _refusal(session, "ana", PASSWORD, ip="10.0.0.3") == WRONG_CREDENTIALS
    assert session.get(User, ana.id).login_count == 0


def test_invited_firebase_user_without_password_cannot_sign_in_by_password(session) -> None:
    create_user(session, "fb@example.com", None, auth_method="firebase")
    session.commit()
    assert _refusal(session, "fb@example.com", "") == WRONG_CREDENTIALS


def test_unknown_users_take_about_as_long_as_wrong_passwords(session, ana: User) -> None:
    # Interleaved, so that a burst of load on the machine weighs on both sides alike.
    times: dict[str, list[float]] = {"ana": [], "nobody-here": []}
    for attempt in range(4):  # the account locks at its fifth failure
        for login, spent in times.items():
            start = time.perf_counter()
            _refusal(session, login, f"wrong-password-{attempt}", ip=None)
            spent.append(time.perf_counter() - start)
    known, unknown = (sorted(spent)[1] for spent in times.values())
    assert unknown > 0.5 * known
    assert unknown < 2.0 * known


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(session, ana: User) -> None:
    old = PasswordHasher(time_cost=10).hash(PASSWORD)  # Flask-Security 4's argon2 rounds
    ana.password = old
    session.add(ana)
    session.commit()
    sign_in_password(session, "ana", PASSWORD, "10.0.0.1", "pytest")
    session.commit()
    upgraded = session.execute(select(User.password).where(User.id == ana.id)).scalar_one()
    assert upgraded != old
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    sign_in_password(session, "ana", PASSWORD, "10.0.0.1", "pytest")
    session.commit()
    assert session.execute(select(User.password).where(User.id == ana.id)).scalar_one() == upgraded
    assert session.execute(select(func.count()).select_from(UserSession)).scalar_one() == 2
