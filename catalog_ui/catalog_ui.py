"""The Reflex app: theme and one add_page line per route."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from catalog_ui.api import api_routes, guard_uploads
from catalog_ui.background import in_process_worker
from catalog_ui.logging_setup import configure_logging
from catalog_ui.pages.audit import audit_page
from catalog_ui.pages.channels import channels_page
from catalog_ui.pages.dashboard import dashboard_page
from catalog_ui.pages.login import login_page
from catalog_ui.pages.not_found import not_found_page
from catalog_ui.pages.queue import queue_page
from catalog_ui.pages.report_detail import report_detail_page
from catalog_ui.pages.reports import reports_page
from catalog_ui.pages.users import users_page
from catalog_ui.pages.video_detail import video_detail_page
from catalog_ui.pages.videos import videos_page
from catalog_ui.state.audit import AuditState
from catalog_ui.state.auth import AuthState, LoginState
from catalog_ui.state.backend_errors import backend_exception_handler
from catalog_ui.state.channels import ChannelsState
from catalog_ui.state.dashboard import DashboardState
from catalog_ui.state.queue import QueueState
from catalog_ui.state.report_detail import ReportDetailState
from catalog_ui.state.reports import ReportsState
from catalog_ui.state.users import UsersState
from catalog_ui.state.video_detail import VideoDetailState
from catalog_ui.state.videos import VideosState

configure_logging()
app = rx.App(
    api_transformer=[api_routes(), guard_uploads],
    backend_exception_handler=backend_exception_handler,
    stylesheets=["/contrast.css"],  # theme colours at WCAG AA contrast (see the file)
)
app.register_lifespan_task(in_process_worker)


def add_signed_in_page(
    component: Callable[[], rx.Component], route: str, title: str, on_load: object
) -> None:
    """A page that sends signed-out visitors to /login (the handlers check the session again themselves)."""
    loads = on_load if isinstance(on_load, list) else [on_load]
    app.add_page(
        component, route=route, title=f"{title} · Catalog", on_load=[AuthState.require_session, *loads]
    )


app.add_page(login_page, route="/login", title="Sign in · Catalog", on_load=LoginState.redirect_if_signed_in)
app.add_page(not_found_page, route="404", title="Page not found · Catalog")
add_signed_in_page(dashboard_page, "/", "Dashboard", DashboardState.load)
add_signed_in_page(video_detail_page, "/videos/[video_id]", "Video", VideoDetailState.load)
add_signed_in_page(videos_page, "/videos", "Videos", VideosState.load)
add_signed_in_page(channels_page, "/channels", "Channels", ChannelsState.load)
add_signed_in_page(users_page, "/users", "Users", UsersState.load)
add_signed_in_page(audit_page, "/audit", "Audit", AuditState.load)
add_signed_in_page(queue_page, "/queue", "Queue", QueueState.load)
add_signed_in_page(report_detail_page, "/reports/[report_id]", "Report", ReportDetailState.load)
add_signed_in_page(reports_page, "/reports", "Reports", ReportsState.load)
