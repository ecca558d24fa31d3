"""State of the video grid: the visible page only."""

from __future__ import annotations

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.catalog import search_videos
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_row
from catalog_ui.state.guards import authenticated


class VideosState(AuthState):
    """One page of videos, as the grid shows it."""

    rows: list[dict[str, str]] = []
    page: int = 1
    per_page: int = 50
    pages: int = 1
    total: int = 0

    @rx.var
    def total_label(self) -> str:
        """'1,234 videos'."""
        return f"{self.total:,} videos"

    @rx.event
    @authenticated
    def load(self) -> None:
        """Fetch the current page from the database."""
        self._fetch()

    def _fetch(self) -> None:
        with session_scope() as session:
            result = search_videos(session, page=self.page, per_page=self.per_page)
        self.rows = [display_row(row) for row in result.rows]
        self.total = result.total
        self.pages = result.pages
        self.page = result.page

    @rx.event
    @authenticated
    def next_page(self) -> None:
        """Go one page forward."""
        if self.page < self.pages:
            self.page += 1
            self._fetch()

    @rx.event
    @authenticated
    def prev_page(self) -> None:
        """Go one page back."""
        if self.page > 1:
            self.page -= 1
            self._fetch()
