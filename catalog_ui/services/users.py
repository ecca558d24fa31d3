"""User accounts: create and list users, passwords, the admin role, activation and open sessions.

`set_admin` is the one place that changes the admin role, and it keeps `user.is_admin` in step with it.
Every change that could leave the catalog without an active admin locks the admin role row first, so two
admins demoting each other at the same moment cannot both succeed. Every change made here is recorded in
the account trail (`services.account_changes`) with who made it: `by`, the admin's user id, or else `via`,
how (the command line, a Firebase sign-up).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog_ui.models import Role, RolesUsers, User, UserSession, utc_now
from catalog_ui.services.account_changes import COMMAND_LINE, record
from catalog_ui.services.auth import clear_account_lock, revoke_user_sessions
from catalog_ui.services.passwords import hash_password
from catalog_ui.settings import get_settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# An e-mail address: no blanks, control characters, or characters that separate or quote addresses
# (`,;<>"()[]\`); a domain of non-empty dot-separated labels.
_EMAIL_CHAR = r"[^@\s,;<>\"()\[\]\\\x00-\x1f\x7f]"
_LABEL = _EMAIL_CHAR.replace("[^@", "[^@.")
EMAIL_PATTERN = re.compile(rf"^{_EMAIL_CHAR}+@(?:{_LABEL}+\.)+{_LABEL}+$")
EMAIL_MAX_LENGTH = 254  # RFC 5321's limit for a forward path; the column holds 255
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._+-]{1,80}$")  # no @: a login is an e-mail or a username
COMMON_PASSWORDS = frozenset(
    {"password123", "password1234", "1234567890", "qwertyuiop", "1q2w3e4r5t", "letmein123", "welcome123"}
)
LIKE_SPECIALS = re.compile(r"[\\%_]")
LAST_ADMIN = "This is the last active admin; make another user admin first."


class UserError(ValueError):
    """A user-facing problem with account data (bad e-mail, weak password, taken name, last admin)."""


@dataclass(frozen=True)
class UserRow:
    """One line of the users list."""

    id: int
    email: str
    username: str
    auth_method: str
    is_admin: bool
    active: bool
    has_password: bool
    firebase_linked: bool
    login_count: int
    current_login_at: datetime | None
    current_login_ip: str | None
    last_login_at: datetime | None
    last_login_ip: str | None
    created_at: datetime
    open_sessions: int


@dataclass(frozen=True)
class UserPage:
    """One page of users and the size of the whole (filtered) list."""

    rows: list[UserRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class SessionRow:
    """One open session of a user."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    auth_method: str


