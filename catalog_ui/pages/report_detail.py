"""Route /reports/[report_id]: one report's progress and counts, the fields it changed, its rejected rows."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import clipped_text, live_announcements, local_time, status_badge
from catalog_ui.components.diff_view import diff_view
from catalog_ui.components.forms import alert_buttons
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import pagination
from catalog_ui.components.progress import poll_timer, report_progress
from catalog_ui.state.auth import AuthState
from catalog_ui.state.report_detail import FieldCount, RejectionRow, ReportChange, ReportDetailState
from catalog_ui.state.reports import POLL_INTERVAL_MS

S = ReportDetailState
R = ReportDetailState.report


def _stat(label: str, value: rx.Var[str], stat_id: str, tone: str = "gray") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="5", weight="bold", id=stat_id, color_scheme=tone),  # a number, not a heading
        spacing="0",
        min_width="6.5rem",
    )


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", min_width="8rem"), value, spacing="3", align="center"
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(R.status),
                rx.text(
                    R.location,
                    size="2",
                    color_scheme="gray",
                    id="report-location",
                    trim="both",
                    overflow_wrap="anywhere",  # an S3 key has few places to break
                    min_width="0",
                ),
                spacing="3",
                align="center",
                id="report-status",
                custom_attrs={"data-status": R.status},
            ),
            report_progress(R.percent, R.progress, R.status, "report-progress"),
            rx.flex(
                _stat("Rows read", R.rows_read, "count-read"),
                _stat("New", R.inserted, "count-inserted", "green"),
                _stat("Updated", R.updated, "count-updated", "blue"),
                _stat("Unchanged", R.unchanged, "count-unchanged"),
                _stat("Stale", R.stale, "count-stale", "amber"),
                _stat("Rejected", R.rejected, "count-rejected", "red"),
                _stat("Skipped", R.skipped, "count-skipped"),
                gap="1.25rem",
                wrap="wrap",
            ),
            rx.grid(
                _fact("Source", rx.badge(R.source, variant="outline", color_scheme="gray")),
                _fact("Size", rx.text(R.size, size="2")),
                _fact("Uploaded by", rx.text(rx.cond(R.uploaded_by != "", R.uploaded_by, "—"), size="2")),
                _fact("Registered", local_time(R.created_at, "YYYY-MM-DD HH:mm:ss")),
                _fact("Started", local_time(R.started_at, "YYYY-MM-DD HH:mm:ss")),
                _fact("Finished", local_time(R.processed_at, "YYYY-MM-DD HH:mm:ss")),
                _fact(
                    "Duration",
                    rx.text(rx.cond(R.duration != "", R.duration, "—"), size="2", id="report-duration"),
                ),
                _fact(
                    "Ignored columns",
                    rx.text(rx.cond(R.columns_ignored != "", R.columns_ignored, "none"), size="2"),
                ),
                columns="2",
                spacing="2",
                width="100%",
            ),
            rx.cond(
                R.error != "",
                rx.callout(
                    R.error, icon="triangle-alert", color_scheme="red", width="100%", id="report-error"
                ),
            ),
            rx.cond(
                R.note != "",
                rx.callout(R.note, icon="clock", color_scheme="amber", width="100%", id="report-note"),
            ),
            rx.cond(
                R.warning != "",
                rx.callout(
                    R.warning, icon="triangle-alert", color_scheme="amber", width="100%", id="report-warning"
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _field_row(row: rx.Var[FieldCount]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.label),
        rx.table.cell(row.count, text_align="right"),
        class_name="changed-field-row",
        custom_attrs={"data-field": row.field},
    )


def _change(entry: rx.Var[ReportChange]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(rx.code(entry.video_id, variant="ghost"), href=f"/videos/{entry.video_id}"),
            rx.text(
                entry.title, size="2", weight="medium", trim="both", overflow_wrap="anywhere", min_width="0"
            ),
            rx.cond(entry.created, rx.badge("new video", color_scheme="green", variant="soft")),
            spacing="3",
            align="center",
            min_width="0",
            margin_bottom="0.35rem",
        ),
        diff_view(entry.changes),
        padding_y="0.6rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="change-row",
    )


def _changes() -> rx.Component:
    return rx.vstack(
        rx.heading("What this report changed", size="4", as_="h2"),
        rx.cond(
            R.running,
            rx.text(
                "The changes appear once the report is merged into the catalog.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.field_counts.length() == 0,
                rx.text("Nothing in the catalog changed.", size="2", color_scheme="gray", id="no-changes"),
                rx.vstack(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Field"),
                                rx.table.column_header_cell("Videos", text_align="right"),
                            )
                        ),
                        rx.table.body(rx.foreach(S.field_counts, _field_row)),
                        size="1",
                        variant="surface",
                        id="changed-fields",
                        max_width="28rem",
                    ),
                    rx.vstack(rx.foreach(S.changes, _change), spacing="0", width="100%", id="report-changes"),
                    rx.box(
                        pagination(
                            S.changes_page, S.changes_pages, S.changes_label, S.prev_changes, S.next_changes
                        ),
                        id="changes-pager",
                        width="100%",
                    ),
                    width="100%",
                    spacing="3",
                ),
            ),
        ),
        width="100%",
        spacing="3",
    )


# The rejected line, whole and wrapped, while its cell has the focus.
_FOCUS_SHOWS_LINE = {
    "&:focus, &:focus .rejection-raw": {"white_space": "normal", "overflow_wrap": "anywhere"},
}


def _rejection_row(row: rx.Var[RejectionRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.line, class_name="rejection-line"),
        rx.table.cell(rx.code(row.column, variant="ghost"), class_name="rejection-column"),
        rx.table.cell(row.reason, class_name="rejection-reason"),
        rx.table.cell(
            # The line is cut where the column ends, with an ellipsis; the whole of it is in the tooltip
            # for the mouse and, for the keyboard, in the cell itself, wrapped, while it has the focus (a
            # Tab stop). Screen readers read the whole line anyway: it is cut only on screen.
            clipped_text(
                row.raw, size="1", font_family="var(--code-font-family)", class_name="rejection-raw"
            ),
            max_width="32rem",
            overflow="hidden",
            white_space="nowrap",
            tab_index=0,
            class_name="rejection-raw-cell",
            style=_FOCUS_SHOWS_LINE,
        ),
        class_name="rejection-row",
    )


def _rejections() -> rx.Component:
    return rx.cond(
        S.rejections_total > 0,
        rx.vstack(
            rx.hstack(
                rx.heading("Rejected rows", size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=16),
                    "Download CSV",
                    variant="soft",
                    on_click=S.download_rejections,
                    id="download-rejections",
                ),
                width="100%",
                align="center",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Line"),
                        rx.table.column_header_cell("Column"),
                        rx.table.column_header_cell("Reason"),
                        rx.table.column_header_cell("Row as read"),
                    )
                ),
                rx.table.body(rx.foreach(S.rejections, _rejection_row)),
                size="1",
                variant="surface",
                width="100%",
                id="rejections",
            ),
            rx.box(
                pagination(
                    S.rejections_page,
                    S.rejections_pages,
                    S.rejections_label,
                    S.prev_rejections,
                    S.next_rejections,
                ),
                id="rejections-pager",
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=16),
                "Delete record",
                color_scheme="red",
                variant="soft",
                id="delete-report",
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this report record?"),
            rx.alert_dialog.description(
                rx.cond(
                    R.status == "pending",
                    "The report is removed from this list and will not be ingested.",
                    "The report and its rejected rows are removed from this list. The videos and the history "
                    "it wrote stay in the catalog.",
                ),
                size="2",
            ),
            alert_buttons(
                "Cancel",
                rx.button("Delete", color_scheme="red", on_click=S.delete, id="confirm-delete"),
                margin_top="1rem",
            ),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def _actions() -> list[rx.Component]:
    return [
        rx.link(rx.button(rx.icon("arrow-left", size=16), "All reports", variant="ghost"), href="/reports"),
        rx.cond(
            R.status == "error",
            rx.button(rx.icon("rotate-ccw", size=16), "Retry", on_click=S.retry, id="retry-report"),
        ),
        # A pending report can be deleted too (one uploaded by mistake, or waiting for S3 for hours): it is
        # then never ingested. One being ingested cannot.
        rx.cond(AuthState.user_is_admin & (R.status != "processing") & S.found, _delete_dialog()),
    ]


def report_detail_page() -> rx.Component:
    """One report: summary with live progress, what it changed, what it rejected."""
    return page_frame(
        "Report",
        rx.cond(S.polling, poll_timer(S.tick, POLL_INTERVAL_MS)),
        # The report's status while it runs and how it ended, read out as it changes.
        live_announcements(S.announcements, "report-announcements"),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
        ),
        rx.cond(
            S.found,
            rx.vstack(
                rx.heading(
                    R.name, size="5", id="report-name", trim="both", overflow_wrap="anywhere", as_="h2"
                ),
                _summary(),
                _changes(),
                _rejections(),
                spacing="5",
                width="100%",
            ),
            rx.cond(
                S.loaded,
                rx.callout(
                    "This report does not exist (it may have been deleted).", icon="info", id="report-missing"
                ),
            ),
        ),
        actions=_actions(),
    )
