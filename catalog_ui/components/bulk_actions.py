"""The selection bar (bulk actions on the selection or on all matching videos), its confirmation dialog,
the progress of a running bulk action or export, and the export button.

Admin actions render only for admins; their handlers refuse everybody else on the server anyway.
"""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.filter_bar import typed_search
from catalog_ui.components.forms import alert_buttons, returns_focus
from catalog_ui.models.queue import TASK_TYPES
from catalog_ui.state.video_actions import ACTION_LABELS, JOB_POLL_MS, VideoActionsState

S = VideoActionsState


# (action, icon, color) of the admin bulk buttons; labels from ACTION_LABELS, ids `bulk-<action>`.
_BULK_BUTTONS = (
    ("hide", "eye-off", "red"),
    ("unhide", "eye", None),
    ("administer", "badge-check", None),
    ("unadminister", None, None),
)


def _bulk_button(action: str, icon: str | None, color: str | None) -> rx.Component:
    content = [rx.icon(icon, size=14)] if icon else []
    extra = {"color_scheme": color} if color else {}
    return rx.button(
        *content,
        ACTION_LABELS[action],
        on_click=S.start_bulk(action),
        size="1",
        variant="soft",
        id=f"bulk-{action}",
        **extra,
    )


def _admin_actions() -> rx.Component:
    return rx.hstack(
        *[_bulk_button(action, icon, color) for action, icon, color in _BULK_BUTTONS],
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("list-plus", size=14), "Enqueue task", size="1", variant="soft", id="bulk-enqueue"
                )
            ),
            rx.menu.content(
                *[
                    rx.menu.item(task_type, on_click=S.start_enqueue(task_type), id=f"enqueue-{task_type}")
                    for task_type in TASK_TYPES
                ]
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def selection_bar() -> rx.Component:
    """Shown while videos are selected."""
    all_on_page = S.page_selected & ~S.all_matching & (S.total_count > S.rows.length())
    return rx.cond(
        S.selected_count > 0,
        rx.hstack(
            rx.text(S.selection_label, size="2", weight="medium", id="selection-label"),
            rx.cond(
                all_on_page,
                rx.button(
                    "Select all ",
                    S.total_label,
                    " matching",
                    on_click=S.select_all_matching,
                    variant="ghost",
                    size="1",
                    id="select-all-matching",
                ),
            ),
            rx.spacer(),
            rx.cond(S.user_is_admin, _admin_actions()),
            rx.button(
                rx.icon("download", size=14),
                "Export selected",
                on_click=S.start_export("selected"),
                size="1",
                variant="soft",
                id="bulk-export",
            ),
            rx.button("Clear", on_click=S.clear_selection, size="1", variant="ghost", id="clear-selection"),
            width="100%",
            align="center",
            spacing="3",
            wrap="wrap",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-3)",
            background=rx.color("accent", 3),
            margin_bottom="0.5rem",
            id="selection-bar",
        ),
    )


def confirm_dialog() -> rx.Component:
    """The count preview to confirm before acting on more than 100 videos."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_title, id="bulk-confirm-title"),
            rx.alert_dialog.description(S.confirm_detail, size="2", id="bulk-confirm-detail"),
            rx.vstack(
                rx.text("Reason (optional, kept in the history)", size="1", color_scheme="gray"),
                rx.text_area(
                    value=S.reason,
                    on_change=S.set_reason,
                    placeholder="e.g. takedown batch",
                    max_length=500,
                    width="100%",
                    id="bulk-reason",
                    aria_label="Reason",
                ),
                spacing="1",
                padding_y="0.75rem",
            ),
            alert_buttons(
                "Cancel",
                rx.button("Confirm", on_click=S.confirm, id="bulk-confirm"),
                on_cancel=S.cancel_confirm,
                cancel_id="bulk-cancel",
            ),
            **returns_focus(),
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def job_progress() -> rx.Component:
    """The running bulk action or export, with its progress; polls until it ends."""
    return rx.fragment(
        rx.cond(
            S.job_running,
            rx.callout.root(
                rx.callout.icon(rx.icon("loader", size=16)),
                rx.vstack(
                    rx.hstack(
                        rx.text(S.job_label, size="2", weight="medium"),
                        rx.spacer(),
                        rx.text(S.job_detail, size="1"),
                    ),
                    rx.progress(value=S.job_percent, max=100, width="100%", aria_label=S.job_label),
                    width="100%",
                    spacing="1",
                ),
                width="100%",
                margin_bottom="0.5rem",
                id="job-progress",
            ),
        ),
        rx.cond(
            S.job_running,
            rx.moment(interval=JOB_POLL_MS, format="x", on_change=S.poll_job, display="none"),
        ),
        rx.cond(
            ~S.job_running & (S.download_url != ""),
            rx.callout.root(
                rx.callout.icon(rx.icon("file-check", size=16)),
                rx.hstack(
                    rx.text("Export ready: ", S.download_name, size="2"),
                    rx.link(
                        "Download",
                        href=S.download_url,
                        is_external=True,
                        id="export-download",
                    ),
                    spacing="2",
                ),
                color_scheme="green",
                margin_bottom="0.5rem",
                width="100%",
            ),
        ),
    )


def export_button() -> rx.Component:
    """Export every video matching the view (with the shown columns) as CSV."""
    return rx.button(
        rx.icon("file-down", size=16),
        "Export CSV",
        on_click=S.export_typed_view(typed_search()),
        variant="soft",
        loading=S.job_running & (S.job_kind == "export"),
        id="export-button",
    )
