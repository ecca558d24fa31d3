"""Route /audit: every change set (who, what, why, how many videos), its detail, and undo for admins."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import hidden_label, local_time
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import compact_pager, pagination
from catalog_ui.components.rollback_dialog import rollback_dialog
from catalog_ui.components.timeline import entries_table, kind_badge
from catalog_ui.state.audit import AuditState, ChangeSetRow, FieldCount
from catalog_ui.state.auth import AuthState
from catalog_ui.state.rollback import RollbackState

S = AuditState


def _date_box(value: rx.Var[str], on_change: rx.event.EventHandler, box_id: str, label: str) -> rx.Component:
    # Uncontrolled: a date typed digit by digit changes several times; see AuditState.dates_key.
    return rx.input(
        type="date",
        default_value=value,
        key=f"{box_id}-{S.dates_key}",  # siblings: each its own key
        on_change=on_change.debounce(300),
        id=box_id,
        aria_label=label,
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="Any kind", id="filter-kind", aria_label="Kind"),
            rx.select.content(
                rx.foreach(
                    S.kinds, lambda kind: rx.select.item(rx.cond(kind == "any", "Any kind", kind), value=kind)
                )
            ),
            value=S.kind,
            on_change=S.set_kind,
        ),
        rx.select.root(
            rx.select.trigger(placeholder="Anybody", id="filter-user", aria_label="Changed by"),
            rx.select.content(rx.foreach(S.users, lambda opt: rx.select.item(opt[1], value=opt[0]))),
            value=S.user_filter,
            on_change=S.set_user_filter,
        ),
        rx.text("From", size="2"),
        _date_box(S.since, S.set_since, "filter-since", "From"),
        rx.text("to", size="2"),
        _date_box(S.until, S.set_until, "filter-until", "To"),
        rx.button("Clear", variant="ghost", on_click=S.clear_filters, id="filter-clear"),
        align="center",
        wrap="wrap",
        padding_bottom="0.75rem",
    )


def _row(row: rx.Var[ChangeSetRow]) -> rx.Component:
    status = rx.cond(
        row.reverted_by > 0,
        rx.badge("undone by #", row.reverted_by, color_scheme="gray", variant="outline"),
        rx.cond(row.reverts > 0, rx.badge("undoes #", row.reverts, color_scheme="red", variant="outline")),
    )
    return rx.table.row(
        rx.table.cell(
            rx.button(
                "#",
                row.id,
                variant="ghost",
                size="1",
                on_click=S.open_change_set(row.id),
                class_name="open-change-set",
            )
        ),
        rx.table.cell(local_time(row.created_at, "YYYY-MM-DD HH:mm:ss")),
        rx.table.cell(kind_badge(row.kind)),
        rx.table.cell(rx.cond(row.user != "", row.user, rx.text("system", color_scheme="gray"))),
        rx.table.cell(rx.text(row.label, trim="both"), max_width="22rem"),
        rx.table.cell(rx.text(row.reason, trim="both"), max_width="18rem"),
        rx.table.cell(row.videos, text_align="right"),
        rx.table.cell(status),
        class_name="change-set-row",
        id=f"change-set-{row.id}",
    )


def _list() -> rx.Component:
    headers = ("#", "When", "Kind", "Who", "What", "Why", "Videos", hidden_label("Undo"))
    return rx.vstack(
        rx.cond(
            S.error != "", rx.callout(S.error, icon="circle-alert", color_scheme="red", id="audit-error")
        ),
        rx.cond(
            S.detail_error != "",
            rx.callout(S.detail_error, icon="circle-alert", color_scheme="red", id="audit-detail-error"),
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            size="1",
            width="100%",
            id="change-set-list",
        ),
        pagination(S.page, S.pages, S.total_label, S.prev_page, S.next_page),
        width="100%",
        spacing="2",
    )


def _field_count(item: rx.Var[FieldCount]) -> rx.Component:
    return rx.badge(item.label, ": ", item.videos, variant="soft", color_scheme="gray")


def _detail() -> rx.Component:
    selected = S.selected
    undo = rx.cond(
        AuthState.user_is_admin,
        rx.button(
            rx.icon("undo-2", size=14),
            "Undo this change set",
            color_scheme="red",
            variant="soft",
            on_click=RollbackState.preview_change_set(selected.id),
            id="undo-change-set",
        ),
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Change set #", selected.id, size="4", id="detail-heading", as_="h2"),
                kind_badge(selected.kind),
                rx.text(local_time(selected.created_at, "YYYY-MM-DD HH:mm:ss"), size="2"),
                rx.spacer(),
                undo,
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    on_click=S.close_detail,
                    id="detail-close",
                    aria_label="Close",
                ),
                align="center",
                width="100%",
            ),
            rx.text(
                rx.cond(selected.label != "", selected.label, "No label"),
                rx.cond(selected.user != "", rx.text.span(" · by ", selected.user)),
                rx.cond(selected.reason != "", rx.text.span(" — reason: ", selected.reason)),
                size="2",
                overflow_wrap="anywhere",  # a reason may hold a link or an id with no place to break
                id="detail-summary",
            ),
            rx.flex(rx.foreach(S.detail_fields, _field_count), gap="0.4rem", wrap="wrap", id="detail-fields"),
            entries_table(S.entries, empty="This change set has no history entries."),
            compact_pager(
                S.entries_page,
                S.entries_pages,
                S.prev_entries,
                S.next_entries,
                total=S.entries_label,
                id_prefix="detail",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="change-set-detail",
    )


def audit_page() -> rx.Component:
    """Change sets newest first, with the open one's detail above the list."""
    return page_frame(
        "Audit",
        _filters(),
        rx.vstack(rx.cond(S.detail_open, _detail()), _list(), spacing="4", width="100%"),
        rollback_dialog(after=S.refresh),
    )
