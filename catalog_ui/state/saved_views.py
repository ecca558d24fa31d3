"""State of the grid's saved views: name the current view, reopen it later, share it (admins), delete it.

Two actions ask first. Saving under a name the user already has shows that the view exists and turns the
Save button into "Replace view …"; only that second click replaces it. Replacing keeps a shared view
shared unless the admin unticks "Share with everybody" (which then shows ticked): the team relies on a
shared view, and the box starts unticked for a new view, so leaving it alone is no choice to unshare. The
question says what the replacement does to the sharing, following the box as it changes. Deleting names the view (and, for
another user's shared view, its owner) in a confirmation; the service checks who may delete either way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.saved_views import (
    SavedViewError,
    SavedViewExists,
    delete_view,
    get_view,
    list_views,
    save_view,
    view_name,
    view_to_delete,
)
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
    # The name the user was told exists: the next Save with this name replaces that view.
    replace_name: str = ""
    replace_was_shared: bool = False  # that view is shared with everybody
    replace_can_share: bool = False  # the user may share (an admin)
    _share_chosen: bool = False  # the user ticked or unticked Share in this dialog

    delete_open: bool = False
    delete_title: str = ""
    delete_detail: str = ""
    _delete_id: int = 0
    _delete_name: str = ""

    @rx.var
    def replacing(self) -> bool:
        """The typed name is one the user was told exists: Save now replaces that view."""
        return self.replace_name != "" and view_name(self.view_name) == self.replace_name

    @rx.var
    def replace_detail(self) -> str:
        """The question before replacing: that the view exists and what replacing does to its sharing."""
        if not self.replace_name:
            return ""
        exists = f"You already have a view called “{self.replace_name}”"
        if not self.replace_was_shared:
            if self.share:
                return f"{exists}. Replacing it shares it with everybody."
            return f"{exists}. Replace it with the current view?"
        exists += ", shared with everybody"
        if self.share:
            return f"{exists}. Replacing it changes it for everybody."
        if self.replace_can_share:
            return (
                f"{exists}. With “Share with everybody” unticked, replacing it makes it private: it "
                "disappears for everybody else."
            )
        return f"{exists}. Only admins share views: replacing it makes it private, gone for everybody else."

    def _list(self) -> None:
        user_id, _ = self._viewer()
        with session_scope() as session:
            items = list_views(session, user_id)
        self.saved_views = [SavedViewRow(i.id, i.name, i.shared, i.mine, i.owner) for i in items]

    @rx.event
    @authenticated
    def load_saved_views(self, opened: bool = True) -> None:
        """Read the user's and the shared views when the menu opens (`opened`); nothing as it closes."""
        if opened:
            self._list()

    @rx.event
    @authenticated
    def open_save(self) -> None:
        """Open the "save this view" form."""
        self.view_name, self.share, self.save_open = "", False, True
        self.replace_name, self._share_chosen = "", False

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
        if view_name(self.view_name) != self.replace_name:  # another name: asked again if it exists too
            self.replace_name = ""

    @rx.event
    @authenticated
    def set_share(self, value: bool) -> None:
        """Share with everybody (only admins may; the server checks on save)."""
        self.share = bool(value)
        self._share_chosen = True

    @rx.event
    @authenticated
    def save_current(self) -> Any:
        """Save the current view (filters, sort, columns; not the page) under the typed name; a name the
        user already has is replaced only on the second click, once the dialog said it exists."""
        user_id, is_admin = self._viewer()
        query = dataclasses.replace(self._current, page=1).to_query()
        replacing = self.replacing
        try:
            with session_scope() as session:
                saved = save_view(
                    session,
                    user_id,
                    self.view_name,
                    query,
                    shared=self.share,
                    is_admin=is_admin,
                    replace=replacing,
                )
                name = saved.name
        except SavedViewExists as exc:
            self.replace_name, self.replace_was_shared, self.replace_can_share = (
                exc.name,
                exc.shared,
                is_admin,
            )
            if is_admin and not self._share_chosen:  # the box was left as it starts: keep the view's sharing
                self.share = exc.shared
            return None
        except SavedViewError as exc:
            return rx.toast.error(str(exc))
        unshared = replacing and self.replace_was_shared and not self.share
        self.save_open = False
        self.replace_name = ""
        self._list()
        if unshared:
            return rx.toast.success(f"Replaced the view “{name}”; it is private now.")
        return rx.toast.success(f"{'Replaced' if replacing else 'Saved'} the view “{name}”.")

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
    def ask_delete(self, view_id: int) -> Any:
        """Ask to confirm deleting a view, naming it (and the owner of another user's shared view)."""
        user_id, is_admin = self._viewer()
        try:
            with session_scope() as session:
                view = view_to_delete(session, user_id, int(view_id), is_admin=is_admin)
        except SavedViewError as exc:
            self._list()
            return rx.toast.error(str(exc))
        self._delete_id, self._delete_name = view.id, view.name
        if view.mine:
            self.delete_title = f"Delete the view “{view.name}”?"
            self.delete_detail = (
                "It is shared: it disappears for everybody." if view.shared else "Only you see this view."
            )
        else:
            self.delete_title = f"Delete {view.owner}’s shared view “{view.name}”?"
            self.delete_detail = f"It was saved by {view.owner}; it disappears for everybody, them included."
        self.delete_open = True
        return None

    @rx.event
    @authenticated
    def cancel_delete(self) -> None:
        """Close the confirmation without deleting."""
        self.delete_open = False

    @rx.event
    @authenticated
    def set_delete_open(self, is_open: bool) -> None:
        """The confirmation asks to close (Escape): close it without deleting. It opens only by ask_delete."""
        if not is_open:
            self.delete_open = False

    @rx.event
    @authenticated
    def confirm_delete(self) -> Any:
        """Delete the view the confirmation named, once (a second click finds the dialog closed)."""
        if not self.delete_open:
            return None
        self.delete_open = False
        user_id, is_admin = self._viewer()
        try:
            with session_scope() as session:
                delete_view(session, user_id, self._delete_id, is_admin=is_admin)
        except SavedViewError as exc:
            return rx.toast.error(str(exc))
        self._list()
        return rx.toast.success(f"Deleted the view “{self._delete_name}”.")
