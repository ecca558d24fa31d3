"""The worker's scheduler rides out a database or Redis outage: one short line per failed round, rounds
further and further apart, and back to its interval once a round succeeds."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from sqlalchemy.engine import Engine

from tests.cli import ROOT
from workers.main import Scheduler

REFUSED = "Error 111 connecting to 127.0.0.1:5999. Connection refused."


def test_failing_rounds_back_off_then_recover(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    calls: list[float] = []

    def scan() -> None:
        calls.append(time.monotonic())
        if len(calls) <= 3:
            raise redis.exceptions.ConnectionError(REFUSED)

    scheduler = Scheduler(
        wake=lambda _type, _force: None, scan_reports=scan, interval_s=0.1, scan_interval_s=0.01
    )
    caplog.set_level(logging.INFO, logger="workers.main")
    deadline = time.monotonic() + 10
    while len(calls) < 5 and time.monotonic() < deadline:
        scheduler.tick()
        time.sleep(0.01)

    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert len(gaps) == 4
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8  # twice the last wait each time
    assert gaps[3] < 0.5  # back to the interval
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"scheduler round failed: cannot reach Redis: {REFUSED}; next try in {wait} s" for wait in (0, 0, 1)
    ]
    assert all(r.exc_info is None for r in warnings)
    assert "scheduler back at work after 3 failed round(s)" in caplog.messages


def test_the_worker_logs_one_short_line_per_try_while_the_database_is_down() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": "postgresql://catalog:db-Secret-1@127.0.0.1:5999/catalog",
        "REDIS_URL": "redis://127.0.0.1:6379/10",
        "QUEUE_NAMESPACE": "catalog-outage-test",
        "QUEUE_SCHEDULER_INTERVAL_S": "0.25",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "catalog_ui", "worker"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    time.sleep(8)
    worker.send_signal(signal.SIGINT)
    _, log = worker.communicate(timeout=90)

    assert worker.returncode == 0
    assert "Traceback" not in log and "Secret" not in log
    failures = [line for line in log.splitlines() if "scheduler round failed" in line]
    assert 3 <= len(failures) <= 6  # 0.5, 1, 2, 4 s apart; every 0.25 s would be 30 or more
    assert all(
        "cannot reach the database at 127.0.0.1:5999: connection refused; next try in" in line
        for line in failures
    )


def test_an_outage_of_days_keeps_the_scheduler_trying(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,024 failed rounds (17 hours at the longest wait) once overflowed the backoff and killed the thread.
    def out_of_reach(*_args: object) -> None:
        raise redis.exceptions.ConnectionError(REFUSED)

    monkeypatch.setattr("workers.main.queue.recover_expired_leases", out_of_reach)
    monkeypatch.setattr("workers.main.MAX_BACKOFF_S", 0.0)  # no waiting between the rounds here
    scheduler = Scheduler(wake=lambda _type, _force: None, interval_s=2.0, scan_interval_s=60)
    for _ in range(1100):
        scheduler.tick()
    assert scheduler.failures == 1100
