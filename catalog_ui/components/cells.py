"""Small cell renderers shared by grids (local times, status badges, empty markers) and the plain list table."""

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


def local_time(iso: rx.Var[str], fmt: str = "YYYY-MM-DD HH:mm") -> rx.Component:
    """An ISO UTC timestamp shown in the browser's local time ('' stays empty)."""
    return rx.cond(iso != "", rx.moment(iso, format=fmt), rx.text("—", color_scheme="gray"))


def status_badge(status: rx.Var[str]) -> rx.Component:
    """A coloured badge for a status or privacy value."""
    return rx.cond(
        status != "",
        rx.badge(
            status,
            color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
            variant="soft",
        ),
        rx.text("—", color_scheme="gray"),
    )


def list_table(
    labels: Sequence[str], rows: rx.Var[list[Any]], render: Callable[[Any], rx.Component], element_id: str
) -> rx.Component:
    """A plain list table: one header cell per label, then `render(row)` for each of `rows`."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in labels])),
        rx.table.body(rx.foreach(rows, render)),
        variant="surface",
        size="1",
        width="100%",
        id=element_id,
    )