def validate_password(password: str, *, email: str = "", username: str = "") -> None:
    """Raise UserError with a clear message when `password` is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"Passwords can have at most {MAX_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if password.strip() == "" or len(set(password)) < 4 or lowered in COMMON_PASSWORDS:
        raise UserError("This password is too easy to guess; use more different characters.")
    if lowered in {email.lower(), email.split("@", 1)[0].lower(), username.lower()}:
        raise UserError("The password must not be the e-mail address or username.")


def free_username(session: Session, email: str) -> str:
    """A username for `email` when none is chosen: its local part, without the characters usernames do not
    take, made unique with a number (`ana`, `ana-2`) so that it never refuses a new e-mail address."""
    base = re.sub(r"[^A-Za-z0-9._+-]", "", email.split("@", 1)[0])[:72] or "user"
    taken = {
        name.lower()
        for name in session.execute(
            select(User.username).where(func.lower(User.username).like(base.lower() + "%"))
        ).scalars()
    }
    if base.lower() not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}".lower() not in taken)


def role_id(session: Session, name: str) -> int:
    """The id of role `name` (created by the first migration)."""
    return session.execute(select(Role.id).where(Role.name == name)).scalar_one()


def create_user(
    session: Session,
    email: str,
    password: str | None,
    *,
    username: str | None = None,
    admin: bool = False,
    auth_method: str = "flask-security",
    firebase_uid: str | None = None,
    by: int | None = None,
    via: str = COMMAND_LINE,
) -> User:
    """Create a user with the `user` role (and `admin` when asked).

    A password user needs a password (hashed with argon2id); a Firebase user may have none: the first
    Firebase sign-in with this verified e-mail links the account.
    """
    email = email.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise UserError(f"E-mail addresses have at most {EMAIL_MAX_LENGTH} characters.")
    if not EMAIL_PATTERN.match(email):
        raise UserError(f"'{email}' is not a valid e-mail address.")
    username = (username or "").strip() or free_username(session, email)
    if not USERNAME_PATTERN.match(username):
        raise UserError("Usernames have up to 80 letters, digits or . _ + - (no spaces or @).")
    if auth_method not in ("flask-security", "firebase"):
        raise UserError(f"Unknown sign-in method '{auth_method}'.")
    if auth_method == "flask-security" and not password:
        raise UserError("A password is needed for password sign-in.")
    taken = session.execute(
        select(User.id).where(
            (func.lower(User.email) == email) | (func.lower(User.username) == username.lower())
        )
    ).first()
    if taken:
        raise UserError("A user with this e-mail or username already exists.")
    if password:
        validate_password(password, email=email, username=username)
    user = User(
        email=email,
        username=username,
        password=hash_password(password) if password else None,
        auth_method=auth_method,
        firebase_uid=firebase_uid,
    )
    try:
        with session.begin_nested():  # another admin may have just created the same account
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UserError("A user with this e-mail or username already exists.") from None
    session.add(RolesUsers(user_id=user.id, role_id=role_id(session, "user")))
    session.flush()
    method = "Firebase sign-in" if auth_method == "firebase" else "password sign-in"
    record(session, "created", user, by=by, via=via, detail=method)
    if admin:
        set_admin(session, user.id, True, by=by, via=via)
    return user


def _lock_admin_role(session: Session) -> None:
    session.execute(select(Role.id).where(Role.name == "admin").with_for_update())


def _other_active_admins(session: Session, user_id: int) -> int:
    query = (
        select(func.count())
        .select_from(RolesUsers)
        .join(Role, Role.id == RolesUsers.role_id)
        .join(User, User.id == RolesUsers.user_id)
        .where(Role.name == "admin", User.active.is_(True), User.id != user_id)
    )
    return session.execute(query).scalar_one()


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserError("This user no longer exists.")
    return user


def set_admin(
    session: Session, user_id: int, admin: bool, *, by: int | None = None, via: str = COMMAND_LINE
) -> User:
    """Grant or revoke the admin role, keeping `user.is_admin` in step; refuses to demote the last admin."""
    _lock_admin_role(session)
    user = _user(session, user_id)
    admin_role = role_id(session, "admin")
    held = session.get(RolesUsers, (user.id, admin_role)) is not None
    if admin:
        if not held:
            session.add(RolesUsers(user_id=user.id, role_id=admin_role))
    else:
        if user.active and _other_active_admins(session, user.id) == 0:
            raise UserError(LAST_ADMIN)
        session.execute(
            delete(RolesUsers).where(RolesUsers.user_id == user.id, RolesUsers.role_id == admin_role)
        )
    if held != admin:
        record(session, "admin_granted" if admin else "admin_revoked", user, by=by, via=via)
    user.is_admin = admin
    session.add(user)
    session.flush()
    return user


def set_active(
    session: Session, user_id: int, active: bool, *, by: int | None = None, via: str = COMMAND_LINE
) -> User:
    """Deactivate (revoking every session) or reactivate a user; refuses to deactivate the last admin."""
    _lock_admin_role(session)
    user = _user(session, user_id)
    ended = 0
    if not active:
        if user.is_admin and user.active and _other_active_admins(session, user.id) == 0:
            raise UserError(LAST_ADMIN)
        ended = revoke_user_sessions(session, user.id)
    if user.active != active:
        detail = _sessions_ended(ended) if not active else None
        record(session, "reactivated" if active else "deactivated", user, by=by, via=via, detail=detail)
    user.active = active
    session.add(user)
    session.flush()
    return user


def set_password(
    session: Session,
    user_id: int,
    password: str,
    keep_session_id: int | None = None,
    *,
    by: int | None = None,
    via: str = COMMAND_LINE,
) -> int:
    """Set a new password and revoke the user's sessions (but `keep_session_id`); returns how many.

    The account's sign-in lock goes too: a user locked out by failed guesses signs in with the new one."""
    user = _user(session, user_id)
    validate_password(password, email=user.email, username=user.username)
    user.password = hash_password(password)
    session.add(user)
    session.flush()
    clear_account_lock(session, user.id)
    ended = revoke_user_sessions(session, user.id, except_session_id=keep_session_id)
    record(session, "password_set", user, by=by, via=via, detail=_sessions_ended(ended))
    return ended


