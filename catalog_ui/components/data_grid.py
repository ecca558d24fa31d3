"""The video grid's table: chosen columns, sortable headers, row selection, and admins' row actions.

Cells render by column kind (a link to the video page, a badge, a local time, a right-aligned number…).
Everything a test drives has a stable id: `sort-<column>`, `select-<video id>`, `hide-<video id>`,
`administer-<video id>`, `notes-<video id>`; rows carry `data-video-id`. From the keyboard the table is
one Tab stop that arrow keys move in (components/grid_keys.py).
"""

from __future__ import annotations

import reflex as rx

from catalog_ui.components import cells
from catalog_ui.components.cells import empty_marker, local_time, status_badge
from catalog_ui.components.grid_keys import GRID_ID, GRID_KEYS
from catalog_ui.state.grid_display import ColumnView
from catalog_ui.state.url_history import SCROLLS_TO_TOP
from catalog_ui.state.videos import VideosState

S = VideosState


def _empty_or(value: rx.Var[str], component: rx.Component) -> rx.Component:
    return rx.cond(value != "", component, empty_marker())


def _cell(row: rx.Var[dict[str, str]], column: rx.Var[ColumnView]) -> rx.Component:
    value = row[column.key]
    return rx.table.cell(
        rx.match(
            column.kind,
            (
                "link",
                rx.link(
                    value,
                    href="/videos/" + value,
                    class_name="video-link",
                    font_family="var(--code-font-family)",
                    size="2",
                ),
            ),
            ("code", _empty_or(value, rx.code(value, variant="ghost", size="2"))),
            ("badge", status_badge(value)),
            (
                "time",
                rx.cond(
                    column.key == "last_synced",
                    rx.box(
                        local_time(value),
                        # What the sync changed: in the tooltip for the mouse, and in the cell itself (read
                        # with it, shown while it has the focus) for screen readers and the keyboard.
                        rx.cond(
                            row["last_changes"] != "",
                            rx.el.span("Changed: " + row["last_changes"], class_name="cell-more"),
                        ),
                        title="Changed: " + row["last_changes"],
                    ),
                    local_time(value),
                ),
            ),
            ("number", rx.text(value, size="2")),
            ("duration", rx.text(value, size="2")),
            rx.text(
                value,
                size="2",
                title=value,
                class_name="cell-text",
                # Narrower on narrower windows, so that every column fits a laptop's screen more often;
                # the whole text is in the tooltip, and in the cell on a line of its own while the cell has
                # the keyboard's focus (_FOCUS_SHOWS_ALL). Screen readers read the whole text anyway: it
                # is cut only on screen.
                max_width=rx.cond(
                    column.key == "title", "clamp(12rem, 20vw, 26rem)", "clamp(8rem, 11vw, 16rem)"
                ),
                overflow="hidden",
                text_overflow="ellipsis",
            ),
        ),
        text_align=rx.cond((column.kind == "number") | (column.kind == "duration"), "right", "left"),
        white_space="nowrap",
    )


def _header(column: rx.Var[ColumnView]) -> rx.Component:
    sorted_here = S.sort == column.key
    arrow = rx.cond(
        sorted_here,
        rx.cond(S.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
        rx.icon("arrow-up-down", size=12, opacity="0.35"),
    )
    return rx.table.column_header_cell(
        rx.cond(
            column.sortable,
            rx.button(
                column.label,
                arrow,
                variant="ghost",
                size="1",
                color_scheme=rx.cond(sorted_here, "indigo", "gray"),
                on_click=S.sort_by(column.key),
                id="sort-" + column.key,
            ),
            rx.text(column.label, size="1", weight="bold", title="Computed for the rows on this page"),
        ),
        white_space="nowrap",
        text_align=rx.cond((column.kind == "number") | (column.kind == "duration"), "right", "left"),
        # On the header cell, where screen readers look for it (on the button it is not announced); only
        # on sortable columns.
        custom_attrs={
            "aria-sort": rx.cond(
                column.sortable,
                rx.cond(sorted_here, rx.cond(S.descending, "descending", "ascending"), "none"),
                rx.Var.create(None),
            )
        },
        **_STICKY_TOP,
    )


# What a cell shows only in part, or in its tooltip, shown whole while the cell has the focus (the grid's
# arrow keys move the focus onto a cell without a control, see grid_keys), since a tooltip is for the mouse.
_FOCUS_SHOWS_ALL = {
    "& td:focus .cell-text": {"white_space": "normal", "overflow_wrap": "anywhere"},
    "& .cell-more": cells.VISUALLY_HIDDEN,
    "& td:focus .cell-more": {
        "position": "static",
        "display": "block",
        "width": "auto",
        "height": "auto",
        "margin": "0",
        "clip": "auto",
        "white_space": "normal",
        "font_size": "var(--font-size-1)",
        "color": "var(--gray-11)",
    },
}

# The admin column stays at the grid's right edge while the other columns scroll under it: admins use its
# controls all day, and on a laptop's screen the columns are wider than the window.
# Opaque (the columns scroll under it), in the row's own tint (the header's grey, a selected row's accent)
# laid over the panel's colour; Radix's row lines (box-shadow) are left as they are, the edge is a border.
_PANEL = "var(--color-panel-solid)"
_ROW_TINT = "linear-gradient(var(--table-row-background-color), var(--table-row-background-color))"
_PINNED_RIGHT = {
    "position": "sticky",
    "right": "0",
    "z_index": "1",
    "border_left": f"1px solid {rx.color('gray', 5)}",
}
# The header row stays at the grid's top while the rows scroll under it (the grid scrolls inside the window,
# see pages/videos.py), above the pinned column's cells and opaque like them; the admin header is both.
_STICKY_TOP = {"position": "sticky", "top": "0", "z_index": "2", "background": f"{_ROW_TINT}, {_PANEL}"}


def _admin_cell(row: rx.Var[dict[str, str]], selected: rx.Var[bool]) -> rx.Component:
    video_id = row["video_id"]
    hidden = row["is_hidden"] == "1"
    return rx.table.cell(
        rx.hstack(
            rx.tooltip(
                rx.icon_button(
                    rx.cond(hidden, rx.icon("eye-off", size=14), rx.icon("eye", size=14)),
                    on_click=S.set_row_hidden(video_id, ~hidden),
                    variant=rx.cond(hidden, "solid", "ghost"),
                    color_scheme=rx.cond(hidden, "red", "gray"),
                    size="1",
                    id="hide-" + video_id,
                    aria_label=rx.cond(hidden, "Unhide ", "Hide ") + video_id,
                ),
                content=rx.cond(hidden, "Hidden — click to unhide", "Visible — click to hide"),
            ),
            rx.tooltip(
                # In a span: the tooltip's trigger writes its own `data-state` (closed, delayed-open) on its
                # child, and the switch's track is drawn from `data-state` (checked, unchecked).
                rx.el.span(
                    rx.switch(
                        checked=row["is_administered"] == "1",
                        on_change=lambda value: S.set_row_administered(video_id, value),
                        size="1",
                        id="administer-" + video_id,
                        aria_label="Administered: " + video_id,
                    ),
                    display="inline-flex",
                ),
                content="Administered",
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("notebook-pen", size=14),
                    on_click=S.open_notes(video_id, row["notes_text"]),
                    variant=rx.cond(row["notes_text"] != "", "soft", "ghost"),
                    size="1",
                    id="notes-" + video_id,
                    aria_label="Notes on " + video_id,
                ),
                content=rx.cond(row["notes_text"] != "", row["notes_text"], "Add notes"),
            ),
            spacing="3",
            align="center",
        ),
        white_space="nowrap",
        class_name="admin-cell",
        background=rx.cond(selected, f"{rx.color('accent', 2)}", f"{_ROW_TINT}, {_PANEL}"),
        **_PINNED_RIGHT,
    )


