"""asset_enrichment: Content ID assets/{asset_id} with effective metadata → upc, isrc, genre, artist,
label, custom_id. ISRC and UPC are normalised as reports are (`report_columns.isrc` / `.upc`)."""

from __future__ import annotations

from typing import Any

from catalog_ui.services import report_columns
from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.rate_limit import CONTENT_ID, acquire
from catalog_ui.services.sync.clients import CONTENT_ID_TASK_TYPES, content_id_client
from catalog_ui.services.sync.outcome import (
    QUOTA,
    FetchContext,
    FetchResult,
    Outcome,
    applied,
    failed,
    from_error,
)
from catalog_ui.services.youtube.errors import YouTubeApiError
from catalog_ui.services.youtube.mapping import asset_fields_from_asset

NO_ASSET = "the video has no asset_id, so there is no asset to enrich it from"


def fetch(tasks: list[ClaimedTask], context: FetchContext) -> FetchResult:
    """Fetch each task's asset (once per asset in the batch); videos without an asset fail at once."""
    asset_ids = context.read_assets([task.video_id for task in tasks])
    client = None
    by_asset: dict[str, Outcome] = {}
    outcomes: dict[int, Outcome] = {}
    for task in tasks:
        asset_id = asset_ids.get(task.video_id)
        if not asset_id:
            outcomes[task.id] = failed(NO_ASSET)
            continue
        if asset_id not in by_asset:
            client = client or content_id_client()
            context.heartbeat()
            acquire(CONTENT_ID)
            try:
                asset = client.get_asset(asset_id)
            except YouTubeApiError as exc:
                by_asset[asset_id] = from_error(
                    exc, not_found=f"asset {asset_id} not found on YouTube", quota_types=CONTENT_ID_TASK_TYPES
                )
            else:
                by_asset[asset_id] = _asset_outcome(asset_id, asset)
        outcomes[task.id] = by_asset[asset_id]
        if outcomes[task.id].kind == QUOTA:
            outcomes.update({t.id: outcomes[task.id] for t in tasks if t.id not in outcomes})
            break
    return FetchResult(outcomes)


def _asset_outcome(asset_id: str, asset: dict[str, Any]) -> Outcome:
    values = asset_fields_from_asset(asset)
    for field, normalize in (("isrc", report_columns.isrc), ("upc", report_columns.upc)):
        if values.get(field) is None:
            continue
        try:
            normalized = normalize(values[field])
        except report_columns.FieldError as exc:
            return failed(f"asset {asset_id} has an unusable {field} {values[field]!r}: {exc.reason}")
        values[field] = normalized.value if isinstance(normalized, report_columns.Flagged) else normalized
    return applied(values)
