"""ownership_update: Content ID claimSearch per video → claimed_status, claimed_by_another_owner,
other_owners_claiming, effective_policy (summarised by `mapping.ownership_fields_from_claims`)."""

from __future__ import annotations

from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.rate_limit import CONTENT_ID, acquire
from catalog_ui.services.sync.clients import CONTENT_ID_TASK_TYPES, content_id_client
from catalog_ui.services.sync.outcome import (
    NOT_FOUND,
    QUOTA,
    FetchContext,
    FetchResult,
    Outcome,
    applied,
    from_error,
)
from catalog_ui.services.youtube.errors import YouTubeApiError
from catalog_ui.services.youtube.mapping import ownership_fields_from_claims


def fetch(tasks: list[ClaimedTask], context: FetchContext) -> FetchResult:
    """Search each task's claims; once the quota is spent the rest of the batch is put back untouched."""
    client = content_id_client()
    outcomes: dict[int, Outcome] = {}
    for task in tasks:
        context.heartbeat()
        acquire(CONTENT_ID)
        calls_before = client.calls
        try:
            claims = client.search_claims(task.video_id)
        except YouTubeApiError as exc:
            outcome = from_error(exc, not_found=NOT_FOUND, quota_types=CONTENT_ID_TASK_TYPES)
        else:
            outcome = applied(ownership_fields_from_claims(claims))
        # The rate limiter was charged one call; a claim list of several pages cost more.
        acquire(CONTENT_ID, client.calls - calls_before - 1)
        outcomes[task.id] = outcome
        if outcome.kind == QUOTA:
            outcomes.update({t.id: outcome for t in tasks if t.id not in outcomes})
            break
    return FetchResult(outcomes)
