"""Route /videos: the video grid."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import local_time, status_badge
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import pagination
from catalog_ui.state.videos import VideosState

COLUMNS = [
    ("Video ID", "video_id"),
    ("Title", "title"),
    ("Channel", "channel_display_name"),
    ("Views", "views"),
    ("Privacy", "privacy_status"),
    ("Claim", "claimed_status"),
    ("Published", "time_published"),
]


def _row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row["video_id"], variant="ghost")),
        rx.table.cell(rx.text(row["title"], trim="both"), max_width="28rem"),
        rx.table.cell(row["channel_display_name"]),
        rx.table.cell(row["views"], text_align="right"),
        rx.table.cell(status_badge(row["privacy_status"])),
        rx.table.cell(row["claimed_status"]),
        rx.table.cell(local_time(row["time_published"])),
        class_name="video-row",
    )


def videos_page() -> rx.Component:
    """The grid of videos, one page at a time."""
    return page_frame(
        "Videos",
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(label) for label, _ in COLUMNS]),
            ),
            rx.table.body(rx.foreach(VideosState.rows, _row)),
            variant="surface",
            size="1",
            width="100%",
            id="video-grid",
        ),
        pagination(
            VideosState.page,
            VideosState.pages,
            VideosState.total_label,
            VideosState.prev_page,
            VideosState.next_page,
        ),
    )
