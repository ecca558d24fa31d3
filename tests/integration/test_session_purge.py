"""Ended sessions are deleted a day after they ended, by the worker's scheduler; open ones, those within the
grace period and what the sign-in throttle reads of them (the addresses a user signed in from) stay."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from catalog_ui.services.auth import (
    AuthError,
    issue_ticket,
    open_session,
    purge_ended_sessions,
    sign_in_password,
)
from catalog_ui.services.users import create_user
from workers.main import Scheduler

PASSWORD = "correct-horse-42"
LOCKED = "Too many failed sign-ins. Try again in about 15 minutes."


@pytest.fixture
def ana(session):
    user = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    return user


def _opened(session, user, label: str, ip: str | None = None, **ages: str) -> int:
    """A session of `user` tagged `label` (its user agent), its columns set to `now() - <interval>`."""
    _, principal = open_session(session, user, ip, label, "flask-security")
    for column, age in ages.items():
        session.execute(
            text(f"UPDATE user_session SET {column} = now() - CAST(:age AS interval) WHERE id = :id"),
            {"age": age, "id": principal.session_id},
        )
    return principal.session_id


def _labels(session) -> set[str]:
    return set(session.execute(text("SELECT user_agent FROM user_session")).scalars())


def _sessions_ending_in_every_way(session, user) -> None:
    # Open or ended within the day's grace: they stay.
    _opened(session, user, "open")
    _opened(session, user, "revoked an hour ago", revoked_at="1 hour")
    _opened(session, user, "expired an hour ago", created_at="7 days 1 hour", expires_at="1 hour")
    pending = _opened(session, user, "hand-off under way")
    issue_ticket(session, pending)
    # Ended more than a day ago: they go.
    _opened(session, user, "revoked", created_at="3 days", revoked_at="2 days")
    _opened(session, user, "expired", created_at="9 days", last_seen_at="8 days", expires_at="2 days")
    _opened(session, user, "idle", created_at="3 days", last_seen_at="3 days")
    # (its last activity, the sign-in, is too recent for the idle timeout to have ended it a day ago)
    unredeemed = _opened(
        session, user, "ticket never redeemed", created_at="25 hours", last_seen_at="25 hours"
    )
    issue_ticket(session, unredeemed)
    session.execute(
        text(
            "UPDATE user_session SET ticket_expires_at = now() - interval '24 hours 59 minutes' WHERE id = :id"
        ),
        {"id": unredeemed},
    )
    session.commit()


def test_sessions_that_ended_more_than_a_day_ago_are_deleted(session, ana) -> None:
    _sessions_ending_in_every_way(session, ana)

    assert purge_ended_sessions(session) == 4
    session.commit()
    assert _labels(session) == {"open", "revoked an hour ago", "expired an hour ago", "hand-off under way"}
    assert purge_ended_sessions(session) == 0


def test_the_newest_session_from_an_address_stays_while_the_address_counts_as_known(session, ana) -> None:
    # Signed in from home a month ago and a week ago (both long over), from a hotel last year.
    _opened(session, ana, "home, a month ago", "198.51.100.20", created_at="30 days", revoked_at="29 days")
    _opened(session, ana, "home, a week ago", "198.51.100.20", created_at="7 days", revoked_at="6 days")
    _opened(session, ana, "hotel", "203.0.113.5", created_at="300 days", revoked_at="299 days")
    session.commit()

    assert purge_ended_sessions(session) == 2
    session.commit()
    assert _labels(session) == {"home, a week ago"}
    # Strangers' guesses lock the account for new addresses; home is still known, the hotel no longer.
    for n in range(5):
        with pytest.raises(AuthError):
            sign_in_password(session, "ana", f"wrong-{n}-password", f"10.0.0.{n}", "pytest")
        session.rollback()
    sign_in_password(session, "ana", PASSWORD, "198.51.100.20", "pytest")
    session.commit()
    with pytest.raises(AuthError, match=LOCKED):
        sign_in_password(session, "ana", PASSWORD, "203.0.113.5", "pytest")


def test_the_scheduler_deletes_ended_sessions(session, ana) -> None:
    _sessions_ending_in_every_way(session, ana)

    Scheduler(wake=lambda _task_type, _force: None).run_once()

    assert _labels(session) == {"open", "revoked an hour ago", "expired an hour ago", "hand-off under way"}
