"""Logging for every process (CLI, app, workers): one format, and libraries kept quiet where they leak or drown.

httpx logs each request's full URL at INFO, and the Data API key travels in the query string, so it is
held at WARNING everywhere; pgserver's and Alembic's INFO lines drown what an operator needs to see.
"""

from __future__ import annotations

import logging

from catalog_ui.settings import get_settings

QUIET_LOGGERS = ("httpx", "httpcore", "pgserver", "alembic", "botocore", "boto3", "urllib3")
FORMAT = "%(asctime)s %(processName)s[%(process)d] %(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    """Set the root level from LOG_LEVEL (once) and quiet the chatty or leaky libraries."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=get_settings().log_level.upper(), format=FORMAT)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
