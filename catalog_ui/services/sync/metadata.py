"""metadata_sync: one videos.list call for the whole batch (≤ 50 ids), one channels.list for their channels.

Video fields come from `mapping.video_fields_from_resource`; a video YouTube omits fails with "video not
found on YouTube" (adding "or private" when the client cannot see the content owner's private videos). Channels are upserted before the videos are written (a video's `channel_id` refers to
a channel row); a channel YouTube does not return is still created, named after the videos' channel title.
A channel refreshed less than QUEUE_CHANNEL_REFRESH_S ago is not asked for again: syncing a whole catalog
would otherwise fetch the same few channels for every batch, doubling the quota spent. `channel.updated_at`
is therefore the time of the channel's last refresh.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DataError
from sqlmodel import Session

from catalog_ui.models import Channel, utc_now
from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.rate_limit import DATA_API, acquire
from catalog_ui.services.sync.clients import data_api_client
from catalog_ui.services.sync.outcome import (
    NOT_FOUND,
    NOT_FOUND_OR_PRIVATE,
    FetchContext,
    FetchResult,
    applied,
    failed,
    from_error,
)
from catalog_ui.services.youtube.data_api import MAX_IDS_PER_CALL
from catalog_ui.services.youtube.errors import YouTubeApiError
from catalog_ui.services.youtube.mapping import channel_fields_from_resource, video_fields_from_resource

log = logging.getLogger(__name__)


def fetch(tasks: list[ClaimedTask], context: FetchContext) -> FetchResult:
    """Ask the Data API about the batch's videos and their channels; one outcome per task."""
    if len(tasks) > MAX_IDS_PER_CALL:
        raise ValueError(f"a metadata_sync batch holds at most {MAX_IDS_PER_CALL} tasks, got {len(tasks)}")
    client = data_api_client()
    try:
        acquire(DATA_API)
        resources = client.list_videos([task.video_id for task in tasks])
        fetched_at = utc_now()
        values = {video_id: video_fields_from_resource(r) for video_id, r in resources.items()}
        context.heartbeat()
        referenced = {v["channel_id"] for v in values.values() if v.get("channel_id")}
        channel_ids = sorted(referenced - context.fresh_channels(sorted(referenced)))
        channels: dict[str, dict[str, Any]] = {}
        for start in range(0, len(channel_ids), MAX_IDS_PER_CALL):
            acquire(DATA_API)
            channels.update(client.list_channels(channel_ids[start : start + MAX_IDS_PER_CALL]))
    except YouTubeApiError as exc:
        return FetchResult.every(tasks, from_error(exc))

    outcomes = {}
    missing = NOT_FOUND if client.sees_private else NOT_FOUND_OR_PRIVATE
    for task in tasks:
        fields = values.get(task.video_id)
        if fields is None:
            outcomes[task.id] = failed(missing)
        else:
            outcomes[task.id] = applied({k: v for k, v in fields.items() if k != "video_id"})
    return FetchResult(outcomes, _channel_rows(channel_ids, channels, values), fetched_at)


def _channel_rows(
    channel_ids: list[str], resources: dict[str, dict[str, Any]], videos: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    titles = {v["channel_id"]: v.get("channel_display_name") for v in videos.values() if v.get("channel_id")}
    rows = []
    for channel_id in channel_ids:
        if channel_id in resources:
            rows.append(channel_fields_from_resource(resources[channel_id]))
        else:
            rows.append({"channel_id": channel_id, "name": titles.get(channel_id), "partial": True})
    return rows


def upsert_channels(session: Session, rows: list[dict[str, Any]], *, isolate: bool = False) -> None:
    """Insert or update channel rows, writing the columns each row has and `updated_at` (refreshed now).

    A row marked `partial` (a channel YouTube did not return) is only inserted when missing. Rows with the
    same columns go in one statement. With `isolate`, each row gets its own savepoint and a row the table
    cannot hold is logged and skipped instead of failing the transaction.
    """
    groups: dict[tuple[bool, tuple[str, ...]], list[dict[str, Any]]] = {}
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "partial"}
        groups.setdefault((bool(row.get("partial")), tuple(sorted(fields))), []).append(fields)
    for (partial, columns), group in groups.items():
        statement = _upsert_statement([c for c in columns if c != "channel_id"], partial)
        if not isolate:
            session.execute(statement, group)
            continue
        for fields in group:
            try:
                with session.begin_nested():
                    session.execute(statement, [fields])
            except DataError as exc:
                log.warning("channel %s not stored: %s", fields.get("channel_id"), exc.orig)


def _upsert_statement(columns: list[str], partial: bool) -> Any:
    # Parameters come with execute(), so the compiled statement is cached per column set.
    statement = pg_insert(Channel).values(updated_at=func.now())
    if partial or not columns:
        return statement.on_conflict_do_nothing(index_elements=["channel_id"])
    return statement.on_conflict_do_update(
        index_elements=["channel_id"],
        set_={**{c: statement.excluded[c] for c in columns}, "updated_at": statement.excluded.updated_at},
    )
