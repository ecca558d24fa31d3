"""Small cell renderers shared by grids (local times, status badges, empty markers, clipped text) and the plain
list table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

STATUS_COLORS = {
    "pending": "gray",
    "processing": "blue",
    "completed": "green",
    "error": "red",
    "failed": "red",
    "cancelled": "gray",
    "public": "green",
    "unlisted": "amber",
    "private": "gray",
}


def empty_marker() -> rx.Component:
    """The grey dash of an empty value; a `<span>`, so it may sit inside a paragraph."""
    return rx.text("—", color_scheme="gray", as_="span")


def local_time(iso: rx.Var[str], fmt: str = "YYYY-MM-DD HH:mm") -> rx.Component:
    """An ISO UTC timestamp shown in the browser's local time ('' shows a dash).

    Both forms are inline (`<time>`, `<span>`), so a time can sit inside a paragraph: a `<p>` nested in a
    `<p>` is invalid HTML, which the browser splits apart and React then cannot hydrate.
    """
    return rx.cond(iso != "", rx.moment(iso, format=fmt), empty_marker())


def clipped_text(value: rx.Var[str], **props: Any) -> rx.Component:
    """`value` on one line, cut with an ellipsis where its box ends, whole in the tooltip."""
    return rx.text(
        value, overflow="hidden", text_overflow="ellipsis", white_space="nowrap", title=value, **props
    )


def status_badge(status: rx.Var[str]) -> rx.Component:
    """A coloured badge for a status or privacy value."""
    return rx.cond(
        status != "",
        rx.badge(
            status,
            color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
            variant="soft",
        ),
        empty_marker(),
    )


# The standard "visually hidden" box: out of sight, still read by screen readers (and named in the
# accessibility tree), unlike display: none.
VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "padding": "0",
    "margin": "-1px",
    "overflow": "hidden",
    "clip": "rect(0, 0, 0, 0)",
    "white_space": "nowrap",
    "border": "0",
}


def hidden_label(text: str) -> rx.Component:
    """`text` for screen readers only: the name of a header whose column speaks for itself on screen (a
    column of buttons or badges), so that the header is not announced as an empty cell."""
    return rx.el.span(text, style=VISUALLY_HIDDEN)


def live_announcements(items: rx.Var[list[str]], element_id: str) -> rx.Component:
    """A polite live region for screen readers only, one line per item: a line is read when its text
    changes (not at every poll that leaves it as it was), without interrupting. Render it unconditionally:
    a region that appears together with its text is not read out."""
    return rx.el.div(
        rx.foreach(items, lambda item: rx.el.p(item)),
        role="status",
        id=element_id,
        style=VISUALLY_HIDDEN,
        custom_attrs={"aria-live": "polite", "aria-atomic": "false"},
    )


def list_table(
    labels: Sequence[str | rx.Component],
    rows: rx.Var[list[Any]],
    render: Callable[[Any], rx.Component],
    element_id: str,
) -> rx.Component:
    """A plain list table: one header cell per label (text, or e.g. a `hidden_label`), then `render(row)`
    for each of `rows`."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in labels])),
        rx.table.body(rx.foreach(rows, render)),
        variant="surface",
        size="1",
        width="100%",
        id=element_id,
    )
