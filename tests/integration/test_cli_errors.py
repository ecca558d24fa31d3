"""Operators' mistakes on the command line end in one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shlex

import pytest
from sqlalchemy.engine import Engine

from catalog_ui.cli import build_parser
from catalog_ui.launcher import sign_in_reminder
from tests.cli import run_catalog_ui


def _cli(*args: str, **values: str):
    return run_catalog_ui(*args, env={**os.environ, **values}, timeout=120)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"ADMIN_PASSWORD": "short"}, "error: ADMIN_PASSWORD: Passwords need at least 10 characters."),
        (
            {"ADMIN_EMAIL": "not-an-email", "ADMIN_PASSWORD": "correct-horse-42"},
            "error: ADMIN_EMAIL: 'not-an-email' is not a valid e-mail address.",
        ),
    ],
)
def test_run_refuses_a_first_admin_it_cannot_create(
    engine: Engine, values: dict[str, str], line: str
) -> None:
    done = _cli("run", "--demo-videos", "0", **values)
    assert (done.returncode, done.stderr.strip()) == (2, line)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo-data", "--videos", "-5"), "argument --videos: must be at least 0 (got -5)"),
        (("archive", "--days", "0"), "argument --days: must be at least 1 (got 0)"),
        (("archive", "--days", "-3"), "argument --days: must be at least 1 (got -3)"),
        (("worker", "--processes", "0"), "argument --processes: must be at least 1 (got 0)"),
        (("worker", "--threads", "x"), "argument --threads: 'x' is not a whole number"),
    ],
)
def test_out_of_range_arguments_are_refused(args: tuple[str, ...], message: str) -> None:
    done = _cli(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith(f"error: {message}")
    assert "Traceback" not in done.stderr and "HISTORY_RETENTION_DAYS" not in done.stdout


def test_demo_data_into_a_folder_it_cannot_create() -> None:
    done = _cli("demo-data", "--videos", "5", "--out", "/proc/nope")
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "error: cannot write the demo reports to /proc/nope: No such file or directory",
    )


def test_the_reset_hint_is_a_working_command() -> None:
    hint = sign_in_reminder("ops@example.com")
    command = shlex.split(hint.partition("reset with: ")[2].rstrip(").").strip())
    assert command[:3] == ["python", "-m", "catalog_ui"]
    args = build_parser().parse_args(command[3:])
    assert (args.command, args.login) == ("set-password", "ops@example.com")
