"""The rollback dialog: what would be reverted, the conflicts (changed since) to skip or overwrite, a reason."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler

from catalog_ui.components.cells import local_time
from catalog_ui.components.forms import returns_focus
from catalog_ui.components.pagination import compact_pager
from catalog_ui.state.rollback import ConflictRow, RollbackState


def _value(text: rx.Var[str], is_time: rx.Var[bool]) -> rx.Component:
    return rx.cond(
        text == "",
        rx.text("empty", color_scheme="gray", font_style="italic", size="1"),
        rx.cond(
            is_time,
            # Milliseconds: two stamps a moment apart must not read the same.
            local_time(text, "YYYY-MM-DD HH:mm:ss.SSS"),
            rx.text(text, size="1", overflow_wrap="anywhere"),
        ),
    )


def _conflict(row: rx.Var[ConflictRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.code(row.video_id, variant="ghost"), rx.text(row.title, size="1", color_scheme="gray")
        ),
        rx.table.cell(rx.text(row.label, size="1")),
        rx.table.cell(_value(row.written, row.is_time)),
        rx.table.cell(_value(row.current, row.is_time)),
        rx.table.cell(_value(row.restore, row.is_time)),
        class_name="conflict-row",
    )


def _conflicts() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text(
                RollbackState.conflicts.to_string(),
                " field(s) on ",
                RollbackState.conflict_videos.to_string(),
                " video(s) changed since: they no longer hold the value being reverted. Skip them (they keep "
                "their current value) or overwrite them.",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            id="rollback-conflicts",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(name)
                        for name in ("Video", "Field", "It set", "Now", "Would become")
                    ]
                )
            ),
            rx.table.body(rx.foreach(RollbackState.conflict_rows, _conflict)),
            size="1",
            variant="surface",
            width="100%",
        ),
        rx.cond(
            RollbackState.conflict_pages > 1,
            compact_pager(
                RollbackState.conflict_page,
                RollbackState.conflict_pages,
                RollbackState.prev_conflicts,
                RollbackState.next_conflicts,
                text_size="1",
            ),
        ),
        width="100%",
        spacing="2",
    )


def rollback_dialog(after: EventHandler | None = None) -> rx.Component:
    """The dialog; `after` runs once a rollback is applied (the page reloads what it shows)."""
    then = [after] if after is not None else []
    buttons = rx.cond(
        RollbackState.fields == 0,
        rx.button("Close", variant="soft", on_click=RollbackState.close, id="rollback-close"),
        rx.cond(
            RollbackState.conflicts > 0,
            rx.hstack(
                rx.button(
                    "Skip conflicts and revert the rest",
                    on_click=[RollbackState.apply("skip"), *then],
                    loading=RollbackState.busy,
                    id="rollback-skip",
                ),
                rx.button(
                    "Overwrite conflicts too",
                    color_scheme="red",
                    on_click=[RollbackState.apply("overwrite"), *then],
                    loading=RollbackState.busy,
                    id="rollback-overwrite",
                ),
            ),
            rx.button(
                "Revert",
                color_scheme="red",
                on_click=[RollbackState.apply("skip"), *then],
                loading=RollbackState.busy,
                id="rollback-apply",
            ),
        ),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(RollbackState.heading, id="rollback-heading"),
            rx.cond(
                RollbackState.busy & (RollbackState.fields == 0),
                rx.hstack(rx.spinner(), rx.text("Working out what would change…"), align="center"),
                rx.vstack(
                    rx.text(RollbackState.summary, size="3", weight="medium", id="rollback-summary"),
                    rx.foreach(
                        RollbackState.notes, lambda line: rx.text(line, size="2", color_scheme="gray")
                    ),
                    rx.cond(RollbackState.conflicts > 0, _conflicts()),
                    rx.cond(
                        RollbackState.fields > 0,
                        rx.input(
                            placeholder="Reason (optional, kept with the rollback)",
                            value=RollbackState.reason,
                            on_change=RollbackState.set_reason,
                            width="100%",
                            id="rollback-reason",
                            aria_label="Reason",
                        ),
                    ),
                    rx.cond(
                        RollbackState.error != "",
                        rx.callout(
                            RollbackState.error, icon="circle-alert", color_scheme="red", id="rollback-error"
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.cond(
                    RollbackState.fields > 0,
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=RollbackState.close,
                        disabled=RollbackState.busy,
                        id="rollback-cancel",
                    ),
                ),
                buttons,
                justify="end",
                width="100%",
                padding_top="1rem",
            ),
            max_width="56rem",
            id="rollback-dialog",
            **returns_focus(),
        ),
        open=RollbackState.open,
        on_open_change=lambda _open: RollbackState.close(),
    )
