"""A bad setting stops every command with one line naming the variable and what it accepts, never a
traceback; secrets and URLs are not echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli import run_catalog_ui


def _settings_command(tmp_path: Path, **values: str):
    env = {key: value for key, value in os.environ.items() if key not in values}
    return run_catalog_ui("settings", env={**env, **values}, cwd=tmp_path, timeout=60)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"REPORT_SCAN_INTERVAL_S": "1"}, "error: REPORT_SCAN_INTERVAL_S must be at least 5 (got '1')"),
        ({"SESSION_IDLE_MINUTES": "2"}, "error: SESSION_IDLE_MINUTES must be at least 5 (got '2')"),
        ({"QUEUE_BATCH_SIZE": "51"}, "error: QUEUE_BATCH_SIZE must be at most 50 (got '51')"),
        ({"PORT": "abc"}, "error: PORT must be a whole number (got 'abc')"),
        (
            {"CORS_ALLOWED_ORIGINS": "https://x.example"},
            'error: CORS_ALLOWED_ORIGINS must be a JSON list, e.g. ["https://a.example", "https://b.example"] '
            "(got 'https://x.example')",
        ),
        (
            {"LOG_LEVEL": "verbose"},
            "error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'verbose')",
        ),
        (
            {"REDIS_URL": "user:Secret-1@127.0.0.1:6379"},
            "error: REDIS_URL must start with redis://, rediss:// or unix:// (e.g. redis://cache:6379/0)",
        ),
    ],
)
def test_a_bad_setting_is_one_line(tmp_path: Path, values: dict[str, str], line: str) -> None:
    done = _settings_command(tmp_path, **values)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", line)


def test_every_bad_setting_is_named(tmp_path: Path) -> None:
    done = _settings_command(tmp_path, PORT="abc", LOG_LEVEL="loud")
    assert done.returncode == 2
    assert [line.split()[1] for line in done.stderr.splitlines()] == ["PORT", "LOG_LEVEL"]


def test_good_values_are_read(tmp_path: Path) -> None:
    done = _settings_command(
        tmp_path, CORS_ALLOWED_ORIGINS='["https://a.example"]', LOG_LEVEL="debug", FIREBASE_SIGNUP_DOMAINS=""
    )
    assert done.returncode == 0, done.stderr
    assert "CORS_ALLOWED_ORIGINS=['https://a.example']" in done.stdout.splitlines()
    assert "LOG_LEVEL=DEBUG" in done.stdout.splitlines()
    assert "FIREBASE_SIGNUP_DOMAINS=[]" in done.stdout.splitlines()


@pytest.mark.parametrize(("given", "read"), [("warn", "WARNING"), ("FATAL", "CRITICAL"), ("Info", "INFO")])
def test_log_levels_logging_takes_are_read(given: str, read: str) -> None:
    # WARN and FATAL worked before levels were checked: a deployment using them must still start.
    from catalog_ui.settings import Settings

    assert Settings(_env_file=None, log_level=given).log_level == read
