"""The backend routes that set and clear the HttpOnly session cookie, and where they send the browser.

A sign-in runs over the websocket, which cannot set an HttpOnly cookie. It opens the session with a
single-use ticket and sends the browser, by a full navigation, to `START_PATH?ticket=…&next=…`: the route
redeems the ticket, sets the cookie and answers 303 to the page `next`. The new page's websocket is then
opened with the cookie, which is how event handlers see it. Signing out goes to `END_PATH`, which revokes
the session the cookie names, drops the cookie and answers 303 to the sign-in page.

While the database cannot be reached, the hand-off goes back to the sign-in page, which says so, and
signing out still drops the cookie and keeps the sign-out to record once the database answers
(`services.pending_sign_outs`); each logs one line.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, urlencode, urlsplit

from reflex.config import get_config
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from catalog_ui.db import session_scope, unreachable_reason
from catalog_ui.services import pending_sign_outs
from catalog_ui.services.auth import redeem_ticket, sign_out, token_hash
from catalog_ui.session_cookie import clear_session_cookie, session_token, set_session_cookie

START_PATH = "/api/session/start"
END_PATH = "/api/session/end"
LOGIN_PATH = "/login"
DEFAULT_PAGE = "/videos"
# What the sign-in page says for the `problem` of its address (a code, never text from the address).
SIGN_IN_PROBLEMS = {
    "expired": "That sign-in link has expired or was already used. Sign in again.",
    "cross-site": "A sign-in link from another site was refused. Sign in here.",
    "database": "The database is not answering; try again in a moment.",
}
# Hosts Reflex's frontend swaps for the page's own when it reaches the backend (getBackendURL in state.js).
_SAME_DOMAIN_HOSTNAMES = ("localhost", "0.0.0.0", "::", "0:0:0:0:0:0:0:0")

log = logging.getLogger("catalog_ui.security")
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", re.IGNORECASE)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another site).

    Browsers read a backslash as a slash and drop tabs and line breaks, so `/\\evil.example`, or a slash,
    a tab and `/evil.example`, would leave the site as `//evil.example` does: such paths are refused too.
    So are paths with a `.` or `..` segment (`%2e` is a dot there too): no page has one, and browsers
    resolve `/..//evil.example` to the path `//evil.example`, which a proxy or a server adding a slash
    may turn into a link to another site."""
    if not target or "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return DEFAULT_PAGE
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return DEFAULT_PAGE
    if _DOT_SEGMENT.search(parts.path):  # `/..//evil.example` is `//evil.example` once resolved
        return DEFAULT_PAGE
    return target


def start_path(ticket: str, next_page: str) -> str:
    """The backend path that redeems `ticket` and then shows `next_page`."""
    return f"{START_PATH}?{urlencode({'ticket': ticket, 'next': safe_next(next_page)})}"


def frontend_url(request: Request, path: str) -> str:
    """Where the browser finds the page `path` (with its query), for a redirect answered by the backend.

    When Reflex serves the pages from the backend (`--env prod`, one port: `make run`, the container, the
    e2e tests), a path: the browser stays on the origin it came by. When the frontend has a port of its
    own (`reflex run` in dev mode), its origin is Reflex's `deploy_url` (PUBLIC_URL, else
    http://localhost:PORT, in rxconfig.py), with the request's host for `localhost`, as the frontend
    itself swaps its own host in for the backend's (getBackendURL)."""
    config = get_config()
    if config.frontend_port == config.backend_port or not config.deploy_url:
        return path
    deploy = urlsplit(config.deploy_url)
    host = deploy.netloc
    if deploy.hostname in _SAME_DOMAIN_HOSTNAMES and request.url.hostname:
        hostname = request.url.hostname
        hostname = f"[{hostname}]" if ":" in hostname else hostname
        host = f"{hostname}:{deploy.port}" if deploy.port else hostname
    return f"{deploy.scheme}://{host}{deploy.path.rstrip('/')}{path}"


def _cross_site(request: Request) -> bool:
    """Whether the browser says the navigation came from another site (Fetch Metadata; browsers that do
    not send it are let through: the cookie's SameSite=Strict still keeps it from cross-site requests)."""
    return request.headers.get("sec-fetch-site", "").lower() == "cross-site"


def _to_sign_in(request: Request, next_page: str, problem: str) -> Response:
    query = f"next={quote(next_page, safe='/')}&problem={problem}"
    return _see_other(frontend_url(request, f"{LOGIN_PATH}?{query}"))


def _see_other(location: str) -> Response:
    response = RedirectResponse(location, status_code=303)
    response.headers["cache-control"] = "no-store"
    return response


def start_session(request: Request) -> Response:
    """Redeem the sign-in's ticket: set the session cookie and go on to `next`; for a ticket that is
    unknown, used or expired, or a navigation from another site (login CSRF: a stranger's ticket would
    sign the browser in as the stranger), or a database that does not answer, back to the sign-in page,
    saying why.

    A plain function: Starlette runs it on a worker thread, so the database never blocks the loop."""
    next_page = safe_next(request.query_params.get("next"))
    if _cross_site(request):
        log.warning("refused a session hand-off from another site (%s)", request.headers.get("referer", "?"))
        return _to_sign_in(request, next_page, "cross-site")
    try:
        with session_scope() as session:
            redeemed = redeem_ticket(session, request.query_params.get("ticket"))
    except Exception as exc:
        reason = unreachable_reason(exc)
        if reason is None:
            raise
        log.warning("a session hand-off failed: %s", reason)
        return _to_sign_in(request, next_page, "database")
    if redeemed is None:
        return _to_sign_in(request, next_page, "expired")
    token, _ = redeemed
    response = _see_other(frontend_url(request, next_page))
    set_session_cookie(response, token)
    return response


def end_session(request: Request) -> Response:
    """Revoke the session the cookie names, drop the cookie, and go to the sign-in page. A navigation from
    another site only goes to the sign-in page: a stranger's link does not sign anybody out.

    With the database out of reach the cookie is dropped all the same and one line is logged; the
    sign-out is kept (`pending_sign_outs`) and written once the database answers, so a copy of the cookie
    does not outlive it."""
    response = _see_other(frontend_url(request, LOGIN_PATH))
    if _cross_site(request):
        return response
    token = session_token(request.headers.get("cookie"))
    try:
        with session_scope() as session:
            sign_out(session, token)
    except Exception as exc:
        reason = unreachable_reason(exc)
        if reason is None:
            raise
        kept = token is not None and pending_sign_outs.remember(token_hash(token))
        later = "; revoked once it answers" if kept else ""
        log.warning("signed out without revoking the session: %s%s", reason, later)
    clear_session_cookie(response)
    return response


ROUTES = [
    Route(START_PATH, start_session, methods=["GET"]),
    Route(END_PATH, end_session, methods=["GET"]),
]
