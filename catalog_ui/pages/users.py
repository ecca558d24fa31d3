"""Route /users (admins only): accounts, roles, activation, password resets and open sessions."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import list_table, local_time
from catalog_ui.components.forms import (
    alert_buttons,
    dialog_buttons,
    error_callout,
    field_label,
    returns_focus,
)
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import compact_pager, pagination
from catalog_ui.state.auth import AuthState
from catalog_ui.state.users import UsersState

COLUMNS = ["User", "Sign-in", "Role", "Status", "Logins", "Current sign-in", "Previous sign-in", "Actions"]


def _when_where(at: rx.Var[str], ip: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        local_time(at),
        rx.text(ip, size="1", color_scheme="gray"),
        spacing="0",
    )


def _method(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.cond(
        row["auth_method"] == "firebase",
        rx.hstack(
            rx.badge("Firebase", variant="soft", color_scheme="amber"),
            rx.cond(
                row["firebase_linked"] == "No", rx.badge("invited", variant="outline", color_scheme="gray")
            ),
            spacing="1",
        ),
        rx.badge("Password", variant="soft", color_scheme="gray"),
    )


def _actions(row: rx.Var[dict[str, str]]) -> rx.Component:
    user_id = row["id"].to(int)
    is_admin = row["is_admin"] == "Yes"
    active = row["active"] == "Yes"
    return rx.hstack(
        rx.button(
            "Reset password",
            size="1",
            variant="soft",
            on_click=UsersState.open_reset(user_id, row["email"]),
            id=f"reset-{row['id']}",
        ),
        rx.button(
            rx.cond(is_admin, "Remove admin", "Make admin"),
            size="1",
            variant="soft",
            color_scheme=rx.cond(is_admin, "orange", "indigo"),
            on_click=UsersState.ask_set_admin(user_id, ~is_admin),
            id=f"admin-{row['id']}",
        ),
        rx.button(
            rx.cond(active, "Deactivate", "Reactivate"),
            size="1",
            variant="soft",
            color_scheme=rx.cond(active, "red", "green"),
            on_click=UsersState.ask_set_active(user_id, ~active),
            id=f"active-{row['id']}",
        ),
        rx.button(
            "Sessions (",
            row["open_sessions"],
            ")",
            size="1",
            variant="ghost",
            on_click=UsersState.open_sessions(user_id, row["email"]),
            id=f"sessions-{row['id']}",
        ),
        spacing="2",
        wrap="wrap",
    )


def _row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["email"], weight="medium", class_name="user-email"),
                rx.text(row["username"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(_method(row)),
        rx.table.cell(rx.cond(row["is_admin"] == "Yes", rx.badge("admin", variant="soft"), rx.text("user"))),
        rx.table.cell(
            rx.cond(
                row["active"] == "Yes",
                rx.badge("active", color_scheme="green", variant="soft"),
                rx.badge("deactivated", color_scheme="red", variant="soft"),
            ),
            class_name="user-status",
        ),
        rx.table.cell(row["login_count"], text_align="right"),
        rx.table.cell(_when_where(row["current_login_at"], row["current_login_ip"])),
        rx.table.cell(_when_where(row["last_login_at"], row["last_login_ip"])),
        rx.table.cell(_actions(row)),
        class_name="user-row",
        id=f"user-{row['id']}",
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New user"),
            rx.form(
                rx.vstack(
                    field_label("E-mail", "new-email"),
                    rx.input(name="email", id="new-email", type="email", width="100%"),
                    field_label("Username (optional: the e-mail's name)", "new-username"),
                    rx.input(name="username", id="new-username", width="100%"),
                    rx.el.label(
                        rx.text("Sign-in method", size="2", weight="medium", as_="span"),
                        id="new-method-label",
                    ),
                    rx.radio_group(
                        ["password", "firebase"],
                        # A radio group is no labelable element (a <label for> does not name it).
                        custom_attrs={"aria-labelledby": "new-method-label"},
                        value=UsersState.create_method,
                        on_change=UsersState.set_create_method,
                        direction="row",
                        name="method",
                        id="new-method",
                    ),
                    rx.cond(
                        UsersState.create_method == "password",
                        rx.vstack(
                            field_label("Password", "new-password"),
                            rx.input(
                                name="password",
                                id="new-password",
                                type="password",
                                auto_complete="new-password",
                                width="100%",
                            ),
                            width="100%",
                        ),
                        rx.text(
                            "Invited: they sign in with Google or e-mail through Firebase; the first sign-in "
                            "with this verified e-mail links the account.",
                            size="2",
                            color_scheme="gray",
                        ),
                    ),
                    rx.checkbox("Admin", name="admin", id="new-admin"),
                    error_callout(UsersState.create_error, "create-error"),
                    dialog_buttons("Create", "create-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=UsersState.create_user,
                reset_on_submit=False,
            ),
            **returns_focus(),
        ),
        open=UsersState.create_open,
        on_open_change=UsersState.set_create_open,
    )


def _reset_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reset password"),
            rx.dialog.description(
                "New password for ",
                rx.text.strong(UsersState.selected_email),
                ". Their open sessions end.",
            ),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="password",
                        id="reset-password",
                        aria_label="New password",
                        type="password",
                        placeholder="New password",
                        auto_complete="new-password",
                        width="100%",
                    ),
                    rx.input(
                        name="confirm",
                        id="reset-confirm",
                        aria_label="Repeat the new password",
                        type="password",
                        placeholder="Repeat it",
                        auto_complete="new-password",
                        width="100%",
                    ),
                    error_callout(UsersState.reset_error, "reset-error"),
                    dialog_buttons("Set password", "reset-submit"),
                    spacing="3",
                    width="100%",
                    padding_top="0.75rem",
                ),
                on_submit=UsersState.reset_password,
                reset_on_submit=True,
            ),
            **returns_focus(),
        ),
        open=UsersState.reset_open,
        on_open_change=UsersState.set_reset_open,
    )


def _session_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(local_time(row["created_at"])),
        rx.table.cell(local_time(row["last_seen_at"])),
        rx.table.cell(local_time(row["expires_at"])),
        rx.table.cell(row["ip"]),
        rx.table.cell(rx.text(row["user_agent"], size="1", trim="both"), max_width="16rem"),
        rx.table.cell(rx.cond(row["auth_method"] == "firebase", "Firebase", "Password")),
        rx.table.cell(
            rx.button(
                "End",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=UsersState.revoke_session(row["id"].to(int)),
                id=f"revoke-session-{row['id']}",
            )
        ),
        class_name="session-row",
    )


def _sessions_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Open sessions of ", UsersState.selected_email),
            rx.cond(
                UsersState.sessions.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(label)
                                for label in (
                                    "Started",
                                    "Last seen",
                                    "Expires",
                                    "Address",
                                    "Browser",
                                    "Method",
                                    "",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(UsersState.sessions, _session_row)),
                    size="1",
                    width="100%",
                    id="sessions-table",
                ),
                rx.text("No open sessions.", color_scheme="gray", id="no-sessions"),
            ),
            rx.hstack(
                rx.button(
                    "End all sessions",
                    color_scheme="red",
                    variant="soft",
                    on_click=UsersState.revoke_all_sessions,
                    disabled=UsersState.sessions.length() == 0,
                    id="revoke-all-sessions",
                ),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                width="100%",
                padding_top="1rem",
            ),
            max_width="56rem",
            **returns_focus(),
        ),
        open=UsersState.sessions_open,
        on_open_change=UsersState.set_sessions_open,
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(UsersState.confirm_title, id="confirm-user-title"),
            rx.alert_dialog.description(UsersState.confirm_detail, size="2", id="confirm-user-detail"),
            alert_buttons(
                "Cancel",
                rx.button(
                    UsersState.confirm_action,
                    color_scheme=rx.cond(UsersState.confirm_action == "Reactivate", "green", "red"),
                    on_click=UsersState.confirm_change,
                    id="confirm-user-change",
                ),
                cancel_id="confirm-user-cancel",
                padding_top="1rem",
            ),
            **returns_focus(),
        ),
        open=UsersState.confirm_open,
        on_open_change=UsersState.set_confirm_open,
    )


def _change_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(local_time(row["created_at"])),
        rx.table.cell(row["actor"]),
        rx.table.cell(row["action"]),
        rx.table.cell(row["user_email"]),
        rx.table.cell(rx.text(row["detail"], size="1", color_scheme="gray")),
        class_name="account-change-row",
    )


def _changes_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Account changes"),
            rx.dialog.description(
                "Who created accounts, changed their role or status, set passwords or ended sessions.",
                size="2",
            ),
            rx.cond(
                UsersState.changes.length() > 0,
                list_table(
                    ("When", "By", "Change", "Account", "Detail"),
                    UsersState.changes,
                    _change_row,
                    "account-changes-table",
                ),
                rx.text("No account changes yet.", color_scheme="gray", id="no-account-changes"),
            ),
            rx.hstack(
                compact_pager(
                    UsersState.changes_page,
                    UsersState.changes_pages,
                    UsersState.prev_changes,
                    UsersState.next_changes,
                    total=f"{UsersState.changes_total} changes",
                    labels=("Newer", "Older"),
                    id_prefix="account-changes",
                ),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                align="center",
                width="100%",
                padding_top="1rem",
            ),
            max_width="60rem",
            **returns_focus(),
        ),
        open=UsersState.changes_open,
        on_open_change=UsersState.set_changes_open,
    )


def _users_table() -> rx.Component:
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search e-mail or username",
            default_value=UsersState.search,
            on_change=UsersState.search_changed.debounce(300),
            width="22rem",
            id="users-search",
            aria_label="Search users",
        ),
        list_table(COLUMNS, UsersState.rows, _row, "users-table"),
        pagination(
            UsersState.page,
            UsersState.pages,
            UsersState.total_label,
            UsersState.prev_page,
            UsersState.next_page,
        ),
        _create_dialog(),
        _reset_dialog(),
        _sessions_dialog(),
        _changes_dialog(),
        _confirm_dialog(),
        width="100%",
        spacing="3",
    )


def _refused() -> rx.Component:
    return rx.callout(
        "Only admins can manage users.",
        icon="shield-alert",
        color_scheme="red",
        id="users-refused",
    )


def users_page() -> rx.Component:
    """The users list for admins; everyone else sees a refusal (the server refuses their calls anyway)."""
    return page_frame(
        "Users",
        rx.cond(
            AuthState.user_email == "",
            rx.spinner(size="3"),
            rx.cond(AuthState.user_is_admin, _users_table(), _refused()),
        ),
        actions=[
            rx.cond(
                AuthState.user_is_admin,
                rx.hstack(
                    rx.button(
                        rx.icon("history", size=16),
                        "Account changes",
                        variant="soft",
                        on_click=UsersState.open_changes,
                        id="account-changes",
                    ),
                    rx.button(
                        rx.icon("user-plus", size=16),
                        "New user",
                        on_click=UsersState.set_create_open(True),
                        id="new-user",
                    ),
                    spacing="2",
                ),
            )
        ],
    )
