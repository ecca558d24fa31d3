"""The Reflex app: theme and one add_page line per route."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from catalog_ui.pages.channels import channels_page
from catalog_ui.pages.dashboard import dashboard_page
from catalog_ui.pages.login import login_page
from catalog_ui.pages.videos import videos_page
from catalog_ui.state.auth import AuthState, LoginState
from catalog_ui.state.channels import ChannelsState
from catalog_ui.state.dashboard import DashboardState
from catalog_ui.state.videos import VideosState

app = rx.App()


def add_signed_in_page(
    component: Callable[[], rx.Component], route: str, title: str, on_load: object
) -> None:
    """A page that sends signed-out visitors to /login (the handlers check the session again themselves)."""
    loads = on_load if isinstance(on_load, list) else [on_load]
    app.add_page(
        component, route=route, title=f"{title} · Catalog", on_load=[AuthState.require_session, *loads]
    )


app.add_page(login_page, route="/login", title="Sign in · Catalog", on_load=LoginState.redirect_if_signed_in)
add_signed_in_page(dashboard_page, "/", "Dashboard", DashboardState.load)
add_signed_in_page(videos_page, "/videos", "Videos", VideosState.load)
add_signed_in_page(channels_page, "/channels", "Channels", ChannelsState.load)
