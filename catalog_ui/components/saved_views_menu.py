"""Saved views: a menu to reopen one, a dialog to name the current view (admins may share it; an existing
name is replaced only on a second, explicit click), and a confirmation before deleting one."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.forms import alert_buttons, returns_focus
from catalog_ui.state.saved_views import SavedViewRow, SavedViewsState

S = SavedViewsState


def _entry(view: rx.Var[SavedViewRow]) -> rx.Component:
    return rx.hstack(
        rx.popover.close(  # the menu closes on the view it opens
            rx.button(
                view.name,
                rx.cond(view.shared, rx.badge("shared", size="1", variant="soft")),
                on_click=S.open_saved(view.id),
                variant="ghost",
                size="2",
                flex="1",
                justify="start",
                class_name="saved-view",
                custom_attrs={"data-name": view.name},
            ),
        ),
        rx.cond(
            view.mine | (S.user_is_admin & view.shared),
            rx.popover.close(  # the menu closes; the confirmation names the view
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    on_click=S.ask_delete(view.id),
                    variant="ghost",
                    size="1",
                    color_scheme="gray",
                    aria_label="Delete the view " + view.name,
                    class_name="delete-saved-view",
                    custom_attrs={"data-name": view.name},
                ),
            ),
        ),
        width="100%",
        align="center",
    )


def saved_views_menu() -> rx.Component:
    """The saved views popover and the save dialog."""
    return rx.fragment(
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("bookmark", size=16),
                    "Views",
                    variant="soft",
                    id="views-button",
                )
            ),
            rx.popover.content(
                rx.vstack(
                    rx.foreach(S.saved_views, _entry),
                    rx.cond(
                        S.saved_views.length() == 0,
                        rx.text("No saved views yet.", size="2", color_scheme="gray"),
                    ),
                    rx.separator(),
                    rx.popover.close(
                        rx.button(
                            rx.icon("plus", size=14),
                            "Save current view…",
                            on_click=S.open_save,
                            variant="soft",
                            size="1",
                            id="save-view-open",
                        ),
                    ),
                    spacing="2",
                    min_width="16rem",
                ),
            ),
            # Loaded as it opens, not by the button's own on_click: a trigger's child with an on_click is
            # wrapped in a div (Reflex), which then carries the trigger's button semantics instead of it.
            on_open_change=S.load_saved_views,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Save this view"),
                rx.dialog.description("Filters, sort and columns, under a name you can reopen.", size="2"),
                rx.vstack(
                    rx.input(
                        value=S.view_name,
                        on_change=S.set_view_name,
                        placeholder="Name",
                        max_length=100,
                        width="100%",
                        id="save-view-name",
                        aria_label="Name of the view",
                    ),
                    rx.cond(
                        S.user_is_admin,
                        rx.checkbox(
                            "Share with everybody",
                            checked=S.share,
                            on_change=S.set_share,
                            id="save-view-share",
                        ),
                    ),
                    rx.cond(
                        S.replacing,
                        rx.callout(
                            S.replace_detail,
                            icon="triangle-alert",
                            color_scheme="amber",
                            size="1",
                            width="100%",
                            id="save-view-exists",
                        ),
                    ),
                    rx.hstack(
                        rx.button("Cancel", on_click=S.close_save, variant="soft", color_scheme="gray"),
                        rx.button(
                            rx.cond(S.replacing, "Replace view “" + S.replace_name + "”", "Save"),
                            on_click=S.save_current,
                            color_scheme=rx.cond(S.replacing, "amber", "accent"),
                            id="save-view",
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="0.75rem",
                ),
                **returns_focus(fallback_id="views-button"),
            ),
            open=S.save_open,
            on_open_change=S.set_save_open,
        ),
        _delete_confirmation(),
    )


def _delete_confirmation() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.delete_title, id="delete-view-title"),
            rx.alert_dialog.description(S.delete_detail, size="2", id="delete-view-detail"),
            alert_buttons(
                "Cancel",
                rx.button("Delete view", color_scheme="red", on_click=S.confirm_delete, id="delete-view"),
                on_cancel=S.cancel_delete,
                cancel_id="delete-view-cancel",
                padding_top="0.75rem",
            ),
            **returns_focus(fallback_id="views-button"),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )
