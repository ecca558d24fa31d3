"""Route /queue: live counts and throughput, the filtered task list, a task's detail, admin retries/cancels."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.forms import alert_buttons, returns_focus
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import pagination
from catalog_ui.components.progress import poll_timer
from catalog_ui.components.queue_overview import queue_overview
from catalog_ui.components.task_detail import task_detail_dialog
from catalog_ui.components.task_table import task_table
from catalog_ui.models.queue import TASK_STATUSES, TASK_TYPES
from catalog_ui.state.auth import AuthState
from catalog_ui.state.queue import ALL, POLL_INTERVAL_MS, QueueState

S = QueueState


def _select(
    label: str, options: list[str], value: rx.Var[str], on_change: rx.event.EventHandler, select_id: str
) -> rx.Component:
    # The text above the select is only near it: the trigger is named with the same words.
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.select(
            options,
            value=value,
            on_change=on_change,
            size="2",
            id=select_id,
            custom_attrs={"aria-label": label},
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        _select("Status", [ALL, *TASK_STATUSES], S.status_filter, S.set_status_filter, "filter-status"),
        _select("Task type", [ALL, *TASK_TYPES], S.type_filter, S.set_type_filter, "filter-type"),
        rx.vstack(
            rx.text("Video ID", size="1", color_scheme="gray"),
            rx.input(
                rx.input.slot(rx.icon("clapperboard", size=14)),
                default_value=S.video_filter,  # uncontrolled: see QueueState.video_key
                key=S.video_key,
                on_change=S.set_video_filter.debounce(400),
                placeholder="e.g. dQw4w9WgXcQ",
                max_length=200,
                width="13rem",
                size="2",
                id="filter-video",
                aria_label="Video ID",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("Queued by", size="1", color_scheme="gray"),
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("user", size=14)),
                    default_value=S.creator_filter,
                    key=S.creator_key,
                    on_change=S.set_creator_filter.debounce(400),
                    placeholder="e-mail or username",
                    max_length=200,
                    width="15rem",
                    size="2",
                    id="filter-creator",
                    aria_label="Queued by",
                ),
                rx.button("Mine", variant="soft", size="2", on_click=S.only_mine, id="filter-mine"),
                spacing="1",
            ),
            spacing="1",
        ),
        rx.cond(
            S.filtered,
            rx.button(
                rx.icon("filter-x", size=14),
                "Clear filters",
                variant="ghost",
                size="2",
                on_click=S.clear_filters,
                id="clear-filters",
            ),
        ),
        rx.spacer(),
        rx.cond(AuthState.user_is_admin, _bulk_buttons()),
        align="end",
        width="100%",
        wrap="wrap",
        spacing="3",
        padding_top="1.5rem",
        padding_bottom="0.75rem",
    )


def _bulk_buttons() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("rotate-ccw", size=14),
            "Retry failed…",
            variant="soft",
            size="2",
            on_click=S.ask_bulk("retry"),
            id="retry-matching",
            title="Retry every failed task matching the type, video and creator filters",
        ),
        rx.button(
            rx.icon("circle-x", size=14),
            "Cancel pending…",
            variant="soft",
            color_scheme="red",
            size="2",
            on_click=S.ask_bulk("cancel"),
            id="cancel-matching",
            title="Cancel every pending task matching the type, video and creator filters",
        ),
        spacing="2",
        id="bulk-actions",
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_title),
            rx.alert_dialog.description(S.confirm_detail, size="2"),
            alert_buttons(
                "Keep them",
                rx.button(
                    rx.cond(S.confirm_action == "retry", "Retry them", "Cancel them"),
                    color_scheme=rx.cond(S.confirm_action == "retry", "indigo", "red"),
                    on_click=S.confirm_bulk,
                    id="bulk-confirm",
                ),
                on_cancel=S.close_confirm,
                cancel_id="bulk-keep",
                margin_top="1rem",
            ),
            id="bulk-dialog",
            **returns_focus(),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def _creator_error() -> rx.Component:
    return rx.cond(
        S.creator_error != "",
        rx.callout(S.creator_error, icon="user-x", color_scheme="amber", width="100%", id="creator-error"),
    )


def _live() -> rx.Component:
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("grass", 9)),
        rx.text(f"Live · every {POLL_INTERVAL_MS // 1000} s", size="1", color_scheme="gray"),
        align="center",
        spacing="1",
        id="queue-live",
    )


def queue_page() -> rx.Component:
    """The processing queue, refreshed every few seconds while the page is open."""
    return page_frame(
        "Queue",
        poll_timer(S.tick, POLL_INTERVAL_MS),
        queue_overview(),
        _filters(),
        _creator_error(),
        task_table(),
        pagination(S.page, S.pages, S.total_label, S.prev_page, S.next_page),
        task_detail_dialog(),
        _confirm_dialog(),
        actions=[_live()],
    )
