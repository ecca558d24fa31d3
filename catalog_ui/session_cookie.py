"""The session cookie: the token read from a request's Cookie header, and the Set-Cookie that stores or
clears it.

The cookie is HttpOnly (page scripts cannot read it, so a script injected into a page cannot take the
session away), SameSite=Strict and, with SECURE_COOKIES, Secure. Only backend routes set it
(catalog_ui.session_routes): the websocket the pages talk over cannot. Event handlers read it from the
Cookie header of their websocket's handshake (`state.router.headers.cookie`), HTTP routes from their
request's; both through `session_token`.
"""

from __future__ import annotations

from starlette.requests import cookie_parser
from starlette.responses import Response

from catalog_ui.services.auth import SESSION_COOKIE
from catalog_ui.settings import get_settings

COOKIE_PATH = "/"  # the path the earlier script-set cookie had: the new one replaces it


def session_token(cookie_header: str | None) -> str | None:
    """The session token in a Cookie header, or None.

    Starlette's parser reads the header as browsers write it (one malformed cookie of another app on the
    same host does not hide ours, as it would from http.cookies.SimpleCookie)."""
    return cookie_parser(cookie_header or "").get(SESSION_COOKIE) or None


def set_session_cookie(response: Response, token: str) -> None:
    """Have the browser keep `token` as the session cookie, for as long as a session can last."""
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path=COOKIE_PATH,
        secure=bool(settings.secure_cookies),
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    """Have the browser drop the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        secure=bool(get_settings().secure_cookies),
        httponly=True,
        samesite="strict",
    )
