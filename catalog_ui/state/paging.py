"""Previous/next paging shared by the list pages: the state keeps `page` and `pages` and fetches one page."""

from __future__ import annotations

import reflex as rx

from catalog_ui.state.guards import authenticated


class PagedListMixin(rx.State, mixin=True):
    """`page`/`pages` and the two paging handlers; the state using it defines `_fetch()` for one page."""

    page: int = 1
    pages: int = 1

    @rx.event
    @authenticated
    def next_page(self) -> None:
        """One page forward."""
        if self.page < self.pages:
            self.page += 1
            self._fetch()  # type: ignore[attr-defined]  - defined by the list state

    @rx.event
    @authenticated
    def prev_page(self) -> None:
        """One page back."""
        if self.page > 1:
            self.page -= 1
            self._fetch()  # type: ignore[attr-defined]  - defined by the list state
