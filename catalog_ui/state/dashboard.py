"""State of the dashboard: headline numbers, the queue, recent reports, claims and data-quality issues."""

from __future__ import annotations

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.dashboard import overview
from catalog_ui.services.grid_view import GridView, VideoFilter
from catalog_ui.services.list_views import QueueView
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import counted, display_row
from catalog_ui.state.grid_display import count_text
from catalog_ui.state.guards import authenticated, principal_of
from catalog_ui.state.report_display import display_name

QUEUE_STATUSES = ("pending", "processing", "failed", "completed")
ISSUE_LABELS = {"isrc_invalid": "Invalid ISRC", "upc_invalid": "Invalid UPC"}


def _grid_url(flt: VideoFilter) -> str:
    return GridView(filter=flt).url()


CONTESTED_URL = _grid_url(VideoFilter().with_choice("other_owner", True))


class DashboardState(AuthState):
    """What the dashboard shows, formatted for display."""

    videos: str = "—"
    channels: str = "—"
    views: str = "—"
    history: str = "—"
    queue: list[dict[str, str]] = []
    reports: list[dict[str, str]] = []
    claim_statuses: list[dict[str, str]] = []
    contested_count: int = 0
    quality_counts: list[dict[str, str]] = []
    quality_sample: list[dict[str, str]] = []
    quality_total: int = 0

    @rx.var
    def contested(self) -> str:
        """The videos claimed by another owner too, as the card shows them."""
        return f"{self.contested_count:,}"

    @rx.event
    @authenticated
    def load(self) -> None:
        """Read the overview."""
        with session_scope() as session:
            data = overview(session, include_hidden=principal_of(self).is_admin)
        totals = data["totals"]
        self.videos = f"{totals['videos']:,}"
        self.channels = f"{totals['channels']:,}"
        self.views = f"{totals['views']:,}"
        self.history = count_text(totals["history"], totals["history_exact"])
        self.queue = [
            {
                "status": status,
                "count": f"{data['queue'].get(status, 0):,}",
                "href": QueueView(status=status).url(),
            }
            for status in QUEUE_STATUSES
        ]
        claims = data["claims"]
        self.contested_count = claims["contested"]
        self.claim_statuses = [
            {
                "status": status,
                "count": f"{count:,}",
                "href": _grid_url(VideoFilter().with_values("claim", (status,))),
            }
            for status, count in claims["statuses"]
        ]
        self.reports = [
            display_row({key: row.get(key) for key in ("id", "status", "created_at")})
            | {
                "filename": display_name(row),  # as the Reports page names it: no local path
                "rows_read": counted(row["rows_read"], "row") if row.get("rows_read") is not None else "",
            }
            for row in data["reports"]
        ]
        self.quality_counts = [
            {"label": ISSUE_LABELS.get(name, name), "count": f"{count:,}"}
            for name, count in data["quality_counts"].items()
        ]
        self.quality_sample = [
            {
                "video_id": row["video_id"],
                "title": row.get("title") or "",
                "isrc": row.get("isrc") or "",
                "upc": row.get("upc") or "",
            }
            for row in data["quality_sample"]
        ]
        self.quality_total = data["quality_total"]
