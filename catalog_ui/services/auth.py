"""Signing in and out: password checks with throttling, server-side sessions, and who a token belongs to.

Only a token's SHA-256 is stored; the browser keeps the token, in an HttpOnly cookie that page scripts
cannot read. A sign-in (over the websocket, which cannot set such a cookie) opens the session with a
hand-off ticket (`issue_ticket`); the browser's next request redeems it (`redeem_ticket`) and gets the
token in the cookie. Every state event handler resolves the token through `resolve_session` (see
catalog_ui.state.guards), so access is decided on the server. Sessions that ended are deleted by the
worker's scheduler (`purge_ended_sessions`).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlmodel import Session

from catalog_ui.models import User, UserSession, utc_now
from catalog_ui.services import pending_sign_outs
from catalog_ui.services.locks import lock_login
from catalog_ui.services.passwords import hash_password, needs_rehash, verify_password
from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

WRONG_CREDENTIALS = "Wrong e-mail, username or password."
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
SESSION_COOKIE = "catalog_session"  # the browser keeps the session token under this name
TICKET_LIFETIME = timedelta(seconds=60)  # the browser redeems its ticket at once, by a redirect
KNOWN_ADDRESS_DAYS = 90  # see `_known_address`
SESSION_PURGE_GRACE = timedelta(days=1)  # an ended session stays this long (see `purge_ended_sessions`)
# Verified against for unknown users, so a miss costs the same time as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class AuthError(Exception):
    """A sign-in refused; the message is safe to show (it never tells which part was wrong)."""


@dataclass(frozen=True)
class Principal:
    """Who a valid session belongs to."""

    user_id: int
    email: str
    username: str
    is_admin: bool
    session_id: int


def token_hash(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _account_key(user: User | None, login: str) -> str:
    """The throttle key of the account a sign-in names: its user (by e-mail or username alike), else the
    login as typed, so guesses at an unknown account count the same way."""
    return _user_key(user.id) if user is not None else f"account:{login.strip().lower()}"[:300]


def _user_key(user_id: int | None) -> str:
    return f"account:user:{user_id}"


def _throttle_keys(account: str, ip: str | None) -> list[str]:
    return [account, f"ip:{ip}"[:300]] if ip else [account]


def locked_until(session: Session, login: str, ip: str | None) -> datetime | None:
    """When the lock on this account or address ends, if either is locked for a sign-in from `ip` now."""
    user = find_user_by_login(session, login)
    return _locked_until(session, _account_key(user, login), ip, user)


def _locked_until(session: Session, account: str, ip: str | None, user: User | None) -> datetime | None:
    """The end of the lock that applies to a sign-in at `account` from `ip`: the address's own, and the
    account's unless the user has signed in from that address before (`_known_address`)."""
    keys = _throttle_keys(account, ip)
    if _known_address(session, user, ip):
        keys.remove(account)
    return session.execute(
        text("SELECT max(locked_until) FROM login_throttle WHERE key = ANY(:keys) AND locked_until > now()"),
        {"keys": keys},
    ).scalar()


def _known_address(session: Session, user: User | None, ip: str | None) -> bool:
    """Whether `user` signed in from `ip` within KNOWN_ADDRESS_DAYS. Guesses from elsewhere lock the
    account for new addresses only: otherwise anybody could keep any account, the last admin's included,
    from signing in with five wrong passwords every quarter of an hour."""
    if user is None or user.id is None or not ip:
        return False
    return session.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM user_session WHERE user_id = :user AND ip = :ip "
            "AND created_at > now() - make_interval(days => :days))"
        ),
        {"user": user.id, "ip": ip, "days": KNOWN_ADDRESS_DAYS},
    ).scalar_one()


def _record_failure(session: Session, account: str, ip: str | None) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_lock_minutes)
    for key in _throttle_keys(account, ip):
        session.execute(
            text(
                """
                INSERT INTO login_throttle (key, failures, window_started_at) VALUES (:key, 1, now())
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN login_throttle.window_started_at < now() - :window
                                    THEN 1 ELSE login_throttle.failures + 1 END,
                    window_started_at = CASE WHEN login_throttle.window_started_at < now() - :window
                                             THEN now() ELSE login_throttle.window_started_at END
                """
            ),
            {"key": key, "window": window},
        )
        session.execute(
            text(
                "UPDATE login_throttle SET locked_until = now() + :window, failures = 0, window_started_at = now() "
                "WHERE key = :key AND failures >= :max"
            ),
            {"key": key, "window": window, "max": settings.login_max_failures},
        )


