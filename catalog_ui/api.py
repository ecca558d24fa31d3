"""HTTP routes beside the Reflex app: downloads that need the session (finished exports)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from catalog_ui.db import session_scope
from catalog_ui.services.auth import SESSION_COOKIE, resolve_session
from catalog_ui.services.export_files import ROUTE_PREFIX, export_file


def download_export(request: Request) -> Response:
    """The signed-in user's own export as an attachment; 401 without a session, 404 for anything else.

    A plain function: Starlette runs it on a worker thread, so its database lookup never blocks the loop."""
    with session_scope() as session:
        principal = resolve_session(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return PlainTextResponse("Sign in to download this export.", status_code=401)
    params = request.path_params
    path = export_file(principal.user_id, params["owner"], params["folder"], params["filename"])
    if path is None:
        return PlainTextResponse("No such export (exports are kept for an hour).", status_code=404)
    return FileResponse(path, media_type="text/csv", filename=path.name)


def api_routes() -> Starlette:
    """The Starlette app Reflex mounts its own backend into (`rx.App(api_transformer=…)`)."""
    return Starlette(
        routes=[
            Route(f"{ROUTE_PREFIX}/{{owner:int}}/{{folder}}/{{filename}}", download_export, methods=["GET"])
        ]
    )
