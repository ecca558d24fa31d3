"""State of the channels list: the visible page, the search term and the sort, all three kept in the URL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.channels import CHANNEL_SORTS, list_channels
from catalog_ui.services.grid_view import clean_value
from catalog_ui.services.list_views import CHANNEL_SORT, FILTER_MAX_CHARS, ChannelsView, parse_channels_view
from catalog_ui.services.paging import page_count
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_row
from catalog_ui.state.guards import authenticated
from catalog_ui.state.paging import PagedListMixin
from catalog_ui.state.url_history import settle_url, show_url, typing_continues, typing_ended

PER_PAGE = 50


class ChannelsState(PagedListMixin, AuthState):
    """One page of channels."""

    rows: list[dict[str, str]] = []
    search: str = ""
    # The search box is uncontrolled (an echo of what was sent would overwrite what was typed since): a new
    # key remounts it with `search` when the search changes from elsewhere (a link, back).
    search_key: int = 0
    sort: str = CHANNEL_SORT
    total: int = 0
    note: str = ""  # "No channel has the handle @name." when a handle searched finds no channel
    _typing: str = ""  # "search" while a search is being typed (`url_history.typing_continues`)
    _typed_at: float = 0.0

    @rx.var
    def total_label(self) -> str:
        """'52 channels'."""
        return f"{self.total:,} channel{'s' if self.total != 1 else ''}"

    def _fetch(self) -> None:
        with session_scope() as session:
            result = list_channels(session, self.search, self.page, PER_PAGE, self.sort)
        self.rows = [display_row(row) for row in result.rows]
        self.total, self.note = result.total, result.note
        self.pages = page_count(result.total, PER_PAGE)
        if not self.rows and self.page > self.pages:
            self.page = self.pages
            self._fetch()

    def _view(self) -> ChannelsView:
        return ChannelsView(search=self.search, sort=self.sort, page=self.page)

    def _go(self, view: ChannelsView, *, typed: bool = False) -> rx.event.EventSpec:
        """Show `view` and put it in the URL: a new history entry, or the same one while the search is typed."""
        box = "search" if typed else ""
        same_entry = typing_continues(box, self._typing, self._typed_at)
        self.search, self.sort, self.page = view.search, view.sort, view.page
        self._fetch()
        self._typing, self._typed_at = typing_ended(box, view.search)
        return show_url(self._view().url(), same_entry=same_entry)

    def _paged(self) -> rx.event.EventSpec:
        self._typing = ""
        return show_url(self._view().url())

    @rx.event
    @authenticated
    def load(self) -> Any:
        """on_load (also back/forward): the search, sort and page the URL names."""
        view, problems = parse_channels_view(self.router.url.query)
        self._typing = ""
        if view.search != self.search:
            self.search_key += 1
        self.search, self.sort, self.page = view.search, view.sort, view.page
        self._fetch()
        shown = self._view()
        return settle_url(shown.url(), problems, corrected=shown != view, toast_id="channels-url-problems")

    @rx.event
    @authenticated
    def set_search(self, value: str) -> Any:
        """Filter by name or id as it is typed; back to page 1; one history entry for the whole typing."""
        search = clean_value(str(value or ""), FILTER_MAX_CHARS)  # blanks inside kept: names match as stored
        if search == self.search:
            return None
        return self._go(replace(self._view(), search=search, page=1), typed=True)

    @rx.event
    @authenticated
    def set_sort(self, value: str) -> Any:
        """Sort by name, videos, views or subscribers."""
        sort = value if value in CHANNEL_SORTS else CHANNEL_SORT
        return self._go(replace(self._view(), sort=sort, page=1))
