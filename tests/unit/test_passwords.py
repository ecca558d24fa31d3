"""argon2id hashes shared both ways with Flask-Security, rehash detection, and the weak-password rules.

Flask-Security 5 hashes with passlib's argon2 handler, which takes argon2-cffi's own defaults
(`PasswordHasher()`: argon2id, t=3, m=65536, p=4), after NFKD normalisation and, unless argon2 is in its
SECURITY_PASSWORD_SINGLE_HASH, an HMAC-SHA512 of the password keyed with SECURITY_PASSWORD_SALT. The
"Flask-Security side" below is written out from those rules with argon2-cffi, independently of our module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError

from catalog_ui.services.passwords import hash_password, needs_rehash, verify_password
from catalog_ui.services.users import UserError, validate_password
from catalog_ui.settings import get_settings

SALT = "flask-security-salt-0123456789"
PASSWORD = "Ünïcode-horse-42"


def _flask_security_prepared(password: str, salt: str | None) -> str:
    normalized = unicodedata.normalize("NFKD", password)
    if salt is None:
        return normalized
    return base64.b64encode(hmac.new(salt.encode(), normalized.encode(), hashlib.sha512).digest()).decode()


def _flask_security_hash(password: str, salt: str | None, hasher: PasswordHasher | None = None) -> str:
    return (hasher or PasswordHasher()).hash(_flask_security_prepared(password, salt))


def _flask_security_verifies(stored: str, password: str, salt: str | None) -> bool:
    try:
        return PasswordHasher().verify(stored, _flask_security_prepared(password, salt))
    except VerifyMismatchError:
        return False


@pytest.fixture
def flask_security_salt(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SECURITY_PASSWORD_SALT", SALT)
    get_settings.cache_clear()
    yield SALT
    monkeypatch.delenv("SECURITY_PASSWORD_SALT")
    get_settings.cache_clear()


@pytest.fixture
def no_salt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SECURITY_PASSWORD_SALT", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_are_flask_securitys_argon2_defaults(no_salt) -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert _flask_security_hash(PASSWORD, None).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_hash_made_by_flask_security_verifies_here_with_its_salt(flask_security_salt: str) -> None:
    stored = _flask_security_hash(PASSWORD, flask_security_salt)
    assert verify_password(stored, PASSWORD) is True
    assert verify_password(stored, PASSWORD + "x") is False
    assert needs_rehash(stored) is False


def test_our_hash_verifies_in_flask_security_with_its_salt(flask_security_salt: str) -> None:
    stored = hash_password(PASSWORD)
    assert _flask_security_verifies(stored, PASSWORD, flask_security_salt) is True
    assert _flask_security_verifies(stored, "Ünïcode-horse-43", flask_security_salt) is False
    # Without the HMAC step the raw password does not match: the salt really is applied.
    assert _flask_security_verifies(stored, PASSWORD, None) is False


def test_single_hash_mode_interoperates_both_ways(no_salt) -> None:
    theirs = _flask_security_hash(PASSWORD, None)
    assert verify_password(theirs, PASSWORD) is True
    assert _flask_security_verifies(hash_password(PASSWORD), PASSWORD, None) is True


def test_passwords_are_compared_after_nfkd_normalisation(no_salt) -> None:
    composed = "Caf\u00e9-password-9"
    decomposed = "Cafe\u0301-password-9"
    assert verify_password(hash_password(composed), decomposed) is True


def test_old_parameters_and_other_types_need_a_rehash(no_salt) -> None:
    older_flask_security = PasswordHasher(time_cost=10)  # Flask-Security 4's argon2__rounds=10
    assert needs_rehash(_flask_security_hash(PASSWORD, None, older_flask_security)) is True
    assert needs_rehash(_flask_security_hash(PASSWORD, None, PasswordHasher(type=Type.I))) is True
    assert needs_rehash(hash_password(PASSWORD)) is False
    assert verify_password(_flask_security_hash(PASSWORD, None, older_flask_security), PASSWORD) is True


def test_unreadable_or_missing_hashes_never_verify(no_salt) -> None:
    assert verify_password(None, PASSWORD) is False
    assert verify_password("", PASSWORD) is False
    assert verify_password("$2b$12$notanargonhash", PASSWORD) is False
    assert needs_rehash("plain-text") is True


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "Passwords need at least 10 characters."),
        ("aaaaaaaaaaaa", "This password is too easy to guess; use more different characters."),
        ("Password123", "This password is too easy to guess; use more different characters."),
        ("x" * 257 + "abcd", "Passwords can have at most 256 characters."),
        ("Ana.Maria-99@Example.com", "The password must not be the e-mail address or username."),
        ("ana.maria-99", "The password must not be the e-mail address or username."),
        ("boss-king-99", "The password must not be the e-mail address or username."),
    ],
)
def test_weak_passwords_get_a_clear_message(password: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        validate_password(password, email="ana.maria-99@example.com", username="boss-king-99")
    assert str(raised.value) == message


def test_a_good_password_passes() -> None:
    validate_password("correct-horse-42", email="ana@example.com", username="ana")