def end_sessions(
    session: Session, user_id: int, *, by: int | None, except_session_id: int | None = None
) -> int:
    """End every open session of a user (but `except_session_id`, the admin's own); returns how many."""
    user = _user(session, user_id)
    ended = revoke_user_sessions(session, user.id, except_session_id=except_session_id)
    if ended:
        record(session, "sessions_revoked", user, by=by, detail=_sessions_ended(ended))
    return ended


def _sessions_ended(count: int) -> str:
    return f"{count:,} session{'' if count == 1 else 's'} ended"


@dataclass(frozen=True)
class AccountState:
    """What a confirmation says about an account before its role or status changes."""

    id: int
    email: str
    is_admin: bool
    active: bool
    open_sessions: int


def account_state(session: Session, user_id: int) -> AccountState:
    """The account `user_id` as it is now (UserError when it no longer exists)."""
    user = _user(session, user_id)
    count = session.execute(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, _open_sessions_filter(utc_now()))
    ).scalar_one()
    return AccountState(user.id, user.email, user.is_admin, user.active, count)


def admin_exists(session: Session) -> bool:
    """True when at least one user holds the admin role."""
    query = select(RolesUsers.user_id).join(Role, Role.id == RolesUsers.role_id).where(Role.name == "admin")
    return session.execute(query.limit(1)).first() is not None


def _open_sessions_filter(now: datetime) -> ColumnElement[bool]:
    """Sessions that still sign someone in: not revoked, not past their absolute or idle expiry, their
    hand-off ticket redeemed."""
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return (
        UserSession.revoked_at.is_(None)
        & UserSession.ticket_hash.is_(None)
        & (UserSession.expires_at > now)
        & (UserSession.last_seen_at > now - idle)
    )


def list_users(session: Session, search: str = "", page: int = 1, per_page: int = 25) -> UserPage:
    """One page of users (newest first), filtered by a case-insensitive e-mail/username search."""
    now = utc_now()
    condition = true()
    term = search.strip().lower()
    if term:
        pattern = "%" + LIKE_SPECIALS.sub(r"\\\g<0>", term) + "%"
        condition = func.lower(User.email).like(pattern, escape="\\") | func.lower(User.username).like(
            pattern, escape="\\"
        )
    total = session.execute(select(func.count()).select_from(User).where(condition)).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    open_sessions = (
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == User.id, _open_sessions_filter(now))
        .scalar_subquery()
    )
    query = (
        select(User, open_sessions)
        .where(condition)
        .order_by(User.created_at.desc(), User.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        UserRow(
            id=user.id,
            email=user.email,
            username=user.username,
            auth_method=user.auth_method,
            is_admin=user.is_admin,
            active=user.active,
            has_password=bool(user.password),
            firebase_linked=bool(user.firebase_uid),
            login_count=user.login_count,
            current_login_at=user.current_login_at,
            current_login_ip=user.current_login_ip,
            last_login_at=user.last_login_at,
            last_login_ip=user.last_login_ip,
            created_at=user.created_at,
            open_sessions=count,
        )
        for user, count in session.execute(query).all()
    ]
    return UserPage(rows=rows, total=total, page=page, pages=pages)


def open_sessions(session: Session, user_id: int, limit: int = 50) -> list[SessionRow]:
    """The user's sessions that are neither revoked nor past their absolute expiry, latest first."""
    query = (
        select(UserSession)
        .where(UserSession.user_id == user_id, _open_sessions_filter(utc_now()))
        .order_by(UserSession.last_seen_at.desc())
        .limit(limit)
    )
    return [
        SessionRow(s.id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent, s.auth_method)
        for s in session.execute(query).scalars()
    ]


def revoke_session(session: Session, user_id: int, session_id: int, *, by: int | None = None) -> bool:
    """Revoke one session of a user; False when it was not open."""
    result = session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utc_now())
    )
    if result.rowcount != 1:
        return False
    record(session, "sessions_revoked", _user(session, user_id), by=by, detail=_sessions_ended(1))
    return True
