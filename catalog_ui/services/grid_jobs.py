"""Long grid actions (large bulk actions, exports) run on a thread beside the web app, with their progress.

A job belongs to the user who started it and to the web process that runs it (an export's file is written
on this machine), so its progress lives here, in memory, read by the page's polling; what the job changes
in the catalog is committed to the database like any other change. Finished jobs are forgotten after
KEEP_FINISHED_S.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)

KEEP_FINISHED_S = 3_600
# Jobs one user may have running at once. Each is a thread that may read the whole catalog (an export)
# and write a file of it; a page allows one at a time, but every new tab (or client token) is a page.
MAX_RUNNING_PER_OWNER = 2
BUSY = "Wait for your running actions to finish (in this tab or another one)."


class JobError(Exception):
    """A failure whose message can be shown to the user as is."""


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of a job: `state` is running, done or error; `result` is the work's return value."""

    id: str
    owner: int
    kind: str
    label: str
    state: str = "running"
    done: int = 0
    total: int = 0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    finished_at: float | None = None

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown)."""
        return (
            min(100, round(100 * self.done / self.total))
            if self.total
            else (100 if self.state != "running" else 0)
        )


_jobs: dict[str, JobStatus] = {}
_lock = threading.Lock()


def _update(job_id: str, **changes: Any) -> None:
    with _lock:
        if job_id in _jobs:
            _jobs[job_id] = replace(_jobs[job_id], **changes)


def start_job(
    owner: int, kind: str, label: str, work: Callable[[Callable[[int, int], None]], dict[str, Any]]
) -> JobStatus:
    """Run `work(progress)` on a daemon thread and return the job; `progress(done, total)` updates it.

    `work` returns the job's result. A JobError (or ValueError) ends the job with its message; any other
    exception is logged and ends it with a generic message. Raises JobError (BUSY), starting nothing, when
    `owner` already has MAX_RUNNING_PER_OWNER jobs running.
    """
    _forget_finished()
    job = JobStatus(id=secrets.token_urlsafe(12), owner=owner, kind=kind, label=label)
    with _lock:
        running = sum(1 for j in _jobs.values() if j.owner == owner and j.state == "running")
        if running >= MAX_RUNNING_PER_OWNER:
            raise JobError(BUSY)
        _jobs[job.id] = job

    def progress(done: int, total: int) -> None:
        _update(job.id, done=done, total=total)

    def run() -> None:
        try:
            result = work(progress)
        except (JobError, ValueError) as exc:
            _update(job.id, state="error", message=str(exc), finished_at=time.time())
        except Exception:
            log.exception("grid job %s (%s) failed", job.id, label)
            _update(
                job.id,
                state="error",
                message="Something went wrong; nothing was changed.",
                finished_at=time.time(),
            )
        else:
            _update(job.id, state="done", result=result or {}, finished_at=time.time())

    threading.Thread(target=run, name=f"grid-job-{kind}", daemon=True).start()
    return job


def job_status(job_id: str, owner: int) -> JobStatus | None:
    """The job's current status, when it exists and belongs to `owner`."""
    with _lock:
        job = _jobs.get(job_id)
    return job if job is not None and job.owner == owner else None


def _forget_finished() -> None:
    cutoff = time.time() - KEEP_FINISHED_S
    with _lock:
        for job_id in [j.id for j in _jobs.values() if j.finished_at is not None and j.finished_at < cutoff]:
            del _jobs[job_id]
