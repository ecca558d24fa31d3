"""Route /: the dashboard — catalog numbers, queue, recent reports, claims, data-quality issues."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import local_time, status_badge
from catalog_ui.components.layout import page_frame
from catalog_ui.components.links import icon_link
from catalog_ui.state.dashboard import CONTESTED_URL, DashboardState


def _stat(label: str, value: rx.Var[str], stat_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="7", weight="bold", id=stat_id),  # a number, not a heading
            spacing="1",
        ),
        min_width="12rem",
        flex="1",
    )


def _section(title: str, href: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="4", as_="h2"),
                rx.spacer(),
                icon_link("Open", rx.icon("arrow-right", size=14), href=href, size="2"),
                width="100%",
                align="center",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        flex="1",
        min_width="22rem",
    )


def _queue() -> rx.Component:
    return rx.hstack(
        rx.foreach(
            DashboardState.queue,
            lambda row: rx.link(
                rx.vstack(
                    status_badge(row["status"]),
                    rx.text(row["count"], size="5", weight="bold", id="queue-" + row["status"]),
                    spacing="1",
                    align="start",
                ),
                href=row["href"],
                underline="none",
                color="inherit",
                aria_label=row["status"] + " tasks",
            ),
        ),
        spacing="6",
    )


def _reports() -> rx.Component:
    return rx.cond(
        DashboardState.reports.length() > 0,
        rx.table.root(
            rx.table.body(
                rx.foreach(
                    DashboardState.reports,
                    lambda row: rx.table.row(
                        # A long file name wraps anywhere, leaving the date its line in a half-width card.
                        rx.table.cell(
                            rx.text(row["filename"], size="2", trim="both", overflow_wrap="anywhere"),
                            max_width="18rem",
                        ),
                        rx.table.cell(status_badge(row["status"])),
                        rx.table.cell(row["rows_read"], text_align="right", white_space="nowrap"),
                        rx.table.cell(local_time(row["created_at"]), white_space="nowrap"),
                    ),
                )
            ),
            size="1",
            width="100%",
            id="recent-reports",
        ),
        rx.text("No reports yet.", color_scheme="gray", size="2"),
    )


def _claims() -> rx.Component:
    return rx.vstack(
        rx.cond(
            DashboardState.contested_count > 0,
            rx.link(
                rx.text(
                    DashboardState.contested,
                    size="5",
                    weight="bold",
                    color_scheme="red",
                    id="claims-contested",
                ),
                rx.text("videos also claimed by another owner", size="2"),
                href=CONTESTED_URL,
                display="flex",
                align_items="baseline",
                gap="0.5rem",
            ),
            rx.text(
                "No video is claimed by another owner.", color_scheme="gray", size="2", id="claims-contested"
            ),
        ),
        rx.flex(
            rx.foreach(
                DashboardState.claim_statuses,
                lambda row: rx.link(
                    rx.badge(row["status"], ": ", row["count"], variant="soft", color_scheme="gray"),
                    href=row["href"],
                    underline="none",
                ),
            ),
            gap="0.5rem",
            wrap="wrap",
            id="claim-statuses",
        ),
        spacing="2",
        width="100%",
    )


def _quality() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.foreach(
                DashboardState.quality_counts,
                lambda row: rx.badge(row["label"], ": ", row["count"], variant="soft", color_scheme="amber"),
            ),
            spacing="2",
        ),
        rx.cond(
            DashboardState.quality_total > 0,
            rx.table.root(
                rx.table.body(
                    rx.foreach(
                        DashboardState.quality_sample,
                        lambda row: rx.table.row(
                            rx.table.cell(rx.link(row["video_id"], href="/videos/" + row["video_id"])),
                            rx.table.cell(rx.text(row["title"], size="2", trim="both"), max_width="16rem"),
                            rx.table.cell(rx.code(row["isrc"], variant="ghost")),
                            rx.table.cell(rx.code(row["upc"], variant="ghost")),
                        ),
                    )
                ),
                size="1",
                width="100%",
                id="quality-issues",
            ),
            rx.text("Every ISRC and UPC in the catalog is well formed.", color_scheme="gray", size="2"),
        ),
        spacing="2",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    """Headline numbers, the queue, recent reports, claims and data-quality issues."""
    return page_frame(
        "Dashboard",
        rx.vstack(
            rx.flex(
                _stat("Videos", DashboardState.videos, "stat-videos"),
                _stat("Channels", DashboardState.channels, "stat-channels"),
                _stat("Total views", DashboardState.views, "stat-views"),
                _stat("History entries", DashboardState.history, "stat-history"),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            rx.flex(
                _section("Queue", "/queue", _queue()),
                _section("Recent reports", "/reports", _reports()),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            rx.flex(
                _section("Claims and ownership conflicts", CONTESTED_URL, _claims()),
                _section("Data quality: identifiers kept as reported", "/videos", _quality()),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )
