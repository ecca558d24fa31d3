"""The Queue page's task list: one row per task, with admin-only retry and cancel buttons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from catalog_ui.components.cells import clipped_text, list_table, local_time, status_badge
from catalog_ui.state.auth import AuthState
from catalog_ui.state.queue import QueueState
from catalog_ui.state.queue_display import TaskRow

S = QueueState
COLUMNS = [
    "Task",
    "Video",
    "Type",
    "Status",
    "Priority",
    "Retries",
    "Created",
    "Started · finished",
]
TIME_FORMAT = "MMM D, HH:mm:ss"  # the full date and time zone are in the detail


def _video(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.code(row.video_id, variant="ghost"), href=f"/videos/{row.video_id}", class_name="task-video"
        ),
        clipped_text(row.video_title, size="1", color_scheme="gray", max_width="10rem"),
        spacing="0",
    )


def _error(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row.error != "",
            rx.text(
                row.error, size="1", color_scheme="red", overflow_wrap="anywhere", class_name="task-error"
            ),
        ),
        rx.cond(
            row.next_attempt_at != "",
            rx.text("retry at ", local_time(row.next_attempt_at, "HH:mm:ss"), size="1", color_scheme="gray"),
        ),
        spacing="0",
        min_width="10rem",
        max_width="22rem",
    )


def _admin_actions(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.cond(
        AuthState.user_is_admin,
        rx.hstack(
            rx.cond(
                row.status == "failed",
                _icon_action(
                    "rotate-ccw", "Retry this task", S.retry(row.id), f"retry-{row.id}", "task-retry"
                ),
            ),
            rx.cond(
                row.status == "pending",
                _icon_action(
                    "x", "Cancel this task", S.cancel(row.id), f"cancel-{row.id}", "task-cancel", color="red"
                ),
            ),
            spacing="1",
        ),
    )


def _icon_action(
    icon: str, label: str, on_click: Any, id_: str, class_name: str, *, color: str | None = None
) -> rx.Component:
    """An icon button named for screen readers, with a tooltip (Radix's) that shows on keyboard focus too,
    not only on hover as a title would."""
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=14),
            size="1",
            variant="soft",
            color_scheme=color,
            on_click=on_click,
            aria_label=label,
            id=id_,
            class_name=class_name,
        ),
        content=label,
    )


def _row(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                "#",
                row.id,
                on_click=S.open_detail(row.id),
                variant="ghost",
                size="1",
                id=f"open-task-{row.id}",
                title="Show the task's details",
            )
        ),
        rx.table.cell(_video(row)),
        rx.table.cell(rx.text(row.task_type, white_space="nowrap")),
        # The error under the status, as on the Reports page: a column of its own was cut off at 1280 px.
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.box(status_badge(row.status), class_name="task-status"),
                    _admin_actions(row),
                    align="center",
                    spacing="2",
                ),
                _error(row),
                spacing="1",
            )
        ),
        rx.table.cell(row.priority, text_align="right", class_name="task-priority"),
        rx.table.cell(row.retries, text_align="right", class_name="task-retries"),
        rx.table.cell(
            local_time(row.created_at, TIME_FORMAT), white_space="nowrap", class_name="task-created"
        ),
        rx.table.cell(
            rx.vstack(
                local_time(row.started_at, TIME_FORMAT),
                local_time(row.completed_at, TIME_FORMAT),
                spacing="0",
            ),
            white_space="nowrap",
            class_name="task-times",
        ),
        align="center",
        class_name="task-row",
        id=f"task-{row.id}",
        custom_attrs={"data-status": row.status},
    )


def task_table() -> rx.Component:
    """The visible page of tasks, or a note when none match."""
    return rx.vstack(
        list_table(COLUMNS, S.rows, _row, "task-list"),
        rx.cond(
            S.total == 0,
            rx.callout(
                rx.cond(
                    S.filtered,
                    "No tasks match these filters.",
                    "The queue is empty: queue tasks from a video's page, or for many videos from the grid.",
                ),
                icon="info",
                color_scheme="gray",
                variant="surface",
                width="100%",
                id="no-tasks",
            ),
        ),
        width="100%",
        spacing="2",
    )
