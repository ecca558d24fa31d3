"""What `run` starts beside the web app: a worker only when Redis carries the tasks and APP_STARTS_WORKER
allows it (workers run as their own containers otherwise)."""

from __future__ import annotations

import pytest

from catalog_ui.launcher import child_commands
from catalog_ui.settings import Settings

REDIS = "redis://cache:6379/0"


@pytest.mark.parametrize(
    ("values", "worker"),
    [
        ({}, False),  # no Redis: the app process runs the tasks itself
        ({"app_starts_worker": False}, False),
        ({"redis_url": REDIS}, True),
        ({"redis_url": REDIS, "app_starts_worker": False}, False),
    ],
)
def test_a_worker_starts_only_when_asked_and_useful(
    values: dict, worker: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("APP_STARTS_WORKER", raising=False)
    commands = [command[2:] for command in child_commands(Settings(_env_file=None, **values))]
    assert commands == ([["catalog_ui", "worker"]] if worker else []) + [["reflex", "run", "--env", "prod"]]
