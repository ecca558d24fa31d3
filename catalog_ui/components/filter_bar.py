"""Above the grid: the search box, the active filters as removable chips, and the live status."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import clipped_text, local_time
from catalog_ui.services.grid_view import SEARCH_MAX_CHARS
from catalog_ui.state.grid_display import ChipView
from catalog_ui.state.videos import POLL_INTERVAL_MS, VideosState

S = VideosState

SEARCH_BOX_ID = "video-search"


def typed_search() -> rx.Var:
    """What the search box holds now, in the browser (null without the box), for an action on the view
    to carry: the box sends what is typed only after a pause (`on_change` is debounced)."""
    return rx.Var(_js_expr=f"(document.getElementById({SEARCH_BOX_ID!r})?.value ?? null)")


def _chip(chip: rx.Var[ChipView]) -> rx.Component:
    # A long value (a pasted title as the search) is cut with an ellipsis, whole in the tooltip; the
    # remove button stays inside the chip.
    return rx.badge(
        clipped_text(chip.label, as_="span", min_width="0"),
        rx.el.button(  # a real button: reachable with Tab, pressed with Enter or Space
            rx.icon("x", size=12),
            on_click=S.remove_chip(chip.key, chip.value),
            aria_label="Remove filter " + chip.label,
            class_name="remove-chip",
            display="inline-flex",
            padding="0",
            border="none",
            background="transparent",
            color="inherit",
            cursor="pointer",
            flex_shrink="0",
        ),
        variant="soft",
        size="2",
        radius="full",
        class_name="filter-chip",
        max_width="24rem",
    )


# "/" focuses the search box (as on YouTube and GitHub) from anywhere on the page but a field being typed
# into: with the filters open, the box is some thirty Tab stops from the top. One listener per window, set
# when the box first mounts; it does nothing on pages without the box.
_SLASH_FOCUSES_SEARCH = rx.vars.FunctionStringVar.create(
    "(() => { if (window.catalogSlashSearch) return; window.catalogSlashSearch = true;"
    " document.addEventListener('keydown', (event) => {"
    " if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;"
    " const here = document.activeElement;"
    " if (here && (here.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(here.tagName))) return;"
    " if (document.querySelector('[role=dialog], [role=alertdialog], [role=menu]')) return;"
    f" const box = document.getElementById({SEARCH_BOX_ID!r}); if (!box) return;"
    " event.preventDefault(); box.focus(); box.select(); }); })"
)


def live_poller() -> rx.Component:
    """An invisible timer that asks the server every few seconds whether the catalog changed."""
    return rx.moment(interval=POLL_INTERVAL_MS, format="x", on_change=S.poll, display="none")


def _facets_toggle() -> rx.Component:
    shown = S.facets_shown != ""
    return rx.tooltip(
        rx.icon_button(
            rx.cond(shown, rx.icon("panel-left-close", size=16), rx.icon("panel-left-open", size=16)),
            on_click=S.toggle_facets,
            variant="soft",
            color_scheme="gray",
            aria_label=rx.cond(shown, "Hide filters", "Show filters"),
            id="toggle-facets",
        ),
        content=rx.cond(shown, "Hide the filters (more room for columns)", "Show the filters"),
    )


def filter_bar() -> rx.Component:
    """Search box, chips and live status."""
    return rx.vstack(
        rx.hstack(
            _facets_toggle(),
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search title, artist, label, channel, or paste ids or YouTube links (video, asset, custom, ISRC, UPC)",
                default_value=S.search,  # uncontrolled: see VideosState.search_key
                key=S.search_key,
                on_change=S.set_search.debounce(350),
                max_length=SEARCH_MAX_CHARS,
                width="100%",
                size="2",
                id=SEARCH_BOX_ID,
                aria_label="Search videos",
                custom_attrs={"aria-keyshortcuts": "/"},
                on_mount=_SLASH_FOCUSES_SEARCH,
            ),
            rx.hstack(
                rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("grass", 9)),
                rx.text("Live · ", size="1", color_scheme="gray"),
                rx.text(local_time(S.refreshed_at, "HH:mm:ss"), size="1", color_scheme="gray"),
                align="center",
                spacing="1",
                white_space="nowrap",
                id="live-status",
                title="The grid refreshes by itself when videos change",
            ),
            live_poller(),
            width="100%",
            align="center",
            spacing="3",
        ),
        rx.cond(
            S.chips.length() > 0,
            rx.hstack(
                rx.foreach(S.chips, _chip),
                rx.button(
                    "Clear all", on_click=S.clear_filters, variant="ghost", size="1", id="clear-filters"
                ),
                wrap="wrap",
                spacing="2",
                align="center",
                id="filter-chips",
            ),
        ),
        width="100%",
        spacing="2",
        padding_bottom="0.5rem",
    )
