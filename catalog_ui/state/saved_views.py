"""State of the grid's saved views: name the current view, reopen it later, share it (admins)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.saved_views import SavedViewError, delete_view, get_view, list_views, save_view
from catalog_ui.state.guards import authenticated
from catalog_ui.state.videos import VideosState


@dataclasses.dataclass
class SavedViewRow:
    """A saved view in the menu."""

    id: int = 0
    name: str = ""
    shared: bool = False
    mine: bool = False
    owner: str = ""


class SavedViewsState(VideosState):
    """The saved views menu and the "save this view" form."""

    saved_views: list[SavedViewRow] = []
    save_open: bool = False
    view_name: str = ""
    share: bool = False

    def _list(self) -> None:
        user_id, _ = self._viewer()
        with session_scope() as session:
            items = list_views(session, user_id)
        self.saved_views = [SavedViewRow(i.id, i.name, i.shared, i.mine, i.owner) for i in items]

    @rx.event
    @authenticated
    def load_saved_views(self) -> None:
        """Read the user's and the shared views (when the menu opens)."""
        self._list()

    @rx.event
    @authenticated
    def open_save(self) -> None:
        """Open the "save this view" form."""
        self.view_name, self.share, self.save_open = "", False, True

    @rx.event
    @authenticated
    def close_save(self) -> None:
        """Close the form."""
        self.save_open = False

    @rx.event
    @authenticated
    def set_save_open(self, value: bool) -> None:
        """The dialog opened or closed (Escape, a click outside)."""
        self.save_open = bool(value)

    @rx.event
    @authenticated
    def set_view_name(self, value: str) -> None:
        """The name being typed."""
        self.view_name = (value or "")[:200]

    @rx.event
    @authenticated
    def set_share(self, value: bool) -> None:
        """Share with everybody (only admins may; the server checks on save)."""
        self.share = bool(value)

    @rx.event
    @authenticated
    def save_current(self) -> Any:
        """Save the current view (filters, sort, columns; not the page) under the typed name."""
        user_id, is_admin = self._viewer()
        query = dataclasses.replace(self._current, page=1).to_query()
        try:
            with session_scope() as session:
                save_view(session, user_id, self.view_name, query, shared=self.share, is_admin=is_admin)
        except SavedViewError as exc:
            return rx.toast.error(str(exc))
        self.save_open = False
        self._list()
        return rx.toast.success(f"Saved the view “{self.view_name.strip()}”.")

    @rx.event
    @authenticated
    def open_saved(self, view_id: int) -> Any:
        """Open a saved view."""
        user_id, _ = self._viewer()
        try:
            with session_scope() as session:
                query = get_view(session, user_id, int(view_id)).query
        except SavedViewError as exc:
            return rx.toast.error(str(exc))
        return rx.redirect(f"/videos?{query}" if query else "/videos")

    @rx.event
    @authenticated
    def delete_saved(self, view_id: int) -> Any:
        """Delete one of the user's views (admins: also shared ones)."""
        user_id, is_admin = self._viewer()
        try:
            with session_scope() as session:
                delete_view(session, user_id, int(view_id), is_admin=is_admin)
        except SavedViewError as exc:
            return rx.toast.error(str(exc))
        self._list()
        return None
