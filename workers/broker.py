"""The Dramatiq broker from settings: Redis when REDIS_URL is set, else an in-memory broker run in-process.

`setup_broker()` must run before the actors are declared (importing `workers.actors` does it); it is
idempotent. Without Redis, the web app calls `start_in_process_worker()` at start-up so tasks still run.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import dramatiq
from dramatiq.broker import Broker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from catalog_ui.settings import get_settings

if TYPE_CHECKING:
    import redis

    from workers.main import Scheduler

log = logging.getLogger(__name__)

_lock = threading.RLock()
_broker: Broker | None = None
_in_process: tuple[dramatiq.Worker, Scheduler] | None = None


def setup_broker() -> Broker:
    """Create the process's broker once and make it Dramatiq's global broker; return it."""
    global _broker
    with _lock:
        if _broker is None:
            settings = get_settings()
            if settings.redis_url:
                _broker = RedisBroker(
                    url=settings.redis_url, namespace=f"{settings.queue_namespace}:dramatiq"
                )
            else:
                _broker = StubBroker()
            dramatiq.set_broker(_broker)
        return _broker


def redis_client() -> redis.Redis | None:
    """The broker's Redis client (shared keys such as wake-up flags), or None for the in-memory broker."""
    broker = setup_broker()
    return broker.client if isinstance(broker, RedisBroker) else None


def start_in_process_worker(threads: int = 2) -> dramatiq.Worker:
    """Run the actors on `threads` threads of this process, plus the scheduler; idempotent.

    Meant for the no-Redis mode (the web app calls it at start-up), where messages never leave the
    process. `stop_in_process_worker()` stops both.
    """
    global _in_process
    from workers import actors  # declares the actors on the broker
    from workers.main import Scheduler

    with _lock:
        if _in_process is None:
            actors.allow_run()
            worker = dramatiq.Worker(setup_broker(), worker_threads=threads)
            worker.start()
            scheduler = Scheduler(
                wake=actors.wake, scan_reports=actors.request_scan, archive=actors.request_archive
            )
            scheduler.start_thread()
            _in_process = (worker, scheduler)
            log.info("in-process worker started with %d threads", threads)
        return _in_process[0]


def stop_in_process_worker(timeout_s: float = 30.0) -> None:
    """Stop the in-process worker and scheduler started by `start_in_process_worker`, if any."""
    global _in_process
    from workers import actors

    with _lock:
        running, _in_process = _in_process, None
    if running is None:
        return
    worker, scheduler = running
    scheduler.stop()
    actors.request_stop()
    worker.stop(timeout=int(timeout_s * 1000))
