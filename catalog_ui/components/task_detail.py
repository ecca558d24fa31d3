"""A task's detail dialog: status, timings, retries and lease, what it changed, its error, payload and result."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import local_time, status_badge
from catalog_ui.components.diff_view import diff_view
from catalog_ui.components.forms import field_label, returns_focus
from catalog_ui.state.auth import AuthState
from catalog_ui.state.queue import PRIORITY_MAX, QueueState

S = QueueState
D = QueueState.detail
TIME_FORMAT = "YYYY-MM-DD HH:mm:ss [UTC]Z"


def _fact(label: str, value: rx.Component, fact_id: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="9rem"),
        rx.data_list.value(value, id=fact_id),
    )


def _time(value: rx.Var[str]) -> rx.Component:
    return local_time(value, TIME_FORMAT)


def _facts() -> rx.Component:
    return rx.data_list.root(
        _fact(
            "Video",
            rx.hstack(
                rx.link(rx.code(D.video_id, variant="ghost"), href=f"/videos/{D.video_id}"),
                rx.text(D.video_title, size="2", color_scheme="gray", truncate=True, max_width="22rem"),
                align="center",
            ),
            "detail-video",
        ),
        _fact("Status", status_badge(D.status), "detail-status"),
        _fact("Priority", rx.text(D.priority), "detail-priority"),
        _fact("Retries", rx.text(D.retries_text), "detail-retries"),
        _fact("Created", _time(D.created_at), "detail-created"),
        _fact(
            "Started",
            rx.hstack(
                _time(D.started_at),
                rx.cond(
                    D.waited != "",
                    rx.text("after ", D.waited, " in the queue", color_scheme="gray", size="2"),
                ),
            ),
            "detail-started",
        ),
        _fact(
            "Finished",
            rx.hstack(
                _time(D.completed_at),
                rx.cond(D.ran != "", rx.text("ran ", D.ran, color_scheme="gray", size="2")),
            ),
            "detail-finished",
        ),
        rx.cond(
            D.next_attempt_at != "", _fact("Next attempt", _time(D.next_attempt_at), "detail-next-attempt")
        ),
        rx.cond(
            D.worker_id != "",
            _fact(
                "Worker",
                rx.vstack(
                    rx.code(D.worker_id, variant="ghost", size="1"),
                    rx.cond(
                        D.lease_expires_at != "",
                        rx.text("held until ", _time(D.lease_expires_at), size="1", color_scheme="gray"),
                    ),
                    spacing="0",
                ),
                "detail-lease",
            ),
        ),
        size="2",
    )


def _section(title: str, *children: rx.Component, section_id: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"), *children, spacing="2", width="100%", id=section_id
    )


def _json_block(text: rx.Var[str], block_id: str) -> rx.Component:
    return rx.box(
        rx.el.pre(
            text,
            font_family="var(--code-font-family)",
            font_size="var(--font-size-1)",
            white_space="pre-wrap",
            overflow_wrap="anywhere",
            margin="0",
        ),
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-2)",
        padding="0.5rem 0.75rem",
        max_height="14rem",
        overflow="auto",
        width="100%",
        id=block_id,
    )


def _priority_editor() -> rx.Component:
    return rx.cond(
        AuthState.user_is_admin & (D.status == "pending"),
        rx.hstack(
            field_label("Priority", "priority-input"),
            rx.input(
                value=S.priority_draft,
                on_change=S.set_priority_draft,
                type="number",
                min=0,
                max=PRIORITY_MAX,
                step=1,
                width="8rem",
                size="2",
                id="priority-input",
            ),
            rx.button("Set priority", size="2", variant="soft", on_click=S.save_priority, id="save-priority"),
            rx.text("Higher runs first.", size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            id="priority-editor",
        ),
    )


def _admin_buttons() -> rx.Component:
    return rx.cond(
        AuthState.user_is_admin,
        rx.hstack(
            rx.cond(
                D.status == "failed",
                rx.button(rx.icon("rotate-ccw", size=14), "Retry", on_click=S.retry(D.id), id="detail-retry"),
            ),
            rx.cond(
                D.status == "pending",
                rx.button(
                    rx.icon("x", size=14),
                    "Cancel task",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.cancel(D.id),
                    id="detail-cancel",
                ),
            ),
            spacing="2",
        ),
    )


def _result() -> rx.Component:
    return rx.cond(
        D.status == "completed",
        _section(
            "What changed",
            rx.text(D.result_summary, size="2", id="detail-summary"),
            rx.cond(D.changes.length() > 0, rx.box(diff_view(D.changes), width="100%", id="detail-changes")),
            rx.cond(
                D.change_set_id > 0,
                rx.link(
                    "Change set #",
                    D.change_set_id,
                    href=f"/audit?change_set={D.change_set_id}",
                    size="2",
                    id="detail-change-set",
                ),
            ),
            section_id="detail-result",
        ),
    )


def task_detail_dialog() -> rx.Component:
    """The open task, refreshed with the page while it stays open."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(D.task_type, " #", D.id, margin="0"),
                rx.spacer(),
                _admin_buttons(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=16), variant="ghost", id="close-detail", aria_label="Close"
                    )
                ),
                align="center",
                width="100%",
            ),
            rx.vstack(
                _facts(),
                _priority_editor(),
                rx.cond(
                    D.error != "",
                    rx.callout.root(
                        rx.callout.icon(rx.icon("triangle-alert", size=16)),
                        rx.callout.text(
                            rx.match(
                                D.status,
                                ("failed", "Error: "),
                                ("completed", "Last error before it went through: "),
                                "Last error: ",
                            ),
                            rx.text(D.error, as_="span", white_space="pre-wrap", overflow_wrap="anywhere"),
                        ),
                        color_scheme=rx.cond(D.status == "failed", "red", "amber"),
                        width="100%",
                        id="detail-error",
                    ),
                ),
                _result(),
                rx.cond(
                    D.payload_json != "",
                    _section(
                        "Payload",
                        _json_block(D.payload_json, "detail-payload"),
                        section_id="detail-payload-section",
                    ),
                ),
                rx.cond(
                    D.result_json != "",
                    _section(
                        "Result (raw)",
                        _json_block(D.result_json, "detail-result-json"),
                        section_id="detail-raw",
                    ),
                ),
                spacing="4",
                width="100%",
                padding_top="0.75rem",
            ),
            max_width="46rem",
            id="task-detail",
            **returns_focus(),
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )
