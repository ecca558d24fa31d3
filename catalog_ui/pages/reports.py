"""Route /reports: every report newest first with live progress, uploads, bucket scans and retries."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import hidden_label, list_table, live_announcements, local_time, status_badge
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import pagination
from catalog_ui.components.progress import poll_timer, report_progress
from catalog_ui.state.report_display import ReportRow
from catalog_ui.state.reports import POLL_INTERVAL_MS, STATUS_FILTERS, UPLOAD_ID, ReportsState

S = ReportsState
COLUMNS = ["Report", "Status", "Progress", "Rows", "Started", "Duration", hidden_label("Actions")]


def _count(label: str, value: rx.Var[str], tone: str = "gray") -> rx.Component:
    return rx.text(
        label,
        " ",
        rx.text(value, as_="span", weight="medium"),
        size="1",
        color_scheme=tone,
        white_space="nowrap",
    )


def _counts(row: rx.Var[ReportRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _count("read", row.rows_read),
            _count("new", row.inserted, "green"),
            _count("updated", row.updated, "blue"),
            spacing="2",
            wrap="wrap",  # at 1280 px the table fits the window with the counts on more lines
            row_gap="0",
        ),
        rx.hstack(
            _count("unchanged", row.unchanged),
            rx.cond(row.stale != "0", _count("stale", row.stale, "amber")),
            rx.cond(row.rejected != "0", _count("rejected", row.rejected, "red")),
            spacing="2",
            wrap="wrap",  # at 1280 px the table fits the window with the counts on more lines
            row_gap="0",
        ),
        spacing="0",
        class_name="report-counts",
    )


def _name(row: rx.Var[ReportRow]) -> rx.Component:
    return rx.vstack(
        rx.link(
            row.name,
            href=f"/reports/{row.id}",
            weight="medium",
            size="2",
            id=f"report-link-{row.id}",
            class_name="report-name",
            # CMS file names run to 100 characters with few places to break: inside the column, not over
            # the next ones.
            overflow_wrap="anywhere",
        ),
        rx.hstack(
            rx.badge(row.source, variant="outline", size="1", color_scheme="gray"),
            rx.text(row.size, size="1", color_scheme="gray"),
            rx.cond(row.uploaded_by != "", rx.text("by ", row.uploaded_by, size="1", color_scheme="gray")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        spacing="1",
        min_width="11rem",
        max_width="22rem",
    )


def _status_line(value: rx.Var[str], color: str, class_name: str) -> rx.Component:
    """A line under a report's badge (its error, why it waits, a warning), when there is one."""
    return rx.cond(
        value != "",
        rx.text(
            value,
            size="1",
            color_scheme=color,
            min_width="10rem",
            max_width="18rem",
            class_name=class_name,
            trim="both",
            overflow_wrap="anywhere",  # S3 keys and paths
        ),
    )


def _row(row: rx.Var[ReportRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_name(row)),
        rx.table.cell(
            rx.vstack(
                status_badge(row.status),
                _status_line(row.error, "red", "report-error"),
                _status_line(row.note, "amber", "report-note"),
                _status_line(row.warning, "amber", "report-warning"),
                spacing="1",
            ),
            class_name="report-status",
        ),
        rx.table.cell(report_progress(row.percent, row.progress, row.status)),
        rx.table.cell(_counts(row)),
        rx.table.cell(local_time(row.started_at, "YYYY-MM-DD HH:mm:ss"), white_space="nowrap"),
        rx.table.cell(rx.text(row.duration, size="2", class_name="report-duration")),
        rx.table.cell(
            rx.cond(
                row.status == "error",
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Retry",
                    size="1",
                    variant="soft",
                    on_click=S.retry(row.id),
                    id=f"retry-{row.id}",
                ),
            )
        ),
        class_name="report-row",
        id=f"report-row-{row.id}",
    )


def _upload_dialog() -> rx.Component:
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("upload", size=16), "Upload report", id="open-upload"),
        ),
        rx.dialog.content(
            rx.dialog.title("Upload a CMS Videos report"),
            rx.dialog.description(S.storage_hint, size="2", color_scheme="gray", id="storage-hint"),
            rx.upload(
                rx.vstack(
                    rx.icon("file-up", size=28, color=rx.color("gray", 9)),
                    rx.text("Drop a .csv or .csv.gz file here, or click to choose one.", size="2"),
                    align="center",
                    spacing="2",
                ),
                id=UPLOAD_ID,
                accept={"text/csv": [".csv"], "application/gzip": [".gz", ".csv.gz"]},
                max_files=5,
                border=f"1px dashed {rx.color('gray', 7)}",
                border_radius="var(--radius-3)",
                padding="1.5rem",
                margin_y="1rem",
                cursor="pointer",
            ),
            rx.foreach(chosen, lambda name: rx.text(name, size="2", class_name="chosen-file")),
            rx.cond(
                S.sending,
                rx.vstack(
                    rx.progress(value=S.sent_percent, max=100, width="100%"),
                    rx.text(f"Sending the file… {S.sent_percent}%", size="1", color_scheme="gray"),
                    id="upload-sending",
                    width="100%",
                    spacing="1",
                    margin_top="0.5rem",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(S.uploading | S.sending, rx.spinner(size="2"), rx.icon("upload", size=16)),
                    "Upload and ingest",
                    on_click=S.upload_report(
                        rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=S.upload_progress)
                    ),
                    disabled=S.uploading | S.sending | (chosen.length() == 0),
                    id="upload-submit",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=S.upload_open,
        on_open_change=S.set_upload_open,
    )


def _actions() -> list[rx.Component]:
    return [
        rx.select(
            list(STATUS_FILTERS),
            value=S.status_filter,
            on_change=S.set_status_filter,
            id="status-filter",
            size="2",
            custom_attrs={"aria-label": "Status"},
        ),
        rx.tooltip(
            rx.button(
                rx.cond(S.scanning, rx.spinner(size="2"), rx.icon("refresh-cw", size=16)),
                "Scan bucket now",
                variant="soft",
                on_click=S.scan_now,
                disabled=S.scanning | ~S.s3_enabled,
                id="scan-now",
            ),
            content=rx.cond(
                S.s3_enabled, "Register and ingest new files of the bucket", "No S3 bucket configured"
            ),
        ),
        _upload_dialog(),
    ]


def reports_page() -> rx.Component:
    """The reports, one page at a time, refreshed while any of them runs."""
    return page_frame(
        "Reports",
        rx.cond(S.polling, poll_timer(S.tick, POLL_INTERVAL_MS)),
        # The running reports' status, read out as it changes (not the table, which would be read whole).
        live_announcements(S.announcements, "report-announcements"),
        list_table(COLUMNS, S.rows, _row, "report-list"),
        rx.cond(
            S.total == 0,
            rx.callout(
                "No reports yet: upload one, or put CMS Videos reports in the bucket and scan it.",
                icon="info",
                margin_top="1rem",
                id="no-reports",
            ),
        ),
        pagination(S.page, S.pages, S.total_label, S.prev_page, S.next_page),
        actions=_actions(),
    )
