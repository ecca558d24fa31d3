"""HTTP beside the Reflex app: a health check that asks the database, downloads that need the session
(finished exports), the routes that set and clear the session cookie (catalog_ui.session_routes), and the
guard in front of Reflex's upload endpoint."""

from __future__ import annotations

import logging

import reflex as rx
from reflex.constants import Endpoint
from reflex.event import Event
from reflex.state import StateUpdate
from reflex.utils.format import json_dumps
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog_ui.db import database_problem, session_scope, unreachable_reason
from catalog_ui.services.auth import Principal, resolve_session
from catalog_ui.services.export_files import ROUTE_PREFIX, export_file
from catalog_ui.session_cookie import session_token
from catalog_ui.session_routes import ROUTES as SESSION_ROUTES
from catalog_ui.settings import get_settings

UPLOAD_PATH = str(Endpoint.UPLOAD)  # "/_upload"
HEALTH_PATH = "/api/health"
# The event handler, on the state whose handler an upload names, told that the guard refused the upload.
UPLOAD_REFUSED_HANDLER = "upload_refused"
UNCHECKED_UPLOAD = "The database is not answering, so the upload cannot be checked; try again in a minute."

log = logging.getLogger(__name__)


def health(_: Request) -> Response:
    """200 `{"status": "ok"}` when the database answers, else 503: for load balancers and the image's
    HEALTHCHECK. (Reflex's own /ping and /_health say healthy with the database down.) The reason, which
    names the database's host, role or name, goes to the log only: anybody may call this.

    A plain function: Starlette runs it on a worker thread, so the query never blocks the loop."""
    problem = database_problem()
    if problem is None:
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unavailable"}, status_code=503)


def download_export(request: Request) -> Response:
    """The signed-in user's own export as an attachment, never cached; 401 without a session, 404 for
    anything else.

    A plain function: Starlette runs it on a worker thread, so its database lookup never blocks the loop."""
    principal = _principal(session_token(request.headers.get("cookie")))
    if principal is None:
        return PlainTextResponse("Sign in to download this export.", status_code=401)
    params = request.path_params
    path = export_file(
        principal.user_id,
        params["owner"],
        params["folder"],
        params["filename"],
        viewer_is_admin=principal.is_admin,
    )
    if path is None:
        return PlainTextResponse("No such export (exports are kept for an hour).", status_code=404)
    response = FileResponse(path, media_type="text/csv", filename=path.name)
    # The answer depends on the session cookie, which shared caches do not key on: no cache keeps it.
    response.headers["cache-control"] = "private, no-store"
    return response


def api_routes() -> Starlette:
    """The Starlette app Reflex mounts its own backend into (`rx.App(api_transformer=…)`)."""
    return Starlette(
        routes=[
            Route(HEALTH_PATH, health, methods=["GET"]),
            Route(f"{ROUTE_PREFIX}/{{owner:int}}/{{folder}}/{{filename}}", download_export, methods=["GET"]),
            *SESSION_ROUTES,
        ]
    )


def guard_uploads(app: ASGIApp) -> ASGIApp:
    """Wrap the backend so that a POST to Reflex's upload endpoint needs a signed-in session and a body of
    at most MAX_UPLOAD_MB, checked before a byte of it is read.

    Reflex reads the whole multipart body (spooling it to disk) before it calls the state's handler, whose
    guard would only then refuse a stranger: without this, anybody could make the server receive and store
    files of any size."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH:
            request = Request(scope)
            limit_mb = get_settings().max_upload_mb
            length = request.headers.get("content-length", "")
            if length and (not length.isdigit() or int(length) > limit_mb << 20):
                message = (
                    f"Reports up to {limit_mb:,} MB can be uploaded here; put larger ones in the S3 bucket."
                )
                await _refusal(request, 413, message)(scope, receive, send)
                return
            try:
                principal = await run_in_threadpool(_principal, session_token(request.headers.get("cookie")))
            except SQLAlchemyError as exc:
                log.warning("upload refused: %s", unreachable_reason(exc) or f"{type(exc).__name__}: {exc}")
                await _refusal(request, 503, UNCHECKED_UPLOAD)(scope, receive, send)
                return
            if principal is None:
                await _refusal(request, 401, "Sign in to upload a report.")(scope, receive, send)
                return
            receive = _capped(receive, limit_mb << 20)
        await app(scope, receive, send)

    return guarded


def _refusal(request: Request, status: int, message: str) -> Response:
    """The guard's answer: plain text, or for the page's uploader (it names its handler in a header) a
    state update showing `message` in an error toast and calling the `upload_refused` handler of that
    handler's state.

    Reflex's uploader applies the updates streamed in the upload's answer whatever its status, and
    otherwise only logs a failed upload to the console: without the update, the page would show nothing."""
    handler = request.headers.get("reflex-event-handler", "")
    if not handler:
        return PlainTextResponse(message, status_code=status)
    events = Event.from_event_type(rx.toast.error(message, id="upload-refused"))
    # The uploader's state hears that its upload ended (UPLOAD_REFUSED_HANDLER, beside the handler the upload
    # named): it showed the upload being sent, and its button waited for an upload handler that never runs.
    state, _, _ = handler.rpartition(".")
    if state:
        events.append(Event(name=f"{state}.{UPLOAD_REFUSED_HANDLER}", payload={}))
    return Response(
        json_dumps(StateUpdate(events=events)) + "\n", status_code=status, media_type="application/x-ndjson"
    )


def _principal(token: str | None) -> Principal | None:
    """Who the session cookie's `token` signs in, or None (a database lookup: call it off the event loop)."""
    with session_scope() as session:
        return resolve_session(session, token)


def _capped(receive: Receive, limit: int) -> Receive:
    """`receive`, ending the request as if the client left once its body passes `limit` bytes (a body sent
    without Content-Length)."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                return {"type": "http.disconnect"}
        return message

    return capped
