"""The Reflex app: theme and one add_page line per route."""

from __future__ import annotations

import reflex as rx

from catalog_ui.pages.dashboard import dashboard_page
from catalog_ui.pages.videos import videos_page
from catalog_ui.state.dashboard import DashboardState
from catalog_ui.state.videos import VideosState

app = rx.App()
app.add_page(dashboard_page, route="/", title="Catalog", on_load=DashboardState.load)
app.add_page(videos_page, route="/videos", title="Videos · Catalog", on_load=VideosState.load)
