"""A failed event handler: a database outage is said plainly and logged once in a while, anything else as
Reflex does."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from catalog_ui.state import backend_errors


def _refused_connection() -> OperationalError:
    """A real error of a database that does not answer (nothing listens on port 9)."""
    engine = create_engine("postgresql+psycopg2://postgres@127.0.0.1:9/catalog", pool_pre_ping=False)
    try:
        with pytest.raises(OperationalError) as caught:
            engine.connect()
    finally:
        engine.dispose()
    return caught.value


def test_an_outage_is_said_plainly_and_logged_once_in_a_while(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend_errors, "_last_logged", 0.0)
    error = _refused_connection()
    with caplog.at_level(logging.ERROR):
        answers = [backend_errors.backend_exception_handler(error) for _ in range(5)]
    assert all(backend_errors.DATABASE_DOWN in str(answer) for answer in answers)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1  # one line for five failed requests, no traceback
    assert lines[0].startswith("a page's request failed: cannot reach the database")
    assert caplog.records[0].exc_info is None


def test_any_other_error_gets_reflexs_answer(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        answer = backend_errors.backend_exception_handler(ValueError("a bug"))
    assert backend_errors.DATABASE_DOWN not in str(answer)
    assert "An error occurred." in str(answer)
    assert any("ValueError: a bug" in r.getMessage() for r in caplog.records)  # the traceback is logged
