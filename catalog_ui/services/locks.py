"""The advisory locks that keep concurrent writers of the catalog apart; their keys live here, so none collide.

- REPORT_LOCK_NAMESPACE: `pg_advisory_lock(namespace, report_id)`, one worker per report (`ingest`).
- MERGE_LOCK_KEY: `pg_advisory_xact_lock(key)`, taken by a report's merge before it compares its rows with
  the catalog and held to its commit, so merges run one after another, each seeing the ones before it.
  Other writers of report fields (a task's values, a rollback) take it shared (`wait_for_merges`).
- LOGIN_LOCK_NAMESPACE: `pg_advisory_xact_lock(namespace, hashtext(account))`, one sign-in attempt at a
  time per account (`auth`).
- MIGRATION_LOCK_KEY: `pg_advisory_lock(key)`, one migrating process at a time (`alembic/env.py`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

REPORT_LOCK_NAMESPACE = 7301
MERGE_LOCK_KEY = 7302
LOGIN_LOCK_NAMESPACE = 7310
MIGRATION_LOCK_KEY = 7320


def wait_for_merges(session: Any) -> None:
    """Hold the merge lock shared until this transaction ends: wait for a report merge under way to commit,
    and keep the next one from comparing with the catalog until this transaction has committed.

    A merge computes each video's changes from what it read, then writes them: a task's or a rollback's
    values committed in between would be overwritten unseen, and the report's history would name an old
    value the video no longer had. Take it before locking any `video` row (the merge takes it before its
    row locks too), so the two never wait for each other in a circle."""
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": MERGE_LOCK_KEY})


def lock_login(session: Any, key: str) -> None:
    """Hold the sign-in lock of `key` (an account, an e-mail's first Firebase sign-in) until this transaction
    ends: attempts on one key run one after another, in every process."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"), {"ns": LOGIN_LOCK_NAMESPACE, "key": key}
    )
