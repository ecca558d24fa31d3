"""The page for an address the app does not have (Reflex's 404 route)."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.layout import standalone_card
from catalog_ui.components.links import icon_link


def not_found_page() -> rx.Component:
    """Says the address does not exist and offers the way back, in the app's look rather than bare text."""
    return standalone_card(
        "Page not found",
        rx.text(
            "There is no page at this address. It may have been mistyped, or the link is out of date.",
            size="2",
            color_scheme="gray",
        ),
        icon_link(rx.icon("arrow-left", size=14), "Go to the dashboard", href="/", id="not-found-home"),
        width="28rem",
        title_id="not-found-title",
    )
