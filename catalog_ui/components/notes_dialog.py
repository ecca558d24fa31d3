"""The admin's notes editor for one video: at most 500 characters, counted as they are typed."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.forms import returns_focus
from catalog_ui.state.videos import VideosState

S = VideosState


def notes_dialog() -> rx.Component:
    """A dialog with the notes text and a live character count."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Notes · ", rx.code(S.notes_video_id)),
            rx.vstack(
                rx.text_area(
                    value=S.notes_text,
                    on_change=S.set_notes_text,
                    rows="6",
                    width="100%",
                    placeholder="Notes for the catalog team",
                    id="grid-notes-input",
                    aria_label="Notes",
                ),
                rx.hstack(
                    rx.text(
                        S.notes_count,
                        size="1",
                        color_scheme=rx.cond(S.notes_too_long, "red", "gray"),
                        id="grid-notes-count",
                    ),
                    rx.spacer(),
                    rx.button("Cancel", on_click=S.close_notes, variant="soft", color_scheme="gray"),
                    rx.button("Save", on_click=S.save_notes, disabled=S.notes_too_long, id="grid-notes-save"),
                    width="100%",
                    align="center",
                    spacing="3",
                ),
                spacing="2",
                padding_top="0.5rem",
            ),
            **returns_focus(),
        ),
        open=S.notes_open,
        on_open_change=S.set_notes_open,
    )
