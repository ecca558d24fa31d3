"""Pagination controls: previous/next, page n of m, and the total."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler


def pagination(
    page: rx.Var[int],
    pages: rx.Var[int],
    total_label: rx.Var[str],
    on_prev: EventHandler,
    on_next: EventHandler,
) -> rx.Component:
    """Previous/next buttons around "Page n of m", with the total on the left."""
    return rx.hstack(
        rx.text(total_label, size="2", color_scheme="gray", id="total-label"),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            on_click=on_prev,
            disabled=page <= 1,
            variant="soft",
            id="prev-page",
        ),
        rx.text("Page ", page, " of ", pages, size="2", id="page-label"),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            on_click=on_next,
            disabled=page >= pages,
            variant="soft",
            id="next-page",
        ),
        align="center",
        width="100%",
        padding_y="0.75rem",
    )
