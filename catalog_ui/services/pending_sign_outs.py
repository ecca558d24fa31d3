"""Sign-outs the database could not record when they happened, kept until it can.

`/api/session/end` drops the cookie whatever happens; with the database down it cannot mark the session
revoked, and a copy of the cookie (another device's, one read from a proxy's log) would keep working
until the session's idle or absolute expiry. So the token's SHA-256 (never the token) and the time of the
sign-out are kept where no database is needed, and the revocation is written once it answers:

- one file per sign-out under DATA_DIR/pending-sign-outs/ (the app's own disk: always there, and it
  survives a restart when DATA_DIR does), and
- with REDIS_URL, a Redis hash shared by every app instance and worker container (best effort: Redis may
  be out of reach as well; the file still holds).

The worker's scheduler writes them every round (`apply`): in the app process when there is no Redis, in
the worker beside it (the same DATA_DIR) or in worker containers of their own (through Redis) otherwise.
Until then `auth.resolve_session` refuses a token with a file here (`signed_out_at`) and revokes its
session itself, so the copy stops working on this instance the moment the database answers.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import utc_now
from catalog_ui.settings import get_settings

if TYPE_CHECKING:
    import redis

log = logging.getLogger("catalog_ui.security")

FOLDER = "pending-sign-outs"
_HASH = re.compile(r"^[0-9a-f]{64}$")
REDIS_TIMEOUT_S = 2.0  # a sign-out waits at most this long for Redis (the browser waits for the answer)


def folder() -> Path:
    """Where this instance keeps the sign-outs it could not record."""
    return get_settings().data_dir / FOLDER


def _redis_key() -> str:
    return f"{get_settings().queue_namespace}:pending-sign-outs"


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    import redis  # only with REDIS_URL

    return redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)


def _redis() -> redis.Redis | None:
    url = get_settings().redis_url
    return _client(url) if url else None


def remember(token_hash: str, at: datetime | None = None) -> bool:
    """Keep a sign-out the database did not record (the session of `token_hash`, signed out `at`, now by
    default); returns whether it was kept anywhere. Failures are logged, never raised: the browser is
    signed out all the same."""
    if not _HASH.match(token_hash):
        raise ValueError("not a session token's hash")
    stamp = (at or utc_now()).isoformat()
    kept = False
    try:
        path = folder()
        path.mkdir(parents=True, exist_ok=True)
        part = path / f".{token_hash}.part"
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(stamp)
        os.replace(part, path / token_hash)
        kept = True
    except OSError as exc:
        log.error("could not keep a sign-out to record later under %s: %s", folder(), exc)
    client = _redis()
    if client is not None:
        import redis

        try:
            client.hset(_redis_key(), token_hash, stamp)
            kept = True
        except redis.exceptions.RedisError as exc:
            log.warning("could not share a sign-out to record later through Redis: %s", exc)
    return kept


def signed_out_at(token_hash: str) -> datetime | None:
    """When the session of `token_hash` was signed out while the database was down, if it was on this
    instance and is not recorded yet; else None. A stat of a file that is not there, normally."""
    try:
        return datetime.fromisoformat((folder() / token_hash).read_text())
    except (OSError, ValueError):
        return None


def _local() -> dict[str, datetime]:
    pending: dict[str, datetime] = {}
    try:
        entries = list(folder().iterdir())
    except FileNotFoundError:
        return pending
    for entry in entries:
        if _HASH.match(entry.name):
            try:
                pending[entry.name] = datetime.fromisoformat(entry.read_text())
            except (OSError, ValueError):
                continue
    return pending


def _shared() -> dict[str, datetime]:
    client = _redis()
    if client is None:
        return {}
    import redis

    try:
        stored = client.hgetall(_redis_key())
    except redis.exceptions.RedisError as exc:
        # Read again next round. Debug only: the scheduler says once per round that Redis is out of reach.
        log.debug("could not read the sign-outs to record later from Redis: %s", exc)
        return {}
    pending: dict[str, datetime] = {}
    for key, value in stored.items():
        name, stamp = key.decode(), value.decode()
        try:
            if _HASH.match(name):
                pending[name] = datetime.fromisoformat(stamp)
        except ValueError:
            continue
    return pending


def apply(session: Session) -> int:
    """Revoke the sessions signed out while the database was down (each at the time of its sign-out),
    commit, and forget them; returns how many sessions were still open.

    One UPDATE for all of them; a sign-out whose session is already revoked or gone is forgotten too. The
    scheduler calls this every round: with nothing kept, it lists an empty folder (and reads an empty
    Redis hash) and asks nothing of the database."""
    pending = _local()
    for token_hash, at in _shared().items():
        pending[token_hash] = min(at, pending.get(token_hash, at))
    if not pending:
        return 0
    hashes = sorted(pending)
    revoked = session.execute(
        text(
            """
            UPDATE user_session AS s SET revoked_at = p.at
            FROM unnest(CAST(:hashes AS varchar[]), CAST(:times AS timestamptz[])) AS p(hash, at)
            WHERE s.token_hash = p.hash AND s.revoked_at IS NULL
            """
        ),
        {"hashes": hashes, "times": [pending[h] for h in hashes]},
    ).rowcount
    session.commit()
    for token_hash in hashes:
        (folder() / token_hash).unlink(missing_ok=True)
    client = _redis()
    if client is not None:
        import redis

        try:
            client.hdel(_redis_key(), *hashes)
        except redis.exceptions.RedisError as exc:  # applied again next round: the UPDATE finds nothing
            log.debug("could not forget the recorded sign-outs in Redis: %s", exc)
    if revoked:
        log.info("recorded %d sign-out(s) made while the database was down", revoked)
    return revoked
