"""Who is signed in: the session token cookie, sign-in and sign-out, and the page guard for on_load.

Every other State class of the app derives from AuthState, so its handlers can read the token the browser
sent. The cookie carries only a random token; the session itself lives in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.auth import SESSION_COOKIE, AuthError, Principal, sign_in_password, sign_out
from catalog_ui.services.firebase_auth import sign_in_firebase
from catalog_ui.settings import get_settings
from catalog_ui.state.guards import authenticated, current_principal, principal_of, public, sign_in_url


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another site).

    Browsers read a backslash as a slash and drop tabs and line breaks, so `/\\evil.example`, or a slash,
    a tab and `/evil.example`, would leave the site as `//evil.example` does: such paths are refused too."""
    if not target or "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return "/videos"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/videos"
    return target


class AuthState(rx.State):
    """The session token and what the page shows about the signed-in user."""

    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        same_site="strict",
        secure=get_settings().secure_cookies,
        max_age=get_settings().session_absolute_hours * 3600,
    )
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
            self.reset()  # drop whatever an expired session's pages still hold, and the stale cookie
            return rx.redirect(sign_in_url(self), replace=True)
        self._show(principal)
        return None

    @rx.event
    @authenticated
    def sign_out(self) -> rx.event.EventSpec:
        """Revoke this browser's session and go to the sign-in page."""
        with session_scope() as session:
            sign_out(session, self.session_token)
        self.reset()  # the cookie and every page's data of this browser tab
        return rx.redirect("/login", replace=True)


def _go_on(state: rx.State) -> rx.event.EventSpec:
    """To the page the sign-in was asked for, in place of the sign-in page: Back from it then leaves the
    app instead of returning to a sign-in form that would only send the user on again."""
    return rx.redirect(safe_next(state.router.url.query_parameters.get("next")), replace=True)


class LoginState(AuthState):
    """The sign-in form."""

    error: str = ""
    busy: bool = False

    def _start_session(self, token: str, principal: Principal) -> None:
        self.parent_state.reset()  # nothing a previous user's pages held survives a new sign-in
        self.session_token = token
        self._show(principal)

    @rx.event
    @public
    def sign_in(self, form: dict[str, str]) -> Iterator[rx.event.EventSpec | None]:
        """Check the credentials; on success store the token and go to the page asked for."""
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
                token, principal = sign_in_password(session, login, password, ip, agent)
        except AuthError as exc:
            self.error, self.busy = str(exc), False
            return
        self._start_session(token, principal)
        self.busy = False
        yield _go_on(self)

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
                token, principal = sign_in_firebase(session, id_token, ip, agent)
        except AuthError as exc:
            self.error = str(exc)
            return None
        self._start_session(token, principal)
        return _go_on(self)

    @rx.event
    @public
    def redirect_if_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of the sign-in page: a signed-in user goes straight on."""
        principal = current_principal(self)
        if principal is not None:
            self._show(principal)
            return _go_on(self)
        return None


__all__ = ["AuthState", "LoginState", "principal_of", "safe_next"]
