"""Below the grid: the total, previous/next, a page number to jump to, and the page size."""

from __future__ import annotations

import reflex as rx

from catalog_ui.services.grid_view import PAGE_SIZES
from catalog_ui.state.videos import VideosState

S = VideosState


def grid_pager() -> rx.Component:
    """Pagination controls of the video grid."""
    return rx.hstack(
        rx.text(S.total_label, size="2", color_scheme="gray", id="total-label", white_space="nowrap"),
        rx.spacer(),
        _controls(),
        align="center",
        width="100%",
        padding_y="0.75rem",
        spacing="3",
    )


def _controls() -> rx.Component:
    # Beside the open filters on a laptop the controls take two lines, at the right, rather than squeezing
    # their labels onto two lines each.
    return rx.hstack(
        rx.select(
            [str(size) for size in PAGE_SIZES],
            value=S.per_page,
            on_change=S.set_per_page,
            size="1",
            id="page-size",
            custom_attrs={"aria-label": "Videos per page"},  # the trigger shows the number alone
        ),
        rx.text("per page", size="1", color_scheme="gray", white_space="nowrap"),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            on_click=S.prev_page,
            disabled=~S.has_prev,
            variant="soft",
            id="prev-page",
        ),
        rx.text(S.page_label, size="2", id="page-label", white_space="nowrap"),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            on_click=S.next_page,
            disabled=~S.has_next,
            variant="soft",
            id="next-page",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="page",
                    type="number",
                    min=1,
                    placeholder="Page",
                    size="1",
                    width="5.5rem",
                    id="page-input",
                    aria_label="Page number",
                ),
                rx.button("Go", type="submit", size="1", variant="ghost", id="page-go"),
                spacing="1",
                align="center",
            ),
            on_submit=S.jump_to_page,
            reset_on_submit=True,
            width="auto",  # a form is as wide as its row, which would put it on a line of its own
        ),
        align="center",
        justify="end",
        spacing="3",
        wrap="wrap",
        min_width="0",
    )
