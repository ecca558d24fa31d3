"""Wake workers after an enqueue or retry commits (states call this; the scheduler is the fallback)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


def wake_workers(task_types: Iterable[str]) -> None:
    """Wake a worker for each task type (call after the enqueue or retry committed).

    A failure is only logged: the tasks are in the table, and the scheduler wakes workers for due tasks
    every few seconds anyway.
    """
    try:
        from workers.actors import wake  # imported late: it sets up the broker

        for task_type in dict.fromkeys(task_types):
            wake(task_type)
    except Exception:
        log.warning("could not wake the workers for %s; the scheduler will", list(task_types), exc_info=True)
