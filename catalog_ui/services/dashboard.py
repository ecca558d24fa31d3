"""The dashboard's overview: catalog totals, queue state, recent reports, claims, data-quality issues."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.services import data_quality, queue
from catalog_ui.services.reports import list_reports
from catalog_ui.services.visibility import HIDDEN_VIDEO_IDS

RECENT_REPORTS = 5
QUALITY_SAMPLE = 8
EXACT_HISTORY_LIMIT = 200_000  # history entries counted exactly below this estimate


def catalog_totals(session: Session, *, include_hidden: bool = False) -> dict[str, Any]:
    """Videos, channels and total views (exact; hidden videos only when `include_hidden`: for admins),
    history entries (hidden videos' likewise): counted up to EXACT_HISTORY_LIMIT, past it the planner's estimate (`history_exact`
    False), since counting millions of entries on every visit would cost seconds.

    Videos and views are read from `video_sort`, the narrow mirror of each video's views and hidden flag
    (a third of the time of reading `video` on a million videos)."""
    visible = "" if include_hidden else " WHERE NOT hidden"
    row = session.execute(
        text(
            f"""
            SELECT totals.videos, totals.views,
                   (SELECT count(*) FROM channel) AS channels,
                   (SELECT reltuples::bigint FROM pg_class WHERE oid = 'metadata_sync'::regclass) AS history
            FROM (SELECT count(*) AS videos, COALESCE(sum(views), 0)::bigint AS views FROM video_sort{visible}) totals
            """
        )
    ).one()
    totals = dict(row._mapping)
    # reltuples is -1 until the table is first analysed (it is young, hence small)
    totals["history_exact"] = totals["history"] < EXACT_HISTORY_LIMIT
    if totals["history_exact"]:
        visible_entries = "" if include_hidden else f" WHERE video_id NOT IN ({HIDDEN_VIDEO_IDS})"
        totals["history"] = session.execute(
            text(f"SELECT count(*) FROM metadata_sync{visible_entries}")
        ).scalar_one()
    elif not include_hidden:  # the estimate less the hidden videos' entries, found through their few ids
        hidden_entries = session.execute(
            text(f"SELECT count(*) FROM metadata_sync WHERE video_id IN ({HIDDEN_VIDEO_IDS})")
        ).scalar_one()
        totals["history"] = max(0, totals["history"] - hidden_entries)
    return totals


# Per claim status (NULL: none), the videos and those another content owner claims too. Both columns are
# idx_video_claim's, so this is an index-only scan; `hidden` is not in it, hence the subtraction below.
_CLAIM_COUNTS = """
    SELECT claimed_status, claimed_by_another_owner = 'Yes' AS contested, count(*) AS videos
    FROM video {where} GROUP BY 1, 2
"""


def claim_counts(session: Session, *, include_hidden: bool = False) -> dict[str, Any]:
    """Videos per claim status (`statuses`: most first, then by name; videos without a status left out)
    and the videos claimed by another owner too (`contested`, the ownership conflicts), exact; hidden
    videos count only when `include_hidden` (admins).

    Without them, the few hidden videos' counts (found through idx_video_hidden) are taken off the whole
    catalog's, which an index-only scan counts; filtering `NOT hidden` would read every row instead."""
    videos: Counter[str | None] = Counter()
    contested = 0
    queries = [("", 1)] if include_hidden else [("", 1), ("WHERE hidden", -1)]
    for where, sign in queries:
        for status, is_contested, count in session.execute(text(_CLAIM_COUNTS.format(where=where))):
            videos[status or None] += sign * count
            if is_contested:
                contested += sign * count
    statuses = sorted(
        ((status, count) for status, count in videos.items() if status is not None and count > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return {"statuses": statuses, "contested": contested}


def queue_by_status(session: Session, *, include_hidden: bool = False) -> dict[str, int]:
    """Tasks per status, all task types together (hidden videos' tasks only when `include_hidden`)."""
    totals: dict[str, int] = {}
    for by_status in queue.counts_by_status_and_type(session, include_hidden=include_hidden).values():
        for status, count in by_status.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def overview(session: Session, *, include_hidden: bool = False) -> dict[str, Any]:
    """Everything the dashboard shows, in one call; hidden videos count only when `include_hidden` (admins)."""
    issues, issue_total = data_quality.data_quality_issues(
        session, page=1, per_page=QUALITY_SAMPLE, include_hidden=include_hidden
    )
    return {
        "totals": catalog_totals(session, include_hidden=include_hidden),
        "queue": queue_by_status(session, include_hidden=include_hidden),
        "reports": list_reports(session, page=1, per_page=RECENT_REPORTS).rows,
        "claims": claim_counts(session, include_hidden=include_hidden),
        "quality_counts": data_quality.issue_counts(session, include_hidden=include_hidden),
        "quality_sample": issues,
        "quality_total": issue_total,
    }
