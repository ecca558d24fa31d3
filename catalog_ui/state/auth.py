"""Who is signed in: sign-in and sign-out, what the page shows of the user, and the page guard for on_load.

Every other State class of the app derives from AuthState; handlers read the session token from the
browser's HttpOnly cookie (guards.browser_session_token). The cookie carries only a random token; the
session itself lives in the database. Signing in and out end in a full navigation to a backend route
(catalog_ui.session_routes), the only place the cookie can be set or cleared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import reflex as rx

from catalog_ui.db import session_scope, unreachable_reason
from catalog_ui.services.auth import AuthError, Principal, issue_ticket, sign_in_password
from catalog_ui.services.firebase_auth import sign_in_firebase
from catalog_ui.session_routes import END_PATH, SIGN_IN_PROBLEMS, safe_next, start_path
from catalog_ui.state.guards import (
    current_principal,
    principal_of,
    public,
    sign_in_url,
)


def leave_for_backend(path: str) -> rx.event.EventSpec:
    """Load the backend's `path` in place of the current page (`location.replace`: Back skips it).

    A full navigation, not Reflex's router: the backend's answer sets or clears the cookie, and only a new
    page's websocket carries the new cookie to the event handlers. The backend's URL is the one the page's
    websocket uses (Reflex's getBackendURL, in scope of the scripts Reflex runs)."""
    return rx.call_script(f"window.location.replace(new URL({json.dumps(path)}, getBackendURL()).href)")


class AuthState(rx.State):
    """What the page shows about the signed-in user."""

    user_email: str = ""
    user_is_admin: bool = False
    _principal: Principal | None = None

    def _show(self, principal: Principal | None) -> None:
        self.user_email = principal.email if principal else ""
        self.user_is_admin = bool(principal and principal.is_admin)

    @rx.event
    @public
    def require_session(self) -> rx.event.EventSpec | None:
        """on_load guard of every signed-in page: go to the sign-in page when the session is not valid."""
        principal = current_principal(self)
        if principal is None:
            self.reset()  # drop whatever an expired session's pages still hold
            return rx.redirect(sign_in_url(self), replace=True)
        self._show(principal)
        return None

    @rx.event
    @public
    def sign_out(self) -> rx.event.EventSpec:
        """Forget this tab's data and go to the backend route that revokes the session, drops the cookie
        and shows the sign-in page.

        Public: it reads and changes nothing but the caller's own tab, and it must work while the database
        is out of reach (a guard, which asks the database, would keep the user signed in)."""
        self.reset()  # every page's data of this browser tab
        return leave_for_backend(END_PATH)


def _next_page(state: rx.State) -> str:
    return safe_next(state.router.url.query_parameters.get("next"))


def _go_on(state: rx.State) -> rx.event.EventSpec:
    """To the page the sign-in was asked for, in place of the sign-in page: Back from it then leaves the
    app instead of returning to a sign-in form that would only send the user on again."""
    return rx.redirect(_next_page(state), replace=True)


class LoginState(AuthState):
    """The sign-in form."""

    error: str = ""
    busy: bool = False

    def _hand_off(self, ticket: str) -> rx.event.EventSpec:
        """Leave for the backend route that redeems `ticket` into the session cookie, then shows the page
        asked for (in place of the sign-in page, as `_go_on`)."""
        next_page = _next_page(self)
        self.parent_state.reset()  # nothing a previous user's pages held survives a new sign-in
        self.busy = True  # until the page is left
        return leave_for_backend(start_path(ticket, next_page))

    @rx.event
    @public
    def sign_in(self, form: dict[str, str]) -> Iterator[rx.event.EventSpec | None]:
        """Check the credentials; on success hand the new session to the browser's cookie (`_hand_off`)
        and go to the page asked for."""
        self.busy = True
        self.error = ""
        yield
        login, password = (form.get("login") or "").strip(), form.get("password") or ""
        if not login or not password:
            self.error, self.busy = "Enter your e-mail or username and your password.", False
            return
        ip = self.router.session.client_ip or None
        agent = self.router.headers.user_agent or None
        try:
            with session_scope() as session:
                _, principal = sign_in_password(session, login, password, ip, agent)
                ticket = issue_ticket(session, principal.session_id)
        except AuthError as exc:
            self.error, self.busy = str(exc), False
            return
        yield self._hand_off(ticket)

    @rx.event
    @public
    def firebase_started(self) -> None:
        """The browser began a Firebase sign-in: show progress (no data is read or changed)."""
        self.error, self.busy = "", True

    @rx.event
    @public
    def firebase_sign_in(self, result: dict[str, str]) -> rx.event.EventSpec | None:
        """Finish a Firebase sign-in: verify the ID token the browser got, map it to a user, open a session."""
        self.busy = False
        result = result if isinstance(result, dict) else {}
        if result.get("error"):
            self.error = str(result["error"])
            return None
        id_token = str(result.get("token") or "")
        if not id_token:
            return None  # the person closed the Firebase window
        ip = self.router.session.client_ip or None
        agent = self.router.headers.user_agent or None
        try:
            with session_scope() as session:
                _, principal = sign_in_firebase(session, id_token, ip, agent)
                ticket = issue_ticket(session, principal.session_id)
        except AuthError as exc:
            self.error = str(exc)
            return None
        return self._hand_off(ticket)

    @rx.event
    @public
    def redirect_if_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of the sign-in page: a signed-in user goes straight on; otherwise say why a sign-in's
        hand-off sent the browser back here, if it did (`problem` in the address). With the database out
        of reach the page says so (a failed handler would show nothing of what it set)."""
        self.error = SIGN_IN_PROBLEMS.get(self.router.url.query_parameters.get("problem", ""), "")
        self.busy = False  # a hand-off that came back here left the form busy
        try:
            principal = current_principal(self)
        except Exception as exc:
            if unreachable_reason(exc) is None:
                raise
            self.error = SIGN_IN_PROBLEMS["database"]
            return None
        if principal is not None:
            self._show(principal)
            return _go_on(self)
        return None


__all__ = ["AuthState", "LoginState", "principal_of", "safe_next"]
