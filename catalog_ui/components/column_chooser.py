"""The column chooser: every seed field (plus "last synced") grouped as the seed groups them."""

from __future__ import annotations

import reflex as rx

from catalog_ui.services.grid_columns import COLUMNS
from catalog_ui.state.grid_display import ChooserItem, column_groups
from catalog_ui.state.videos import VideosState

S = VideosState


def _item(item: rx.Var[ChooserItem]) -> rx.Component:
    return rx.checkbox(
        item.label,
        checked=item.checked,
        disabled=item.key == "video_id",
        on_change=lambda shown: S.toggle_column(item.key, shown),
        size="1",
        id="column-" + item.key,
    )


def _group(name: str) -> rx.Component:
    return rx.vstack(
        rx.text(name, size="1", weight="bold", color_scheme="gray"),
        rx.foreach(S.chooser, lambda item: rx.cond(item.group == name, _item(item))),
        spacing="1",
        min_width="11rem",
    )


def column_chooser() -> rx.Component:
    """A button opening the chooser."""
    groups = [g for g in column_groups() if any(c.group == g for c in COLUMNS.values())]
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("columns-3", size=16), "Columns", variant="soft", id="columns-button")
        ),
        rx.popover.content(
            rx.vstack(
                rx.grid(*[_group(name) for name in groups], columns="3", spacing="4"),
                rx.hstack(
                    rx.text("Remembered for you; the URL carries them too.", size="1", color_scheme="gray"),
                    rx.spacer(),
                    rx.button(
                        "Reset", on_click=S.reset_columns, variant="ghost", size="1", id="columns-reset"
                    ),
                    width="100%",
                    align="center",
                ),
                spacing="3",
            ),
            max_width="40rem",
        ),
    )
