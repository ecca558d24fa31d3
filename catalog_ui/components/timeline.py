"""History entries as a timeline: time, source badge, who and why, and the field-by-field diff."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from catalog_ui.components.cells import local_time
from catalog_ui.components.diff_view import diff_view
from catalog_ui.state.history_display import KIND_COLORS, TimelineRow


def kind_badge(kind: rx.Var[str]) -> rx.Component:
    """The source of a change as a coloured badge (report, task, user, bulk, rollback)."""
    return rx.badge(kind, color_scheme=rx.match(kind, *KIND_COLORS.items(), "gray"), variant="soft")


def _change_set_link(row: rx.Var[TimelineRow]) -> rx.Component:
    return rx.cond(
        row.change_set_id > 0,
        rx.link(
            "change set #",
            row.change_set_id,
            href=f"/audit?change_set={row.change_set_id}",
            size="1",
            class_name="change-set-link",
        ),
    )


def _video_link(row: rx.Var[TimelineRow]) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.code(row.video_id, variant="ghost"), href=f"/videos/{row.video_id}", class_name="entry-video"
        ),
        rx.text(row.title, size="2", color_scheme="gray", trim="both", max_width="32rem", truncate=True),
        align="center",
    )


def timeline_entry(
    row: rx.Var[TimelineRow],
    *,
    actions: Callable[[rx.Var[TimelineRow]], rx.Component] | None = None,
) -> rx.Component:
    """One entry as a card: header line, then its diff."""
    header = rx.hstack(
        kind_badge(row.kind),
        rx.text(local_time(row.time, "YYYY-MM-DD HH:mm:ss"), size="2", weight="medium"),
        # Who and why: a reason may hold a link or an id with no place to break.
        rx.text(row.source, size="2", class_name="entry-source", overflow_wrap="anywhere", min_width="0"),
        rx.cond(row.archived, rx.badge("archived", color_scheme="gray", variant="outline", size="1")),
        rx.spacer(),
        _change_set_link(row),
        *([actions(row)] if actions else []),
        align="center",
        width="100%",
        wrap="wrap",
    )
    return rx.box(
        rx.vstack(header, diff_view(row.changes), spacing="2", width="100%"),
        padding="0.75rem 1rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_left=f"3px solid {rx.color('accent', 8)}",
        border_radius="var(--radius-3)",
        width="100%",
        class_name="history-entry",
        id=f"history-entry-{row.id}",
    )


def timeline(
    rows: rx.Var[list[TimelineRow]],
    *,
    empty: str,
    actions: Callable[[rx.Var[TimelineRow]], rx.Component] | None = None,
) -> rx.Component:
    """The entries newest first (as given), or `empty` when there are none."""
    return rx.cond(
        rows.length() > 0,
        rx.vstack(
            rx.foreach(rows, lambda row: timeline_entry(row, actions=actions)),
            spacing="2",
            width="100%",
        ),
        rx.callout(empty, icon="info", color_scheme="gray", variant="surface", width="100%"),
    )


def _entry_row(row: rx.Var[TimelineRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.code(row.video_id, variant="ghost"),
                href=f"/videos/{row.video_id}",
                class_name="entry-video",
            ),
            rx.text(row.title, size="1", color_scheme="gray", trim="both"),
            rx.cond(row.archived, rx.badge("archived", color_scheme="gray", variant="outline", size="1")),
            max_width="18rem",
        ),
        rx.table.cell(diff_view(row.changes)),
        class_name="history-entry",
        id=f"history-entry-{row.id}",
    )


def entries_table(rows: rx.Var[list[TimelineRow]], *, empty: str) -> rx.Component:
    """The entries of one change set, one compact row per video: the video, then its field diffs."""
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(rx.table.column_header_cell("Video"), rx.table.column_header_cell("Changes"))
            ),
            rx.table.body(rx.foreach(rows, _entry_row)),
            size="1",
            variant="ghost",
            width="100%",
        ),
        rx.callout(empty, icon="info", color_scheme="gray", variant="surface", width="100%"),
    )
