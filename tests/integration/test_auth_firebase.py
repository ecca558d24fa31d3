"""Firebase sign-in against the real Auth emulator: token checks, mapping, linking, sign-up domains."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from catalog_ui.models import User, UserSession
from catalog_ui.services.auth import AuthError, resolve_session
from catalog_ui.services.firebase_auth import INVALID_TOKEN, sign_in_firebase
from catalog_ui.services.users import create_user, set_active
from catalog_ui.settings import get_settings
from tests.firebase import emulator as harness

firebase_emulator = harness.firebase_emulator
FIREBASE_PASSWORD = "firebase-horse-42"


@pytest.fixture
def emulator(firebase_emulator: harness.AuthEmulator, engine) -> Iterator[harness.AuthEmulator]:
    get_settings.cache_clear()
    firebase_emulator.clear()
    yield firebase_emulator
    firebase_emulator.clear()
    get_settings.cache_clear()


def _email() -> str:
    return f"fb-{uuid.uuid4().hex[:8]}@example.com"


def _token(emulator: harness.AuthEmulator, email: str, verified: bool = True) -> tuple[str, str]:
    uid = emulator.create_user(email, FIREBASE_PASSWORD, verified=verified)
    return uid, emulator.id_token(email, FIREBASE_PASSWORD)


def _refusal(session, token: str) -> str:
    with pytest.raises(AuthError) as raised:
        sign_in_firebase(session, token, "10.0.0.1", "pytest")
    session.rollback()
    return str(raised.value)


def test_an_invited_user_is_linked_on_first_sign_in_and_found_by_uid_after(session, emulator) -> None:
    email = _email()
    invited = create_user(session, email, None, auth_method="firebase")
    session.commit()
    uid, token = _token(emulator, email)
    session_token, principal = sign_in_firebase(session, token, "10.0.0.1", "pytest")
    session.commit()
    assert principal.user_id == invited.id
    row = session.execute(select(User.firebase_uid, User.auth_method, User.login_count)).one()
    assert tuple(row) == (uid, "firebase", 1)
    assert resolve_session(session, session_token).email == email
    assert session.execute(select(UserSession.auth_method)).scalar_one() == "firebase"

    emulator.update_user(uid, email="renamed-" + email)  # the uid, not the e-mail, is what counts now
    renamed = emulator.id_token("renamed-" + email, FIREBASE_PASSWORD)
    _, again = sign_in_firebase(session, renamed, "10.0.0.2", "pytest")
    session.commit()
    assert again.user_id == invited.id


def test_an_existing_password_user_is_linked_by_verified_email(session, emulator) -> None:
    email = _email()
    user = create_user(session, email, "correct-horse-42")
    session.commit()
    uid, token = _token(emulator, email)
    _, principal = sign_in_firebase(session, token)
    session.commit()
    assert principal.user_id == user.id
    assert tuple(session.execute(select(User.firebase_uid, User.auth_method)).one()) == (uid, "firebase")


def test_unknown_users_are_refused_with_a_clear_message(session, emulator) -> None:
    email = _email()
    _, token = _token(emulator, email)
    assert _refusal(session, token) == f"There is no Catalog account for {email}. Ask an admin to invite you."
    assert session.execute(select(User)).first() is None


def test_allowed_domains_sign_up_as_plain_users(session, emulator, monkeypatch) -> None:
    monkeypatch.setenv("FIREBASE_SIGNUP_DOMAINS", '["example.com"]')
    get_settings.cache_clear()
    email = _email()
    uid, token = _token(emulator, email)
    _, principal = sign_in_firebase(session, token)
    session.commit()
    user = session.get(User, principal.user_id)
    assert (user.email, user.firebase_uid, user.auth_method, user.password, user.is_admin) == (
        email,
        uid,
        "firebase",
        None,
        False,
    )
    monkeypatch.setenv("FIREBASE_SIGNUP_DOMAINS", '["other.org"]')
    get_settings.cache_clear()
    stranger = _email()
    _, token = _token(emulator, stranger)
    assert (
        _refusal(session, token) == f"There is no Catalog account for {stranger}. Ask an admin to invite you."
    )


def test_an_unverified_email_is_not_enough_to_link(session, emulator) -> None:
    email = _email()
    create_user(session, email, None, auth_method="firebase")
    session.commit()
    _, token = _token(emulator, email, verified=False)
    assert _refusal(session, token) == "Verify your e-mail address with Firebase first, then sign in again."
    assert session.execute(select(User.firebase_uid)).scalar_one() is None


def test_an_email_linked_to_another_firebase_account_is_refused(session, emulator) -> None:
    email = _email()
    create_user(session, email, None, auth_method="firebase", firebase_uid="someone-else")
    session.commit()
    _, token = _token(emulator, email)
    assert _refusal(session, token) == f"{email} is linked to another Firebase account."


def test_a_deactivated_catalog_user_is_refused(session, emulator) -> None:
    create_user(session, "boss@example.com", "correct-horse-42", admin=True)
    email = _email()
    user = create_user(session, email, None, auth_method="firebase")
    set_active(session, user.id, False)
    session.commit()
    _, token = _token(emulator, email)
    assert _refusal(session, token) == "This Catalog account is deactivated. Ask an admin to reactivate it."


def test_revoked_disabled_and_forged_tokens_are_refused(session, emulator) -> None:
    email = _email()
    create_user(session, email, None, auth_method="firebase")
    session.commit()
    uid, token = _token(emulator, email)
    emulator.update_user(uid, validSince=str(int(time.time()) + 1))  # revokes tokens issued before
    time.sleep(1.1)
    assert _refusal(session, token) == INVALID_TOKEN
    fresh = emulator.id_token(email, FIREBASE_PASSWORD)
    emulator.update_user(uid, disableUser=True)
    assert _refusal(session, fresh) == "This Firebase account is disabled."
    assert _refusal(session, "not-a-token") == INVALID_TOKEN
    assert session.execute(select(UserSession)).first() is None
