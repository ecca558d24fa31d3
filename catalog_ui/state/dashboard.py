"""State of the dashboard: the catalog's headline numbers."""

from __future__ import annotations

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.catalog import catalog_totals
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import authenticated


class DashboardState(AuthState):
    """Headline numbers, formatted."""

    videos: str = "—"
    channels: str = "—"
    views: str = "—"
    history: str = "—"

    @rx.event
    @authenticated
    def load(self) -> None:
        """Read the numbers."""
        with session_scope() as session:
            totals = catalog_totals(session)
        self.videos = f"{totals['videos']:,}"
        self.channels = f"{totals['channels']:,}"
        self.views = f"{totals['views']:,}"
        self.history = f"~{totals['history']:,}"