def _row(row: rx.Var[dict[str, str]], index: rx.Var[int]) -> rx.Component:
    video_id = row["video_id"]
    selected = S.all_matching | S.selected.contains(video_id)
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=selected,
                on_change=lambda checked: S.toggle_row(video_id, checked),
                id="select-" + video_id,
                aria_label="Select video " + video_id,
            ),
            width="2rem",
        ),
        rx.foreach(S.columns, lambda column: _cell(row, column)),
        rx.cond(S.user_is_admin, _admin_cell(row, selected)),
        class_name="video-row",
        # The grid's rows (role="grid", see grid_keys) say whether they are selected, as the pattern asks.
        # And where they are in the whole result (the header row is the first), not only on this page.
        custom_attrs={
            "data-video-id": video_id,
            "aria-selected": rx.cond(selected, "true", "false"),
            "aria-rowindex": S.grid_row_offset + index + 2,
        },
        background=rx.cond(selected, rx.color("accent", 2), "transparent"),
        opacity=rx.cond(row["is_hidden"] == "1", "0.6", "1"),
    )


def data_grid() -> rx.Component:
    """The table of the visible page."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=S.page_selected,
                            on_change=S.toggle_page,
                            id="select-page",
                            aria_label="Select every video on this page",
                        ),
                        width="2rem",
                        **_STICKY_TOP,
                    ),
                    rx.foreach(S.columns, _header),
                    rx.cond(
                        S.user_is_admin,
                        rx.table.column_header_cell(
                            "Admin",
                            white_space="nowrap",
                            **{**_PINNED_RIGHT, **_STICKY_TOP, "z_index": "3"},
                        ),
                    ),
                    custom_attrs={"aria-rowindex": 1},
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            size="1",
            width="100%",
            # Radix clips the table itself, which would make it the pinned column's scroll container. The
            # scroll area (Radix's, around the table) is the grid's one scroll container, both ways: it
            # shrinks to the room the page leaves it, so its scrollbars stay in the window.
            style={
                "& .rt-TableRootTable": {"overflow": "visible"},
                "& .rt-ScrollAreaRoot": {"min_height": "0"},
                **_FOCUS_SHOWS_ALL,
            },
            display="flex",
            flex_direction="column",
            min_height="0",
            class_name=SCROLLS_TO_TOP,
            id=GRID_ID,
            # The grid's own (on its table) `aria-rowcount`, which grid_keys copies there: the table is
            # Radix's, inside its root, and takes no props of its own.
            custom_attrs={
                "data-view": S.view_query,
                "data-refreshed": S.refreshed_at,
                "data-aria-rowcount": S.grid_row_count,
            },
            # One Tab stop, arrow keys inside (role="grid", roving tabindex): see grid_keys.
            on_mount=GRID_KEYS,
        ),
        rx.cond(
            S.rows.length() == 0,
            rx.center(
                rx.vstack(
                    rx.icon("search-x", size=28, color=rx.color("gray", 9)),
                    rx.text("No videos match this view.", size="2", color_scheme="gray", id="grid-empty"),
                    rx.cond(
                        S.chips.length() > 0,
                        rx.button("Clear filters", on_click=S.clear_filters, variant="soft", size="1"),
                    ),
                    align="center",
                ),
                padding="2rem",
            ),
        ),
        width="100%",
        display="flex",
        flex_direction="column",
        flex="0 1 auto",
        # A few rows even in a short window (the page then scrolls).
        min_height="12rem",
    )
