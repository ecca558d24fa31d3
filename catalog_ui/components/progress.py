"""Progress of a report: a bar with its percentage and a one-line description of where it stands."""

from __future__ import annotations

import reflex as rx


def report_progress(
    percent: rx.Var[int], label: rx.Var[str], status: rx.Var[str], element_id: str | rx.Var[str] = ""
) -> rx.Component:
    """The file read so far (bytes read / size) as a bar, coloured by status, with its label."""
    return rx.vstack(
        rx.progress(
            value=percent,
            max=100,
            color_scheme=rx.match(status, ("error", "red"), ("completed", "green"), "blue"),
            width="100%",
            size="2",
            aria_label="Read so far",  # its value is announced with the name
        ),
        rx.text(label, size="1", color_scheme="gray", class_name="progress-label"),
        spacing="1",
        width="100%",
        min_width="10rem",
        id=element_id,
        class_name="report-progress",
        custom_attrs={"data-percent": percent},
    )


def poll_timer(handler: rx.event.EventHandler, interval_ms: int) -> rx.Component:
    """An invisible timer calling `handler` every `interval_ms` while it is rendered."""
    return rx.moment(interval=interval_ms, format="x", on_change=handler, display="none")
