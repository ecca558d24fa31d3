"""Route /: the dashboard with the catalog's headline numbers."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.layout import page_frame
from catalog_ui.state.dashboard import DashboardState


def _stat(label: str, value: rx.Var[str], stat_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="7", id=stat_id),
            spacing="1",
        ),
        min_width="12rem",
    )


def dashboard_page() -> rx.Component:
    """Headline numbers of the catalog."""
    return page_frame(
        "Dashboard",
        rx.flex(
            _stat("Videos", DashboardState.videos, "stat-videos"),
            _stat("Channels", DashboardState.channels, "stat-channels"),
            _stat("Total views", DashboardState.views, "stat-views"),
            _stat("History entries", DashboardState.history, "stat-history"),
            gap="1rem",
            wrap="wrap",
        ),
    )
