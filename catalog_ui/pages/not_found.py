"""The page for an address the app does not have (Reflex's 404 route)."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.links import icon_link


def not_found_page() -> rx.Component:
    """Says the address does not exist and offers the way back, in the app's look rather than bare text."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("library-big", size=26, color=rx.color("accent", 10)),
                    rx.heading("Page not found", size="6", id="not-found-title"),
                    align="center",
                ),
                rx.text(
                    "There is no page at this address. It may have been mistyped, or the link is out of date.",
                    size="2",
                    color_scheme="gray",
                ),
                icon_link(
                    rx.icon("arrow-left", size=14), "Go to the dashboard", href="/", id="not-found-home"
                ),
                spacing="4",
                width="100%",
            ),
            width="28rem",
            padding="1.5rem",
        ),
        height="100vh",
        background=rx.color("gray", 2),
    )
