"""State of /users (admins only): one page of users, the create form, password reset, open sessions and
the trail of account changes (who changed which account, how, when). A role or status change asks first,
saying what it does (one's own admin role: only another admin gives it back; a deactivation: how many
sessions end), and happens only on the confirmation's button.

Every handler is `@admin_only`: the role is checked on the server for each call, whatever the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from catalog_ui.db import session_scope
from catalog_ui.services import users
from catalog_ui.services.account_changes import list_changes
from catalog_ui.services.users import UserError
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_value
from catalog_ui.state.guards import admin_only, principal_of

PER_PAGE = 25


def _display(row: object) -> dict[str, str]:
    values = asdict(row)  # type: ignore[call-overload]
    shown = {key: display_value(value) for key, value in values.items()}
    for key in ("id", "login_count", "open_sessions"):  # plain digits: ids go into element ids and events
        if key in values:
            shown[key] = str(values[key])
    return shown


class UsersState(AuthState):
    """What /users shows: one page of users, and the user a dialog is open for."""

    rows: list[dict[str, str]] = []
    search: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0

    create_open: bool = False
    create_error: str = ""
    create_method: str = "password"

    reset_open: bool = False
    reset_error: str = ""
    selected_id: int = 0
    selected_email: str = ""

    sessions_open: bool = False
    sessions: list[dict[str, str]] = []

    # The confirmation asked before a role or status changes (the change waits for its button).
    confirm_open: bool = False
    confirm_title: str = ""
    confirm_detail: str = ""
    confirm_action: str = ""
    _confirm_kind: str = ""  # "admin" or "active"
    _confirm_user: int = 0
    _confirm_value: bool = False

    changes_open: bool = False
    changes: list[dict[str, str]] = []
    changes_page: int = 1
    changes_pages: int = 1
    changes_total: int = 0

    @rx.var
    def total_label(self) -> str:
        """'12 users'."""
        return f"{self.total:,} user{'s' if self.total != 1 else ''}"

    def _fetch(self) -> None:
        with session_scope() as session:
            result = users.list_users(session, self.search, page=self.page, per_page=PER_PAGE)
        self.rows = [_display(row) for row in result.rows]
        self.total, self.pages, self.page = result.total, result.pages, result.page

    def _fetch_changes(self) -> None:
        with session_scope() as session:
            result = list_changes(session, self.changes_page, per_page=PER_PAGE)
        self.changes = [_display(row) for row in result.rows]
        self.changes_total, self.changes_pages, self.changes_page = result.total, result.pages, result.page

    def _by(self) -> int:
        return principal_of(self).user_id

    def _fetch_sessions(self) -> None:
        with session_scope() as session:
            rows = users.open_sessions(session, self.selected_id)
        self.sessions = [_display(row) for row in rows]

    @rx.event
    @admin_only
    def load(self) -> None:
        """on_load: the current page of users."""
        self._fetch()

    @rx.event
    @admin_only
    def search_changed(self, value: str) -> None:
        """Filter by e-mail or username (debounced by the input)."""
        self.search = str(value or "")[:200]
        self.page = 1
        self._fetch()

    @rx.event
    @admin_only
    def next_page(self) -> None:
        """One page forward."""
        if self.page < self.pages:
            self.page += 1
            self._fetch()

    @rx.event
    @admin_only
    def prev_page(self) -> None:
        """One page back."""
        if self.page > 1:
            self.page -= 1
            self._fetch()

    @rx.event
    @admin_only
    def set_create_open(self, value: bool) -> None:
        """Open or close the create-user dialog."""
        self.create_open, self.create_error = bool(value), ""

    @rx.event
    @admin_only
    def set_create_method(self, value: str) -> None:
        """'password' or 'firebase' (invited: signs in through Firebase, no password)."""
        self.create_method = "firebase" if value == "firebase" else "password"

    @rx.event
    @admin_only
    def create_user(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        """Create a user from the dialog's form."""
        firebase = self.create_method == "firebase"
        try:
            with session_scope() as session:
                user = users.create_user(
                    session,
                    str(form.get("email") or ""),
                    None if firebase else str(form.get("password") or ""),
                    username=str(form.get("username") or "") or None,
                    admin=form.get("admin") == "on",
                    auth_method="firebase" if firebase else "flask-security",
                    by=self._by(),
                )
                email = user.email
        except UserError as exc:
            self.create_error = str(exc)
            return None
        self.create_open, self.create_error = False, ""
        self._fetch()
        verb = "invited (Firebase sign-in)" if firebase else "created"
        return rx.toast.success(f"{email} {verb}.")

    def _change(self, action: str, change: Callable[[Session], str]) -> rx.event.EventSpec:
        try:
            with session_scope() as session:
                message = change(session)
        except UserError as exc:
            return rx.toast.error(str(exc))
        self._fetch()
        return rx.toast.success(message or action)

    @rx.event
    @admin_only
    def ask_set_admin(self, user_id: int, admin: bool) -> rx.event.EventSpec | None:
        """Ask before granting or revoking the admin role, saying what it means (for one's own role, that
        only another admin can give it back)."""
        return self._ask("admin", int(user_id), bool(admin))

    @rx.event
    @admin_only
    def ask_set_active(self, user_id: int, active: bool) -> rx.event.EventSpec | None:
        """Ask before deactivating (naming the sessions that end) or reactivating an account."""
        if not active and int(user_id) == principal_of(self).user_id:
            return rx.toast.error("You cannot deactivate your own account.")
        return self._ask("active", int(user_id), bool(active))

    def _ask(self, kind: str, user_id: int, value: bool) -> rx.event.EventSpec | None:
        try:
            with session_scope() as session:
                account = users.account_state(session, user_id)
        except UserError as exc:
            self._fetch()
            return rx.toast.error(str(exc))
        own = user_id == principal_of(self).user_id
        email = account.email
        if kind == "admin" and value:
            self.confirm_title = f"Make {email} an admin?"
            self.confirm_detail = (
                "They can then manage users, see and hide videos hidden from everybody else, mark videos "
                "administered, run bulk actions and roll changes back."
            )
            self.confirm_action = "Make admin"
        elif kind == "admin" and own:
            self.confirm_title = "Remove your own admin role?"
            self.confirm_detail = (
                "You lose this page and every admin action at once; only another admin can give the role "
                "back."
            )
            self.confirm_action = "Remove my admin role"
        elif kind == "admin":
            self.confirm_title = f"Remove the admin role of {email}?"
            self.confirm_detail = "They keep their account and see what any user sees; hidden videos go."
            self.confirm_action = "Remove admin"
        elif not value:
            one = account.open_sessions == 1
            ended = f"{account.open_sessions:,} open session{' ends' if one else 's end'} now"
            self.confirm_title = f"Deactivate {email}?"
            self.confirm_detail = f"They are signed out everywhere ({ended}) and cannot sign in again."
            self.confirm_action = "Deactivate"
        else:
            self.confirm_title = f"Reactivate {email}?"
            self.confirm_detail = "They can sign in again, with the role they had."
            self.confirm_action = "Reactivate"
        self._confirm_kind, self._confirm_user, self._confirm_value = kind, user_id, value
        self.confirm_open = True
        return None

    @rx.event
    @admin_only
    def confirm_change(self) -> rx.event.EventSpec | None:
        """Make the change the confirmation named, once (a second click finds the dialog closed)."""
        if not self.confirm_open:
            return None
        self.confirm_open = False
        if self._confirm_kind == "admin":
            return self._set_admin(self._confirm_user, self._confirm_value)
        return self._set_active(self._confirm_user, self._confirm_value)

    @rx.event
    @admin_only
    def set_confirm_open(self, is_open: bool) -> None:
        """The confirmation asks to close (Cancel, Escape): close it, changing nothing."""
        if not is_open:
            self.confirm_open = False

    @rx.event
    @admin_only
    def set_admin(self, user_id: int, admin: bool) -> rx.event.EventSpec:
        """Grant or revoke the admin role (never the last active admin's)."""
        return self._set_admin(user_id, admin)

    def _set_admin(self, user_id: int, admin: bool) -> rx.event.EventSpec:
        def change(session: Session) -> str:
            user = users.set_admin(session, int(user_id), bool(admin), by=self._by())
            return f"{user.email} {'is now an admin' if admin else 'is no longer an admin'}."

        return self._change("Saved.", change)

    @rx.event
    @admin_only
    def set_active(self, user_id: int, active: bool) -> rx.event.EventSpec:
        """Deactivate (ending their sessions) or reactivate a user."""
        return self._set_active(user_id, active)

    def _set_active(self, user_id: int, active: bool) -> rx.event.EventSpec:
        if not active and int(user_id) == principal_of(self).user_id:
            return rx.toast.error("You cannot deactivate your own account.")

        def change(session: Session) -> str:
            user = users.set_active(session, int(user_id), bool(active), by=self._by())
            return f"{user.email} {'reactivated' if active else 'deactivated; their sessions are ended'}."

        return self._change("Saved.", change)

    @rx.event
    @admin_only
    def open_reset(self, user_id: int, email: str) -> None:
        """Open the password-reset dialog for a user."""
        self.selected_id, self.selected_email = int(user_id), str(email)
        self.reset_open, self.reset_error = True, ""

    @rx.event
    @admin_only
    def set_reset_open(self, value: bool) -> None:
        """Open or close the password-reset dialog."""
        self.reset_open, self.reset_error = bool(value), ""

    @rx.event
    @admin_only
    def reset_password(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        """Set the new password (revoking the user's sessions, except this browser's own)."""
        password = str(form.get("password") or "")
        if password != str(form.get("confirm") or ""):
            self.reset_error = "The two passwords differ."
            return None
        own = principal_of(self)
        try:
            with session_scope() as session:
                ended = users.set_password(
                    session,
                    self.selected_id,
                    password,
                    keep_session_id=own.session_id if own.user_id == self.selected_id else None,
                    by=own.user_id,
                )
        except UserError as exc:
            self.reset_error = str(exc)
            return None
        self.reset_open = False
        self._fetch()
        return rx.toast.success(f"Password of {self.selected_email} changed; {ended} session(s) ended.")

    @rx.event
    @admin_only
    def open_sessions(self, user_id: int, email: str) -> None:
        """Show a user's open sessions."""
        self.selected_id, self.selected_email = int(user_id), str(email)
        self._fetch_sessions()
        self.sessions_open = True

    @rx.event
    @admin_only
    def set_sessions_open(self, value: bool) -> None:
        """Open or close the sessions dialog."""
        self.sessions_open = bool(value)

    @rx.event
    @admin_only
    def revoke_session(self, session_id: int) -> rx.event.EventSpec:
        """End one session of the selected user."""
        with session_scope() as session:
            ended = users.revoke_session(session, self.selected_id, int(session_id), by=self._by())
        self._fetch_sessions()
        self._fetch()
        return (
            rx.toast.success("Session ended.") if ended else rx.toast.info("That session had already ended.")
        )

    @rx.event
    @admin_only
    def revoke_all_sessions(self) -> rx.event.EventSpec:
        """End every session of the selected user (this browser's own session is kept)."""
        own = principal_of(self)
        with session_scope() as session:
            ended = users.end_sessions(
                session,
                self.selected_id,
                by=own.user_id,
                except_session_id=own.session_id if own.user_id == self.selected_id else None,
            )
        self._fetch_sessions()
        self._fetch()
        return rx.toast.success(f"{ended} session(s) of {self.selected_email} ended.")

    @rx.event
    @admin_only
    def open_changes(self) -> None:
        """Show the trail of account changes, newest first."""
        self.changes_page = 1
        self._fetch_changes()
        self.changes_open = True

    @rx.event
    @admin_only
    def set_changes_open(self, value: bool) -> None:
        """Open or close the account changes dialog."""
        self.changes_open = bool(value)

    @rx.event
    @admin_only
    def next_changes(self) -> None:
        """Older account changes."""
        if self.changes_page < self.changes_pages:
            self.changes_page += 1
            self._fetch_changes()

    @rx.event
    @admin_only
    def prev_changes(self) -> None:
        """Newer account changes."""
        if self.changes_page > 1:
            self.changes_page -= 1
            self._fetch_changes()
