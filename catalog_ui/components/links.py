"""A link that holds an icon beside its text."""

from __future__ import annotations

from typing import Any

import reflex as rx


def icon_link(*children: rx.Component | rx.Var | str, **props: Any) -> rx.Component:
    """`rx.link` laid out inline-flex, so its icon (a block-level `<svg>`) stays on the text's line."""
    return rx.link(*children, display="inline-flex", align_items="center", gap="0.25rem", **props)
