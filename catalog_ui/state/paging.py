"""Previous/next paging shared by the list pages: the state keeps `page` and `pages` and fetches one page."""

from __future__ import annotations

from typing import Any

import reflex as rx

from catalog_ui.state.guards import authenticated


class PagedListMixin(rx.State, mixin=True):
    """`page`/`pages` and the two paging handlers; the state using it defines `_fetch()` for one page, and
    `_paged()` when the page number goes in the URL (what it returns, the handlers return)."""

    page: int = 1
    pages: int = 1

    @rx.event
    @authenticated
    def next_page(self) -> Any:
        """One page forward."""
        if self.page >= self.pages:
            return None
        self.page += 1
        self._fetch()  # type: ignore[attr-defined]  - defined by the list state
        return self._paged()

    @rx.event
    @authenticated
    def prev_page(self) -> Any:
        """One page back."""
        if self.page <= 1:
            return None
        self.page -= 1
        self._fetch()  # type: ignore[attr-defined]  - defined by the list state
        return self._paged()

    def _paged(self) -> Any:
        """What the paging handlers return once the new page is read (nothing, unless overridden)."""
        return None