def _clear_failures(session: Session, account: str, *, keep_lock: bool = False) -> None:
    """Forget the failures counted against `account`, and its lock unless `keep_lock` (a sign-in from a
    known address leaves the lock on the others)."""
    keep = " AND (locked_until IS NULL OR locked_until <= now())" if keep_lock else ""
    session.execute(text(f"DELETE FROM login_throttle WHERE key = :key{keep}"), {"key": account})


def clear_account_lock(session: Session, user_id: int) -> None:
    """Forget the failed sign-ins counted against user `user_id`, and the lock they set."""
    _clear_failures(session, _user_key(user_id))


def lock_message(until: datetime) -> str:
    """The message shown while sign-in is locked."""
    minutes = max(1, round((until - utc_now()).total_seconds() / 60))
    return f"Too many failed sign-ins. Try again in about {minutes} minute{'s' if minutes != 1 else ''}."


def find_user_by_login(session: Session, login: str) -> User | None:
    """The user whose e-mail or username is `login` (case-insensitive)."""
    value = login.strip().lower()
    query = select(User).where((func.lower(User.email) == value) | (func.lower(User.username) == value))
    return session.execute(query).scalars().first()


def sign_in_password(
    session: Session, login: str, password: str, ip: str | None = None, user_agent: str | None = None
) -> tuple[str, Principal]:
    """Check a password sign-in and open a session; raises AuthError with one generic message on failure.

    Attempts at one account run one at a time, in every app process (a transaction advisory lock held
    until the failure is counted or the session opened): a burst of parallel guesses cannot all pass the
    lock check before the first failures are counted."""
    if any(char < " " or char == "\x7f" for char in login):  # no account has one; PostgreSQL refuses a NUL
        verify_password(_DUMMY_HASH, password)
        raise AuthError(WRONG_CREDENTIALS)
    user = find_user_by_login(session, login)
    account = _account_key(user, login)
    lock_login(session, account)
    if user is not None:
        session.refresh(user)  # as the attempt before ours left it (its login count, its last sign-in)
    until = _locked_until(session, account, ip, user)
    if until is not None:
        session.rollback()  # ends the transaction, and with it the advisory lock
        raise AuthError(lock_message(until))
    if user is None or not user.password:
        verify_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = verify_password(user.password, password)
    if not ok or user is None or not user.active:
        _record_failure(session, account, ip)
        session.commit()  # the failure counts even though the caller sees an exception
        until = _locked_until(session, account, ip, user)
        raise AuthError(lock_message(until) if until else WRONG_CREDENTIALS)
    if needs_rehash(user.password):
        user.password = hash_password(password)
    _clear_failures(session, account, keep_lock=True)
    return open_session(session, user, ip, user_agent, "flask-security")


def open_session(
    session: Session, user: User, ip: str | None, user_agent: str | None, method: str
) -> tuple[str, Principal]:
    """Record the sign-in on the user (seed's login tracking) and create a session; returns (token, who)."""
    now = utc_now()
    user.last_login_at, user.last_login_ip = user.current_login_at, user.current_login_ip
    user.current_login_at, user.current_login_ip = now, ip
    user.login_count = (user.login_count or 0) + 1
    session.add(user)
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=get_settings().session_absolute_hours),
        ip=ip,
        user_agent=(user_agent or "")[:500] or None,
        auth_method=method,
    )
    session.add(record)
    session.flush()
    return token, Principal(user.id, user.email, user.username, user.is_admin, record.id)


def resolve_session(session: Session, token: str | None, *, touch: bool = True) -> Principal | None:
    """Who `token` signs in, or None when it is unknown, revoked, expired, idle too long, or the user inactive.
    A session signed out on this instance while the database was down (`pending_sign_outs`) counts as
    revoked, and is revoked in the database on the way.

    `touch` records the call as activity (the idle timeout starts again); timers that refresh a page
    pass False, so a tab left open still times out.
    """
    if not token:
        return None
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    hashed = token_hash(token)
    # Plain columns, not entities: always the database's current values, never a cached object's.
    row = session.execute(
        select(
            UserSession.id,
            UserSession.revoked_at,
            UserSession.expires_at,
            UserSession.last_seen_at,
            UserSession.ticket_hash,
            User.id.label("user_id"),
            User.email,
            User.username,
            User.is_admin,
            User.active,
        )
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hashed)
    ).first()
    if row is None:
        return None
    now = utc_now()
    if row.revoked_at is not None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    if row.ticket_hash is not None:  # opened, but its hand-off ticket was never redeemed
        return None
    if not row.active:
        return None
    signed_out_at = pending_sign_outs.signed_out_at(hashed)
    if signed_out_at is not None:  # signed out here while the database was down: record it now
        session.execute(update(UserSession).where(UserSession.id == row.id).values(revoked_at=signed_out_at))
        return None
    if touch and now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return Principal(row.user_id, row.email, row.username, row.is_admin, row.id)


