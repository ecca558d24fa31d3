"""A video thumbnail that falls back to a placeholder when the image cannot load (offline, removed video)."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler, no_args_event_spec


class _Img(rx.el.Img):
    """An <img> whose load failure reaches the state."""

    on_error: rx.EventHandler[no_args_event_spec]


def thumbnail(
    src: rx.Var[str], failed: rx.Var[bool], on_error: EventHandler, size: tuple[int, int]
) -> rx.Component:
    """`src` shown at `size` (w, h) pixels; once `failed`, an icon placeholder instead of a broken image."""
    width, height = size
    placeholder = rx.center(
        rx.vstack(
            rx.icon("image-off", size=32, color=rx.color("gray", 9)),
            rx.text("No thumbnail", size="1", color_scheme="gray"),
            align="center",
            spacing="1",
        ),
        width="100%",
        height="100%",
        id="video-thumbnail-fallback",
    )
    image = _Img.create(
        src=src,
        alt="",
        width="100%",
        height="100%",
        object_fit="cover",
        on_error=on_error,
        id="video-thumbnail",
    )
    return rx.box(
        rx.cond(failed | (src == ""), placeholder, image),
        width=f"{width}px",
        min_width=f"{width}px",
        height=f"{height}px",
        border_radius="var(--radius-3)",
        overflow="hidden",
        background=rx.color("gray", 3),
    )
