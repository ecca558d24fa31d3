"""A plain sentence under a search box about what the search could not find (a handle no channel has)."""

from __future__ import annotations

import reflex as rx


def search_note(note: rx.Var[str], note_id: str) -> rx.Component:
    """`note` in a callout, announced to screen readers; nothing while it is ''."""
    return rx.cond(
        note != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-alert", size=16)),
            rx.callout.text(note, id=note_id),
            color_scheme="amber",
            size="1",
            role="status",
            margin_bottom="0.5rem",
        ),
    )
