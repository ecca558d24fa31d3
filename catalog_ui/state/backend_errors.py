"""What a page shows when one of its event handlers fails.

A database that cannot be reached is said plainly ("not answering"), and logged in one line at most every
OUTAGE_LOG_EVERY_S: every open page's timer fails each tick during an outage, and Reflex's own handler logs
a full traceback each time (thousands of lines for a short restart) under a toast that says only "An error
occurred. Contact the website administrator.". Anything else goes to Reflex's handler (the traceback in the
log, the generic toast). The pages catch up by themselves once the database is back: their timers read it
again.
"""

from __future__ import annotations

import logging
import threading
import time

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from catalog_ui.db import unreachable_reason

log = logging.getLogger(__name__)

OUTAGE_LOG_EVERY_S = 30.0
DATABASE_DOWN = "The database is not answering; the page will catch up once it is back."

_last_logged = 0.0
_lock = threading.Lock()


def backend_exception_handler(exception: Exception) -> EventSpec:
    """The toast for a failed event handler; a database outage gets its own message and a quiet log."""
    reason = unreachable_reason(exception)
    if reason is None:
        return default_backend_exception_handler(exception)
    global _last_logged
    with _lock:
        now = time.monotonic()
        quiet = now - _last_logged < OUTAGE_LOG_EVERY_S
        if not quiet:
            _last_logged = now
    if not quiet:
        log.error("a page's request failed: %s", reason)
    return rx.toast.error(DATABASE_DOWN, id="database-down")
