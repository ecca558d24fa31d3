"""Route /videos: the video grid — search, facets, sort, pages, columns, saved views, bulk actions, export."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.bulk_actions import confirm_dialog, export_button, job_progress, selection_bar
from catalog_ui.components.column_chooser import column_chooser
from catalog_ui.components.data_grid import data_grid
from catalog_ui.components.facet_panel import facet_panel
from catalog_ui.components.filter_bar import filter_bar
from catalog_ui.components.grid_pager import grid_pager
from catalog_ui.components.layout import page_frame
from catalog_ui.components.notes_dialog import notes_dialog
from catalog_ui.components.pasted_ids import pasted_ids_callout
from catalog_ui.components.saved_views_menu import saved_views_menu
from catalog_ui.components.search_note import search_note
from catalog_ui.state.videos import VideosState


def videos_page() -> rx.Component:
    """The grid of videos, one page at a time, with its filter panel.

    The page fills the window and the grid scrolls inside it, both ways, under its sticky header: on a
    laptop the columns are wider than the room beside the filters, and the grid's horizontal scrollbar and
    the pager stay in view instead of sitting below fifty rows.
    """
    return page_frame(
        "Videos",
        rx.hstack(
            rx.cond(VideosState.facets_shown != "", facet_panel()),
            rx.vstack(
                filter_bar(),
                search_note(VideosState.handle_note, "handle-note"),
                pasted_ids_callout(),
                selection_bar(),
                job_progress(),
                data_grid(),
                grid_pager(),
                width="100%",
                height="100%",
                min_width="0",
                min_height="0",
                spacing="0",
            ),
            align="stretch",
            spacing="4",
            width="100%",
            flex="1",
            min_height="0",
        ),
        confirm_dialog(),
        notes_dialog(),
        actions=[saved_views_menu(), column_chooser(), export_button()],
        fill_window=True,
    )
