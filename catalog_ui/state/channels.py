"""State of the channels list: the visible page, the search term and the sort."""

from __future__ import annotations

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.channels import CHANNEL_SORTS, list_channels
from catalog_ui.services.paging import page_count
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_row
from catalog_ui.state.guards import authenticated
from catalog_ui.state.paging import PagedListMixin

PER_PAGE = 50


class ChannelsState(PagedListMixin, AuthState):
    """One page of channels."""

    rows: list[dict[str, str]] = []
    search: str = ""
    sort: str = "videos"
    total: int = 0

    @rx.var
    def total_label(self) -> str:
        """'52 channels'."""
        return f"{self.total:,} channel{'s' if self.total != 1 else ''}"

    def _fetch(self) -> None:
        with session_scope() as session:
            result = list_channels(session, self.search, self.page, PER_PAGE, self.sort)
        self.rows = [display_row(row) for row in result.rows]
        self.total = result.total
        self.pages = page_count(result.total, PER_PAGE)

    @rx.event
    @authenticated
    def load(self) -> None:
        """Fetch the current page."""
        self._fetch()

    @rx.event
    @authenticated
    def set_search(self, value: str) -> None:
        """Filter by name or id; back to page 1."""
        self.search = value[:200]
        self.page = 1
        self._fetch()

    @rx.event
    @authenticated
    def set_sort(self, value: str) -> None:
        """Sort by name, videos, views or subscribers."""
        self.sort = value if value in CHANNEL_SORTS else "videos"
        self.page = 1
        self._fetch()
