"""Work the web app process runs beside the pages: the in-process Dramatiq worker when there is no Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from catalog_ui.settings import get_settings


@contextlib.asynccontextmanager
async def in_process_worker() -> AsyncIterator[None]:
    """Lifespan task: without REDIS_URL, run the actors and the scheduler inside this process."""
    if get_settings().redis_url:
        yield
        return
    from workers.broker import start_in_process_worker, stop_in_process_worker

    await asyncio.to_thread(start_in_process_worker)
    try:
        yield
    finally:
        await asyncio.to_thread(stop_in_process_worker, 10.0)
