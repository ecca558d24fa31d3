"""Saved views: a menu to reopen one, and a dialog to name the current view (admins may share it)."""

from __future__ import annotations

import reflex as rx

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
            rx.icon_button(
                rx.icon("trash-2", size=14),
                on_click=S.delete_saved(view.id),
                variant="ghost",
                size="1",
                color_scheme="gray",
                aria_label="Delete the view " + view.name,
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
                    on_click=S.load_saved_views,
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
                    rx.hstack(
                        rx.button("Cancel", on_click=S.close_save, variant="soft", color_scheme="gray"),
                        rx.button("Save", on_click=S.save_current, id="save-view"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="0.75rem",
                ),
            ),
            open=S.save_open,
            on_open_change=S.set_save_open,
        ),
    )
