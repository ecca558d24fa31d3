"""A requested stop of a worker (SIGTERM or SIGINT: a deploy, `docker stop`) that long work cuts short.

A report's ingestion may take minutes; a stop must not wait for it, nor count as the interruption of a
worker that died (`reports.MAX_INTERRUPTIONS`). The ingestion checks the request at each progress
checkpoint (`check`, raising `WorkerStopped`), and registers a way to cancel the statement it has in flight
on the server (`cancelling`: a merge or an index build is a single statement that may take many seconds),
which `request` calls at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class WorkerStopped(Exception):
    """Work cut short because its worker was asked to stop."""


class StopRequest:
    """Set once a worker is asked to stop; thread-safe. Work in progress may register a cancel callback."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._cancels: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        """Whether a stop was requested."""
        return self._event.is_set()

    def request(self) -> None:
        """Ask the work in progress to stop: set the request, then call every registered cancel callback."""
        with self._lock:  # a callback is never called once its block has ended (see `cancelling`)
            self._event.set()
            for cancel in list(self._cancels):
                try:
                    cancel()
                except Exception:  # the work still stops at its next checkpoint
                    log.exception("cancelling work in progress failed")

    def clear(self) -> None:
        """Forget the request (a worker started again in the same process)."""
        self._event.clear()

    def check(self) -> None:
        """Raise WorkerStopped when a stop was requested (a checkpoint of long work)."""
        if self._event.is_set():
            raise WorkerStopped("the worker was asked to stop")

    @contextmanager
    def cancelling(self, cancel: Callable[[], None]) -> Iterator[None]:
        """Within the block, a stop request calls `cancel` (e.g. the database connection's `cancel`, which
        ends the statement in flight); raises WorkerStopped at once when a stop was already requested."""
        with self._lock:
            self.check()
            self._cancels.append(cancel)
        try:
            yield
        finally:
            with self._lock:
                self._cancels.remove(cancel)
