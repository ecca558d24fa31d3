"""The top of the Queue page: tasks by status × type (each count filters the list), pauses, throughput."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import STATUS_COLORS, local_time
from catalog_ui.models.queue import TASK_STATUSES
from catalog_ui.state.queue import QueueState
from catalog_ui.state.queue_display import CountRow

S = QueueState


def _count_cell(row: rx.Var[CountRow], status: str) -> rx.Component:
    value = getattr(row, status)
    return rx.table.cell(
        rx.button(
            value,
            on_click=S.show_cell(row.task_type, status),
            variant="ghost",
            size="2",
            color_scheme=rx.cond(value != "0", STATUS_COLORS.get(status, "gray"), "gray"),
            id=f"count-{row.task_type}-{status}",
            class_name="count-cell",
            title=f"Show the {status} tasks",
        ),
        text_align="right",
    )


def _pause_badge(row: rx.Var[CountRow]) -> rx.Component:
    return rx.cond(
        row.paused_until != "",
        rx.tooltip(
            rx.badge(
                rx.icon("pause", size=12),
                "paused until ",
                local_time(row.paused_until, "MMM D, HH:mm"),
                color_scheme="amber",
                variant="soft",
                id=f"pause-{row.task_type}",
                class_name="pause-badge",
            ),
            content=rx.cond(row.pause_reason != "", row.pause_reason, "The API quota is spent"),
        ),
    )


def _type_row(row: rx.Var[CountRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.button(
                    row.task_type,
                    on_click=S.show_cell(row.task_type, "all"),
                    variant="ghost",
                    size="2",
                    color_scheme="gray",
                    high_contrast=True,
                ),
                _pause_badge(row),
                spacing="1",
            )
        ),
        *[_count_cell(row, status) for status in TASK_STATUSES],
        rx.table.cell(rx.text(row.total, weight="medium", size="2"), text_align="right"),
        class_name="count-row",
        id=f"counts-{row.task_type}",
    )


def _total_row() -> rx.Component:
    total = S.count_total
    return rx.table.row(
        rx.table.row_header_cell(rx.text("All types", weight="medium", size="2")),
        *[_count_cell(total, status) for status in TASK_STATUSES],
        rx.table.cell(
            rx.text(total.total, weight="bold", size="2"), text_align="right", id="count-all-total"
        ),
        background=rx.color("gray", 2),
    )


def counts_table() -> rx.Component:
    """Tasks by type (rows) and status (columns), with pauses beside the type's name."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Task type"),
                *[rx.table.column_header_cell(status, text_align="right") for status in TASK_STATUSES],
                rx.table.column_header_cell("total", text_align="right"),
            )
        ),
        rx.table.body(rx.foreach(S.count_rows, _type_row), _total_row()),
        variant="surface",
        size="1",
        width="100%",
        id="queue-counts",
    )


def throughput_chart() -> rx.Component:
    """Completed and failed tasks per minute over the last minutes, stacked."""
    return rx.vstack(
        rx.text(S.throughput_text, size="2", color_scheme="gray", id="throughput-text"),
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", opacity=0.4, vertical=False),
            rx.recharts.bar(
                data_key="completed", stack_id="done", fill=rx.color("grass", 9), is_animation_active=False
            ),
            rx.recharts.bar(
                data_key="failed", stack_id="done", fill=rx.color("red", 9), is_animation_active=False
            ),
            rx.recharts.x_axis(data_key="minute", interval="preserveStartEnd", custom_attrs={"fontSize": 11}),
            rx.recharts.y_axis(width=40, allow_decimals=False, custom_attrs={"fontSize": 11}),
            rx.recharts.graphing_tooltip(),
            data=S.throughput,
            width="100%",
            height=150,
        ),
        spacing="1",
        width="100%",
        id="throughput-chart",
    )


def queue_overview() -> rx.Component:
    """Counts and throughput side by side (stacked on narrow screens)."""
    return rx.flex(
        # As wide as its columns (the chart goes under it when they do not fit beside it).
        rx.box(counts_table(), flex="3 1 34rem"),
        rx.card(throughput_chart(), flex="1 1 18rem", min_width="0"),
        gap="1rem",
        wrap="wrap",
        width="100%",
        align="start",
    )
