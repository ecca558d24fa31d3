"""Background grid jobs (services/grid_jobs.py): how many one user may have running at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from catalog_ui.services import grid_jobs


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event the jobs' work waits for; set at the end so no thread outlives the test."""
    event = threading.Event()
    yield event
    event.set()


def _waiting(release: threading.Event) -> Any:
    def work(progress: Any) -> dict[str, Any]:
        assert release.wait(30)
        return {}

    return work


def test_one_user_cannot_run_jobs_without_limit(release: threading.Event) -> None:
    # Each job is a thread that may read the whole catalog: a plain user opening tab after tab (or sending
    # events under new client tokens) started as many as they liked.
    owner, other = 990_001, 990_002
    for _ in range(grid_jobs.MAX_RUNNING_PER_OWNER):
        grid_jobs.start_job(owner, "export", "Exporting", _waiting(release))
    with pytest.raises(grid_jobs.JobError, match="Wait for your running actions"):
        grid_jobs.start_job(owner, "export", "Exporting", _waiting(release))
    assert grid_jobs.start_job(other, "export", "Exporting", _waiting(release)).state == "running"
