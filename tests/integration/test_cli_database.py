"""Commands facing a database they cannot use say so in one line (no traceback, no password) and give up
after a connect timeout instead of hanging on a host that never answers."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest

from catalog_ui.db import CONNECT_TIMEOUT_S, connect_timeout_args
from tests.cli import run_catalog_ui


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes TCP connections (the kernel's backlog) but never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("command", [("migrate",), ("archive", "--days", "30"), ("run",)])
def test_a_database_that_is_down_is_one_line(command: tuple[str, ...]) -> None:
    done = run_catalog_ui(*command, env=_env("postgresql://catalog:db-Secret-1@127.0.0.1:5999/catalog"))
    assert done.returncode == 1
    assert done.stderr.strip() == "error: cannot reach the database at 127.0.0.1:5999: connection refused"
    assert "Secret" not in done.stdout + done.stderr


def test_a_missing_database_is_one_line(database_url: str) -> None:
    missing = database_url.rsplit("/", 1)[0] + "/catalog_test_missing"
    done = run_catalog_ui("migrate", env=_env(missing))
    assert done.returncode == 1
    assert done.stderr.strip().endswith('database "catalog_test_missing" does not exist')


@pytest.mark.parametrize(
    "command", [("migrate",), ("archive", "--days", "30")]
)  # Alembic's engine, the app's
def test_a_host_that_never_answers_times_out(silent_port: int, command: tuple[str, ...]) -> None:
    started = time.monotonic()
    done = run_catalog_ui(
        *command, env=_env(f"postgresql://catalog@127.0.0.1:{silent_port}/catalog"), timeout=60
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip() == f"error: cannot reach the database at 127.0.0.1:{silent_port}: timeout expired"
    )
    assert time.monotonic() - started < CONNECT_TIMEOUT_S + 20


def test_a_connect_timeout_in_the_url_is_kept() -> None:
    assert connect_timeout_args("postgresql+psycopg2://h/db") == {"connect_timeout": CONNECT_TIMEOUT_S}
    assert connect_timeout_args("postgresql+psycopg2://h/db?connect_timeout=3") == {}
