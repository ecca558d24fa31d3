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


def compact_pager(
    page: rx.Var[int],
    pages: rx.Var[int],
    on_prev: EventHandler,
    on_next: EventHandler,
    *,
    total: rx.Var[str] | None = None,
    labels: tuple[str, str] = ("Previous", "Next"),
    id_prefix: str | None = None,
    text_size: str = "2",
) -> rx.Component:
    """Small previous/next buttons around "Page n of m" for a list inside a page (history, tasks, a dialog).

    With `total`, the count is on the left (id `<prefix>-total`); with `id_prefix`, the buttons and page
    text get ids `<prefix>-prev`, `<prefix>-next`, `<prefix>-page`.
    """

    def ids(part: str) -> dict[str, str]:
        return {"id": f"{id_prefix}-{part}"} if id_prefix else {}

    left = []
    if total is not None:
        left = [rx.text(total, size="2", color_scheme="gray", **ids("total")), rx.spacer()]
    return rx.hstack(
        *left,
        rx.button(labels[0], size="1", variant="soft", on_click=on_prev, disabled=page <= 1, **ids("prev")),
        rx.text("Page ", page, " of ", pages, size=text_size, **ids("page")),
        rx.button(
            labels[1], size="1", variant="soft", on_click=on_next, disabled=page >= pages, **ids("next")
        ),
        align="center",
        **({"width": "100%"} if total is not None else {}),
    )
