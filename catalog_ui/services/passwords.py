"""Password hashing with argon2id (argon2-cffi), stored as standard PHC strings Flask-Security can read.

Flask-Security (5.x, through passlib/libpass) hashes with argon2-cffi's own defaults, so our hashes and its
hashes share parameters. It also normalises passwords to NFKD and, unless argon2 is listed in its
SECURITY_PASSWORD_SINGLE_HASH, first turns them into base64(HMAC-SHA512(SECURITY_PASSWORD_SALT, password)).
We do the same when SECURITY_PASSWORD_SALT is set, so a user table can be shared both ways.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from catalog_ui.settings import get_settings

_hasher = PasswordHasher()


def _prepared(password: str, salt: str | None) -> str:
    normalized = unicodedata.normalize("NFKD", password)
    if not salt:
        return normalized
    digest = hmac.new(salt.encode(), normalized.encode(), hashlib.sha512).digest()
    return base64.b64encode(digest).decode("ascii")


def _salt() -> str | None:
    configured = get_settings().security_password_salt
    return configured.get_secret_value() if configured else None


def hash_password(password: str) -> str:
    """Return the argon2id PHC string for `password` (HMAC'd first when SECURITY_PASSWORD_SALT is set)."""
    return _hasher.hash(_prepared(password, _salt()))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for a mismatch or an unreadable hash."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, _prepared(password, _salt()))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when `stored_hash` was made with other parameters (or another argon2 type) than ours."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
