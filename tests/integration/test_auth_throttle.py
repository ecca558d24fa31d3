"""Sign-in throttling in the database: per account and per client address, shared by every process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import utc_now
from catalog_ui.services.auth import WRONG_CREDENTIALS, AuthError, locked_until, sign_in_password
from catalog_ui.services.users import create_user

PASSWORD = "correct-horse-42"
LOCKED = "Too many failed sign-ins. Try again in about 15 minutes."


@pytest.fixture
def ana(session):
    user = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    return user


def _attempt(session, login: str, password: str, ip: str | None) -> str:
    try:
        sign_in_password(session, login, password, ip, "pytest")
    except AuthError as exc:
        session.rollback()
        return str(exc)
    session.commit()
    return "ok"


def test_five_failures_lock_the_account_even_for_the_right_password(session, ana) -> None:
    answers = [_attempt(session, "ana", f"wrong-{n}-password", f"10.0.0.{n}") for n in range(5)]
    assert answers == [WRONG_CREDENTIALS] * 4 + [LOCKED]
    assert _attempt(session, "ANA", PASSWORD, "10.0.1.1") == LOCKED
    assert _attempt(session, "ana@example.com", PASSWORD, "10.0.1.1") == LOCKED  # the same account


def test_guesses_from_elsewhere_do_not_lock_the_owner_out_of_an_address_they_signed_in_from(
    session, ana
) -> None:
    # Five wrong passwords from strangers' addresses would otherwise lock any account, the last admin's
    # included, every quarter of an hour.
    assert _attempt(session, "ana", PASSWORD, "198.51.100.20") == "ok"
    answers = [_attempt(session, "ana", f"wrong-{n}-password", f"10.0.0.{n}") for n in range(5)]
    assert answers == [WRONG_CREDENTIALS] * 4 + [LOCKED]

    assert _attempt(session, "ana", PASSWORD, "198.51.100.20") == "ok"
    # which leaves the lock on every other address
    assert _attempt(session, "ana", PASSWORD, "10.0.1.1") == LOCKED
    # An address is known for KNOWN_ADDRESS_DAYS after its last sign-in.
    session.execute(text("UPDATE user_session SET created_at = now() - interval '91 days'"))
    session.commit()
    assert _attempt(session, "ana", PASSWORD, "198.51.100.20") == LOCKED


def test_the_e_mail_and_the_username_share_one_count(session, ana) -> None:
    logins = ["ana", "ana@example.com", "ANA", "Ana@Example.com", "ana"]
    answers = [_attempt(session, login, "wrong-password-1", None) for login in logins]
    assert answers == [WRONG_CREDENTIALS] * 4 + [LOCKED]


def test_parallel_guesses_wait_in_line_and_see_each_others_failures(session, ana) -> None:
    # Without the per-account lock, all eight would pass the lock check before any failure was counted.
    start = threading.Barrier(8)

    def guess(n: int) -> str:
        with Session(session.get_bind()) as own:
            start.wait()
            return _attempt(own, "ana", f"wrong-{n}-password", f"10.9.0.{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = sorted(pool.map(guess, range(8)))
    assert answers == sorted([WRONG_CREDENTIALS] * 4 + [LOCKED] * 4)
    # Refused at the lock check, the last three were never checked nor counted against the new lock.
    failures = session.execute(
        text("SELECT failures FROM login_throttle WHERE key = :key"), {"key": f"account:user:{ana.id}"}
    ).scalar_one()
    assert failures == 0


def test_five_failures_from_one_address_lock_that_address_for_every_account(session, ana) -> None:
    create_user(session, "bo@example.com", PASSWORD, username="bo")
    session.commit()
    logins = ["x1@example.com", "x2@example.com", "x3@example.com", "x4@example.com", "x5@example.com"]
    answers = [_attempt(session, login, "wrong-password-1", "192.0.2.7") for login in logins]
    assert answers == [WRONG_CREDENTIALS] * 4 + [LOCKED]
    assert _attempt(session, "bo", PASSWORD, "192.0.2.7") == LOCKED
    assert _attempt(session, "bo", PASSWORD, "192.0.2.8") == "ok"


def test_unknown_and_known_accounts_lock_alike(session, ana) -> None:
    known = [_attempt(session, "ana", "wrong-password-1", None) for _ in range(5)]
    unknown = [_attempt(session, "ghost", "wrong-password-1", None) for _ in range(5)]
    assert known == unknown == [WRONG_CREDENTIALS] * 4 + [LOCKED]


def test_failures_older_than_the_window_start_a_new_count(session, ana) -> None:
    for n in range(4):
        _attempt(session, "ana", f"wrong-{n}-password", None)
    session.execute(
        text("UPDATE login_throttle SET window_started_at = now() - interval '16 minutes' WHERE key = :key"),
        {"key": f"account:user:{ana.id}"},
    )
    session.commit()
    assert _attempt(session, "ana", "wrong-5-password", None) == WRONG_CREDENTIALS
    failures = session.execute(
        text("SELECT failures FROM login_throttle WHERE key = :key"), {"key": f"account:user:{ana.id}"}
    ).scalar_one()
    assert failures == 1


def test_a_lock_ends_after_its_time(session, ana) -> None:
    for n in range(5):
        _attempt(session, "ana", f"wrong-{n}-password", None)
    until = locked_until(session, "ana", None)
    assert timedelta(minutes=14) < until - utc_now() <= timedelta(minutes=15)
    session.execute(text("UPDATE login_throttle SET locked_until = now() - interval '1 second'"))
    session.commit()
    assert _attempt(session, "ana", PASSWORD, None) == "ok"


def test_success_clears_the_account_count_but_not_the_address_count(session, ana) -> None:
    for n in range(3):
        _attempt(session, "ana", f"wrong-{n}-password", "192.0.2.9")
    assert _attempt(session, "ana", PASSWORD, "192.0.2.9") == "ok"
    rows = dict(session.execute(text("SELECT key, failures FROM login_throttle")).all())
    assert rows == {"ip:192.0.2.9": 3}


def test_failures_counted_by_another_process_lock_this_one(session, ana, database_url: str) -> None:
    script = (
        "from catalog_ui.db import session_scope\n"
        "from catalog_ui.services.auth import AuthError, sign_in_password\n"
        "for n in range(5):\n"
        "    try:\n"
        "        with session_scope() as s:\n"
        "            sign_in_password(s, 'ana', f'wrong-{n}-password', '198.51.100.1', 'other process')\n"
        "    except AuthError as exc:\n"
        "        print(exc)\n"
    )
    env = dict(os.environ, DATABASE_URL=database_url)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [WRONG_CREDENTIALS] * 4 + [LOCKED]
    assert _attempt(session, "ana", PASSWORD, "203.0.113.5") == LOCKED
