"""Database engine and sessions; an embedded PostgreSQL (pgserver) when DATABASE_URL is unset."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "catalog"
# Seconds to wait for a connection, unless the URL sets `connect_timeout`: without one, a host that takes
# the TCP connection but never answers (a firewall, a dead proxy) hangs every command forever.
CONNECT_TIMEOUT_S = 10
# SQLSTATE classes of errors that mean "cannot use this database at all": connection exceptions,
# authorization, no such database, the server shutting down or not accepting connections yet.
_UNREACHABLE_SQLSTATES = ("08", "28", "3D", "57P")


def normalize_url(url: str) -> str:
    """Return `url` with the psycopg2 driver spelled out (accepts postgres:// and postgresql://)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://") :]
    return url


@lru_cache(maxsize=1)
def _embedded_server():
    import pgserver  # imported lazily: only the embedded mode needs it

    data = (get_settings().data_dir / "pg").resolve()
    data.parent.mkdir(parents=True, exist_ok=True)
    log.info("starting embedded PostgreSQL in %s", data)
    server = pgserver.get_server(data, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    return server


def database_url() -> str:
    """The SQLAlchemy URL in force: DATABASE_URL, else the embedded server's (started on first use)."""
    configured = get_settings().database_url
    if configured:
        return normalize_url(configured)
    uri = make_url(normalize_url(_embedded_server().get_uri()))
    return uri.set(database=EMBEDDED_DATABASE).render_as_string(hide_password=False)


def connect_timeout_args(url: str) -> dict[str, int]:
    """psycopg2's `connect_timeout` (CONNECT_TIMEOUT_S) for `url`, or nothing when the URL sets its own."""
    if "connect_timeout" in make_url(url).query:
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT_S}


def unreachable_reason(exc: BaseException) -> str | None:
    """`cannot reach the database at HOST:PORT: why` when `exc` says the database cannot be used at all
    (down, refused, timed out, no such database, password refused); None for any other error.

    The line names DATABASE_URL's host and port, never its password."""
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(error, psycopg2.OperationalError):
        return None
    if error.pgcode is not None and not error.pgcode.startswith(_UNREACHABLE_SQLSTATES):
        return None  # a statement that failed (cancelled, out of memory…), not the connection
    first = (str(error).strip().splitlines() or ["no answer"])[0]
    why = first.rpartition(" failed: ")[2].removeprefix("FATAL:").strip()
    configured = get_settings().database_url
    if configured:
        url = make_url(normalize_url(configured))
        where = f" at {url.host}:{url.port or 5432}" if url.host else ""
    else:
        where = " (embedded)"
    return f"cannot reach the database{where}: {why[:1].lower()}{why[1:]}"


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine (pooled, pre-pinged, UTC sessions, no JIT).

    JIT compilation pays off for long analytic queries only; for the grid's many short ones it added
    hundreds of milliseconds whenever a facet count's estimated cost crossed `jit_above_cost`.
    """
    url = database_url()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"options": "-c timezone=UTC -c jit=off", **connect_timeout_args(url)},
        executemany_mode="values_plus_batch",  # also batches executemany UPDATEs (task batches)
    )


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def local_settings(execute: Callable[[str], Any], settings: Mapping[str, str]) -> Iterator[None]:
    """`SET LOCAL` each of `settings` for the statements run within (`execute` runs one SQL string), then
    back to the session's values."""
    for name, value in settings.items():
        execute(f"SET LOCAL {name} = {value}")
    yield
    for name in settings:
        execute(f"SET LOCAL {name} = DEFAULT")


def database_problem(timeout_ms: int = 3000) -> str | None:
    """None when the database answers `SELECT 1` within `timeout_ms` (plus the connect timeout when a new
    connection is needed); otherwise one line saying why, without the URL's password."""
    try:
        with get_engine().connect() as conn, conn.begin():
            conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: the database does not answer: %s", unreachable_reason(exc) or repr(exc))
        return unreachable_reason(exc) or f"the database did not answer ({type(exc).__name__})"
    return None
