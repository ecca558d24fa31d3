"""The operators' commands keep the chatty libraries quiet (pgserver and Alembic drowned `make run`'s output)."""

from __future__ import annotations

import logging

import pytest

from catalog_ui import cli
from catalog_ui.logging_setup import QUIET_LOGGERS


def test_a_command_quiets_the_chatty_libraries(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)  # LOG_LEVEL's default
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    try:
        _run_settings(capsys)
    finally:
        root.setLevel(level)


def _run_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["settings"]) == 0
    assert "DATABASE_URL" in capsys.readouterr().out
    for name in ("pgserver", "alembic.runtime.plugins", "alembic.runtime.migration"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
