"""The diff of one history entry, field by field: old → new, lists as removed/added items, long texts as blocks."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import local_time
from catalog_ui.models.audit import CREATED
from catalog_ui.state.history_display import ChangeRow


def _value(text: rx.Var[str], is_time: rx.Var[bool], tone: str) -> rx.Component:
    shown = rx.cond(
        text == "",
        rx.text("empty", color_scheme="gray", size="2", as_="span", font_style="italic"),
        rx.text(rx.cond(is_time, local_time(text, "YYYY-MM-DD HH:mm:ss"), text), size="2", as_="span"),
    )
    return rx.box(
        shown,
        background=rx.color(tone, 3),
        padding_x="0.35rem",
        border_radius="var(--radius-2)",
        display="inline-block",
        max_width="100%",
        overflow_wrap="anywhere",
    )


def _items(items: rx.Var[list[str]], sign: str, tone: str) -> rx.Component:
    return rx.foreach(
        items, lambda item: rx.badge(f"{sign} ", item, color_scheme=tone, variant="soft", size="1")
    )


def _block(text: rx.Var[str], caption: str, tone: str) -> rx.Component:
    return rx.box(
        rx.text(caption, size="1", color_scheme="gray"),
        rx.text(rx.cond(text == "", "—", text), size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
        background=rx.color(tone, 2),
        border_left=f"3px solid {rx.color(tone, 8)}",
        padding="0.4rem 0.6rem",
        max_height="12rem",
        overflow_y="auto",
        width="100%",
    )


def diff_line(change: rx.Var[ChangeRow]) -> rx.Component:
    """One field's change; the `__created__` marker reads as its sentence ("Created by report X")."""
    label = rx.text(change.label, size="2", weight="medium", min_width="11rem", color_scheme="gray")
    inline = rx.hstack(
        label,
        rx.flex(
            _value(change.old, change.is_time, "red"),
            rx.icon("arrow-right", size=14, color=rx.color("gray", 9), flex_shrink="0"),
            _value(change.new, change.is_time, "green"),
            _items(change.removed, "−", "red"),
            _items(change.added, "+", "green"),
            gap="0.4rem",
            align="center",
            wrap="wrap",
            min_width="0",
        ),
        align="start",
        width="100%",
        class_name="diff-line",
    )
    block = rx.vstack(
        label,
        rx.flex(
            _block(change.old, "Before", "red"),
            _block(change.new, "After", "green"),
            gap="0.5rem",
            width="100%",
        ),
        width="100%",
        spacing="1",
        class_name="diff-line",
    )
    created = rx.hstack(
        rx.icon("sparkles", size=14, color=rx.color("blue", 10)),
        rx.text(change.new, size="2", class_name="created-line"),
        align="center",
        class_name="diff-line",
    )
    return rx.cond(change.field == CREATED, created, rx.cond(change.block, block, inline))


def diff_view(changes: rx.Var[list[ChangeRow]]) -> rx.Component:
    """Every field of an entry, one line each."""
    return rx.vstack(rx.foreach(changes, diff_line), spacing="2", width="100%")
