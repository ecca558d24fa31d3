"""Route /videos/[video_id]: one video — its fields, history, views chart, queue tasks and admin controls."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import empty_marker, local_time, status_badge
from catalog_ui.components.layout import page_frame
from catalog_ui.components.links import icon_link
from catalog_ui.components.pagination import compact_pager
from catalog_ui.components.progress import poll_timer
from catalog_ui.components.rollback_dialog import rollback_dialog
from catalog_ui.components.thumbnail import thumbnail
from catalog_ui.components.timeline import timeline
from catalog_ui.components.views_chart import views_chart
from catalog_ui.state.auth import AuthState
from catalog_ui.state.history_display import TimelineRow
from catalog_ui.state.rollback import RollbackState
from catalog_ui.state.video_detail import TASK_POLL_MS, FieldGroup, FieldRow, TaskRow, VideoDetailState

S = VideoDetailState

# The browser turns the picked local time into UTC ISO; '' when nothing is picked.
_RESTORE_AT_JS = (
    "(() => { const v = document.getElementById('restore-at').value; "
    "return v ? new Date(v).toISOString() : ''; })()"
)


# Back to where the user came from (the grid keeps its view in the URL), else to the grid.
_BACK_JS = "window.history.length > 1 ? window.history.back() : window.location.assign('/videos')"


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), value, spacing="0")


def _summary() -> rx.Component:
    return rx.card(
        rx.hstack(
            thumbnail(S.thumbnail, S.thumbnail_failed, S.image_failed, (320, 180)),
            rx.vstack(
                rx.heading(
                    rx.cond(S.title != "", S.title, "Untitled video"),
                    size="5",
                    id="video-title",
                    as_="h2",
                    overflow_wrap="anywhere",  # a title without spaces wraps inside the card
                ),
                rx.hstack(
                    rx.code(S.current_video_id, id="video-id"),
                    rx.cond(
                        S.channel_href != "",
                        icon_link(
                            rx.icon("tv", size=14),
                            S.channel_name,
                            href=S.channel_href,
                            id="video-channel-link",
                        ),
                    ),
                    icon_link(
                        rx.icon("external-link", size=14),
                        "Open on YouTube",
                        href=S.youtube,
                        is_external=True,
                        rel="noopener noreferrer",
                        id="video-youtube-link",
                    ),
                    align="center",
                    spacing="4",
                    wrap="wrap",
                ),
                rx.hstack(
                    _fact("Views", rx.text(rx.cond(S.views_text != "", S.views_text, "—"), weight="medium")),
                    _fact("Privacy", status_badge(S.privacy_status)),
                    _fact("Published", local_time(S.time_published)),
                    _fact("Length", rx.text(rx.cond(S.length_text != "", S.length_text, "—"))),
                    spacing="6",
                    padding_top="0.5rem",
                ),
                rx.hstack(
                    rx.cond(S.hidden, rx.badge("Hidden", color_scheme="red", id="badge-hidden")),
                    rx.cond(
                        S.administered, rx.badge("Administered", color_scheme="blue", id="badge-administered")
                    ),
                ),
                spacing="2",
                min_width="0",
            ),
            spacing="5",
            align="start",
        ),
        width="100%",
    )


def _admin_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Admin", size="3", as_="h2"),
            rx.hstack(
                # Labels tied to their switches (`for`): they name them for screen readers and get_by_label.
                rx.el.label(rx.text("Hidden", size="2", as_="span"), html_for="toggle-hidden"),
                rx.switch(checked=S.hidden, on_change=S.set_hidden, id="toggle-hidden"),
                rx.el.label(
                    rx.text("Administered", size="2", as_="span"),
                    html_for="toggle-administered",
                    padding_left="1rem",
                ),
                rx.switch(checked=S.administered, on_change=S.set_administered, id="toggle-administered"),
                rx.cond(
                    S.administered_at != "",
                    rx.text("since ", local_time(S.administered_at), size="1", color_scheme="gray"),
                ),
                align="center",
            ),
            rx.text_area(
                value=S.notes_draft,
                on_change=S.set_notes_draft,
                placeholder="Notes for the team (500 characters at most)",
                rows="3",
                width="100%",
                id="notes-input",
                aria_label="Notes",
            ),
            rx.hstack(
                rx.text(
                    S.notes_count,
                    size="1",
                    color_scheme=rx.cond(S.notes_too_long, "red", "gray"),
                    id="notes-counter",
                ),
                rx.spacer(),
                rx.button(
                    "Save notes",
                    on_click=S.save_notes,
                    disabled=S.notes_too_long | ~S.notes_dirty,
                    size="2",
                    id="save-notes",
                ),
                width="100%",
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="admin-panel",
    )


def _field(row: rx.Var[FieldRow]) -> rx.Component:
    empty = empty_marker()
    value = rx.cond(
        row.value == "",
        empty,
        rx.cond(
            row.is_time,
            local_time(row.value, "YYYY-MM-DD HH:mm:ss"),
            rx.text(
                row.value, white_space=rx.cond(row.block, "pre-wrap", "normal"), overflow_wrap="anywhere"
            ),
        ),
    )
    return rx.data_list.item(
        rx.data_list.label(row.label, min_width="11rem"),
        rx.data_list.value(value),
        id=f"field-{row.field}",
    )


def _group(group: rx.Var[FieldGroup]) -> rx.Component:
    return rx.card(
        rx.heading(group.name, size="3", padding_bottom="0.5rem", as_="h2"),
        rx.data_list.root(rx.foreach(group.fields, _field), size="2"),
        class_name="field-group",
        id=f"group-{group.name}",
    )


def _fields_tab() -> rx.Component:
    return rx.grid(
        rx.foreach(S.groups, _group), columns=rx.breakpoints(initial="1", lg="2"), gap="1rem", width="100%"
    )


def _entry_actions(row: rx.Var[TimelineRow]) -> rx.Component:
    return rx.cond(
        AuthState.user_is_admin,
        rx.hstack(
            rx.cond(
                row.created,
                rx.tooltip(
                    rx.button("Revert", size="1", variant="soft", disabled=True),
                    content="A creation cannot be reverted",
                ),
                rx.button(
                    rx.icon("undo-2", size=12),
                    "Revert",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=RollbackState.preview_entry(row.id),
                    class_name="revert-entry",
                ),
            ),
            rx.button(
                rx.icon("history", size=12),
                "Restore to here",
                size="1",
                variant="soft",
                on_click=RollbackState.preview_after_entry(row.id),
                class_name="restore-here",
            ),
            spacing="2",
        ),
    )


def _history_tab() -> rx.Component:
    controls = rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="All fields", id="history-field", aria_label="Field"),
            rx.select.content(rx.foreach(S.history_fields, lambda opt: rx.select.item(opt[1], value=opt[0]))),
            value=S.history_field,
            on_change=S.filter_history,
            size="2",
        ),
        rx.hstack(
            rx.switch(checked=S.include_archived, on_change=S.set_include_archived, id="include-archived"),
            # A label tied to the switch (`for`) names it and, clicked, flips it, as the admin panel's do.
            rx.el.label(rx.text("Include archived", size="2", as_="span"), html_for="include-archived"),
            rx.cond(
                S.archived_count > 0, rx.badge(S.archived_count.to_string(), " archived", variant="soft")
            ),
            align="center",
        ),
        rx.spacer(),
        rx.cond(
            AuthState.user_is_admin,
            rx.hstack(
                rx.input(
                    type="datetime-local",
                    id="restore-at",
                    aria_label="Restore the values as of",
                    size="2",
                    step="1",
                ),
                rx.button(
                    "Restore to this time…",
                    size="2",
                    variant="soft",
                    on_click=rx.call_script(_RESTORE_AT_JS, callback=S.restore_at_input),
                    id="restore-at-button",
                ),
                align="center",
            ),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )
    pager = compact_pager(
        S.history_page,
        S.history_pages,
        S.prev_history,
        S.next_history,
        total=S.history_label,
        labels=("Newer", "Older"),
        id_prefix="history",
    )
    return rx.vstack(
        controls,
        timeline(S.history_rows, empty="No history entries match.", actions=_entry_actions),
        pager,
        spacing="3",
        width="100%",
        id="history",
    )


def _task(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("#", row.id)),
        rx.table.cell(row.task_type),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(local_time(row.created_at)),
        rx.table.cell(local_time(row.started_at)),
        rx.table.cell(local_time(row.completed_at)),
        rx.table.cell(row.retries, text_align="right"),
        rx.table.cell(
            rx.text(row.error, size="1", color_scheme="red", overflow_wrap="anywhere"), max_width="24rem"
        ),
        class_name="task-row",
    )


def _tasks_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(S.tasks_active, poll_timer(S.tick, TASK_POLL_MS)),
        rx.hstack(
            rx.text("Queue a task:", size="2"),
            rx.foreach(
                S.task_types,
                lambda task_type: rx.button(
                    rx.icon("plus", size=14),
                    task_type,
                    size="2",
                    variant="soft",
                    on_click=S.enqueue(task_type),
                    id=f"enqueue-{task_type}",
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.task_rows.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(name)
                            for name in (
                                "Task",
                                "Type",
                                "Status",
                                "Created",
                                "Started",
                                "Finished",
                                "Retries",
                                "Error",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.task_rows, _task)),
                size="1",
                variant="surface",
                width="100%",
                id="task-table",
            ),
            rx.callout("No tasks for this video yet.", icon="info", color_scheme="gray", variant="surface"),
        ),
        compact_pager(
            S.tasks_page,
            S.tasks_pages,
            S.prev_tasks,
            S.next_tasks,
            total=S.tasks_label,
            labels=("Newer", "Older"),
            id_prefix="tasks",
        ),
        spacing="3",
        width="100%",
    )


def _found() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.hidden,
            rx.callout(
                "This video is hidden: only admins see it.",
                icon="eye-off",
                color_scheme="red",
                id="hidden-banner",
            ),
        ),
        _summary(),
        rx.cond(AuthState.user_is_admin, _admin_panel()),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Fields", value="fields", id="tab-fields"),
                rx.tabs.trigger("History", value="history", id="tab-history"),
                rx.tabs.trigger("Views", value="views", id="tab-views"),
                rx.tabs.trigger("Tasks", value="tasks", id="tab-tasks"),
            ),
            rx.tabs.content(_fields_tab(), value="fields", padding_top="1rem"),
            rx.tabs.content(_history_tab(), value="history", padding_top="1rem"),
            rx.tabs.content(views_chart(S.views_points), value="views", padding_top="1rem"),
            rx.tabs.content(_tasks_tab(), value="tasks", padding_top="1rem"),
            value=S.tab,
            on_change=S.set_tab,
            width="100%",
        ),
        rollback_dialog(after=S.refresh),
        spacing="4",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.callout(
        rx.text(
            "Video ",
            rx.code(S.current_video_id),
            " was not found: it is not in the catalog, or an admin has hidden it.",
        ),
        icon="search-x",
        color_scheme="amber",
        id="video-not-found",
    )


def video_detail_page() -> rx.Component:
    """One video, everything about it."""
    return page_frame(
        "Video",
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="3rem"),
            rx.cond(S.found, _found(), _not_found()),
        ),
        actions=[
            rx.button(
                rx.icon("arrow-left", size=14),
                "Back",
                variant="soft",
                size="2",
                on_click=rx.call_script(_BACK_JS),
                id="back-to-videos",
            )
        ],
    )
