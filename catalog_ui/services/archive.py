"""History archival, the seed's "Data Archival Strategy": entries older than the retention period move from
`metadata_sync` to `metadata_sync_archive`, so the live table (a daily report adds hundreds of thousands of
entries) stays the size of the period. Archived entries still belong to their video and change set: the
timeline ("Include archived"), the views chart, rollbacks, the audit log and a report's changes read both.

Entries move in batches walked by id (each its own short transaction, so nothing waits long on a batch and
an interruption loses nothing): ids grow with time, so the walk stops at the first batch holding no entry
older than the cutoff. There is no index on `sync_time` to walk instead: every report would maintain it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from catalog_ui.models import utc_now
from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

ARCHIVE_BATCH = 20_000
COLUMNS = "id, video_id, channel_display_name, video_title, sync_time, changes, change_set_id"

_BATCH_END = text(
    "SELECT max(id) AS upto, bool_or(sync_time < :cutoff) AS any_old "
    "FROM (SELECT id, sync_time FROM metadata_sync WHERE id > :after ORDER BY id LIMIT :batch) b"
)
_MOVE = text(
    f"""
    WITH moved AS (
        DELETE FROM metadata_sync WHERE id > :after AND id <= :upto AND sync_time < :cutoff
        RETURNING {COLUMNS}
    ), stored AS (
        INSERT INTO metadata_sync_archive ({COLUMNS}) SELECT {COLUMNS} FROM moved RETURNING 1
    )
    SELECT count(*) FROM stored
    """
)


def retention_cutoff(days: int | None = None) -> datetime | None:
    """The time before which entries are archived: `days` (default HISTORY_RETENTION_DAYS) ago, or None
    when that is 0 (history stays live)."""
    days = get_settings().history_retention_days if days is None else days
    return utc_now() - timedelta(days=days) if days > 0 else None


def archive_history(engine: Engine, cutoff: datetime, *, batch: int = ARCHIVE_BATCH) -> int:
    """Move every history entry older than `cutoff` into the archive; returns how many moved."""
    moved, after = 0, 0
    while True:
        with engine.begin() as conn:
            end = conn.execute(_BATCH_END, {"after": after, "batch": batch, "cutoff": cutoff}).one()
            if end.upto is None or not end.any_old:
                break
            moved += conn.execute(_MOVE, {"after": after, "upto": end.upto, "cutoff": cutoff}).scalar_one()
        after = end.upto
    if moved:
        log.info("history entries archived (older than %s): %d", cutoff.isoformat(), moved)
    return moved