def issue_ticket(session: Session, session_id: int) -> str:
    """A single-use hand-off ticket for the session `session_id`, valid for TICKET_LIFETIME.

    Until it is redeemed the session signs nobody in, whoever holds the token `open_session` returned:
    redeeming gives the session a new token."""
    ticket = secrets.token_urlsafe(32)
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id)
        .values(ticket_hash=token_hash(ticket), ticket_expires_at=utc_now() + TICKET_LIFETIME)
    )
    return ticket


def redeem_ticket(session: Session, ticket: str | None) -> tuple[str, Principal] | None:
    """Redeem a hand-off ticket: (a new token of its session, who), or None when the ticket is unknown,
    used, expired, or its session or user no longer valid.

    One UPDATE clears the ticket and sets the token: of two redemptions at once, the second finds no
    ticket (the row lock makes it re-read the row), so a ticket opens one browser at most."""
    if not ticket:
        return None
    token = secrets.token_urlsafe(32)
    now = utc_now()
    row = session.execute(
        update(UserSession)
        .where(
            UserSession.ticket_hash == token_hash(ticket),
            UserSession.ticket_expires_at > now,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            UserSession.user_id == User.id,
            User.active.is_(True),
        )
        .values(token_hash=token_hash(token), ticket_hash=None, ticket_expires_at=None, last_seen_at=now)
        .returning(UserSession.id, User.id, User.email, User.username, User.is_admin)
    ).first()
    if row is None:
        return None
    session_id, user_id, email, username, is_admin = row
    return token, Principal(user_id, email, username, is_admin, session_id)


def sign_out(session: Session, token: str | None) -> None:
    """Revoke the session of `token` (no error when there is none)."""
    if token:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )


def revoke_user_sessions(session: Session, user_id: int, except_session_id: int | None = None) -> int:
    """Revoke every open session of a user; returns how many."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_session_id is not None:
        query = query.where(UserSession.id != except_session_id)
    return session.execute(query.values(revoked_at=utc_now())).rowcount


def purge_ended_sessions(session: Session) -> int:
    """Delete the sessions that ended more than SESSION_PURGE_GRACE ago; returns how many went.

    A session has ended for good when it was revoked (signed out, password changed, user deactivated),
    passed its absolute expiry, stayed idle past SESSION_IDLE_MINUTES (`resolve_session` then refuses it
    and never touches it again), or its hand-off ticket expired unredeemed. Nothing shows such sessions (the
    Users page lists open ones only; last sign-ins are columns of `user`), but `_known_address` asks
    whether a user signed in from an address within KNOWN_ADDRESS_DAYS: of the ended sessions of one
    user and address within that time, the newest stays, so its answer never changes.

    One set-based DELETE over one window-function pass (no index needed): the table keeps the open
    sessions, those ended within the grace period and one per user and address of the last
    KNOWN_ADDRESS_DAYS, so the scheduler's calls take milliseconds (a first run over 200,000 rows, under
    a second)."""
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return session.execute(
        text(
            """
            DELETE FROM user_session AS ended
            USING (
                SELECT id, created_at < max(created_at) OVER (PARTITION BY user_id, ip) AS superseded
                FROM user_session
            ) AS newest
            WHERE newest.id = ended.id
              AND (ended.revoked_at <= now() - :grace
                   OR ended.expires_at <= now() - :grace
                   OR ended.last_seen_at <= now() - :idle - :grace
                   OR (ended.ticket_hash IS NOT NULL AND ended.ticket_expires_at <= now() - :grace))
              AND (ended.ip IS NULL
                   OR ended.created_at <= now() - make_interval(days => :days)
                   OR newest.superseded)
            """
        ),
        {"grace": SESSION_PURGE_GRACE, "idle": idle, "days": KNOWN_ADDRESS_DAYS},
    ).rowcount
