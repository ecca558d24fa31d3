"""State of the video grid: the view in the URL, its visible page, facet counts, selection, live refresh.

The URL query is the view (services/grid_view.py). A control in the grid computes the next view, reads its
page at once and then navigates to its URL; the `load` that the navigation triggers finds the view already
shown and reads nothing. Back/forward and pasted links arrive through `load` with a different view, which
is read then. Stepping to the next or previous page reads by keyset from the shown page's edge rows.

`poll` runs every few seconds while the grid is open: when the change marker moved, the visible page and
the counts are read again with the same anchor, so filters, selection and scroll stay as they are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models import utc_now
from catalog_ui.services.catalog import ChangeMarker, change_marker
from catalog_ui.services.channel_handles import unknown_handles_note
from catalog_ui.services.facets import GridSummary, summarize
from catalog_ui.services.grid_columns import COLUMNS, LAST_SYNCED, clean_columns
from catalog_ui.services.grid_view import (
    CHOICE_FACETS,
    MAX_PAGE,
    PAGE_SIZES,
    VALUE_FACETS,
    GridView,
    VideoFilter,
    clean_text,
    clean_value,
    parse_count,
    parse_view,
)
from catalog_ui.services.paging import page_count
from catalog_ui.services.pasted_ids import PastedIds, pasted_ids
from catalog_ui.services.saved_views import get_preference, save_preference
from catalog_ui.services.video_flags import (
    NOTES_MAX_LENGTH,
    FlagError,
    set_administered,
    set_hidden,
    set_notes,
)
from catalog_ui.services.video_search import Cursor, SearchTerms, fetch_rows, latest_syncs
from catalog_ui.state import grid_display as show
from catalog_ui.state import range_display as ranges
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import admin_only, authenticated, on_timer, principal_of
from catalog_ui.state.url_history import show_url, typing_continues, typing_ended

POLL_INTERVAL_MS = 2_000
DESCENDING_FIRST = ("number", "time", "duration")  # a first click on these sorts biggest/newest first
MAX_SELECTED = 10_000
VIDEO_ID_MAX_CHARS = 20  # video.video_id is String(20): a longer "id" selects nothing, so it is not kept
PASTED_MISSING_SHOWN = 5  # ids not found listed before "Show all"


class VideosState(AuthState):
    """The grid as the page shows it: one page of rows, the counts, the controls' values."""

    rows: list[dict[str, str]] = []
    columns: list[show.ColumnView] = []
    chooser: list[show.ChooserItem] = []
    value_facets: list[show.ValueFacetView] = []
    choice_facets: list[show.ChoiceFacetView] = []
    chips: list[show.ChipView] = []
    expanded_facets: list[str] = []

    search: str = ""
    # The search box is uncontrolled (an echo of what was sent would overwrite what was typed since): a new
    # key remounts it with `search` when the search changes from elsewhere (a chip, back, a saved view).
    search_key: int = 0
    # A pasted list of ids: "37 of 40 ids found" ('' for no list) and the ids that found nothing, as pasted.
    pasted_label: str = ""
    pasted_missing: list[str] = []
    pasted_all_shown: bool = False
    # "No channel has the handle @name." when the search names a handle no channel has ('' otherwise).
    handle_note: str = ""
    hidden_scope: str = "exclude"
    hidden_label: str = ""
    published_from: str = ""
    published_to: str = ""
    views_min: str = ""
    views_max: str = ""
    published_buckets: list[ranges.RangeBucketView] = []
    views_buckets: list[ranges.RangeBucketView] = []

    sort: str = "time_published"
    descending: bool = True
    page: int = 1
    per_page: str = str(PAGE_SIZES[0])
    total_label: str = ""
    page_label: str = ""
    has_prev: bool = False
    has_next: bool = False
    last_page: int = 0  # 0 when the total is an estimate
    counts_estimated: bool = False
    view_query: str = ""
    refreshed_at: str = ""

    selected: list[str] = []
    all_matching: bool = False
    total_count: int = 0

    # "1" while the filter panel is shown; kept in the browser, so a laptop's narrow screen can give the
    # grid the panel's width for good.
    facets_shown: str = rx.LocalStorage("1", name="catalog_grid_facets", sync=True)

    notes_open: bool = False
    notes_video_id: str = ""
    notes_text: str = ""

    _view: GridView | None = None
    _marker: ChangeMarker | None = None
    _anchor: tuple[str, Any] = ("offset", 0)
    _typing: str = ""  # "search" while a search is being typed (`url_history.typing_continues`)
    _typed_at: float = 0.0
    _first: Cursor | None = None
    _last: Cursor | None = None
    _summary_key: tuple[Any, ...] | None = None
    _summary: GridSummary | None = None
    _pasted: PastedIds | None = None
    _prefs: tuple[tuple[str, ...], int] | None = None
    _prefs_user: int | None = None

    # -- computed ------------------------------------------------------------------------------------

    @rx.var
    def grid_row_count(self) -> int:
        """The grid's rows in the whole result, as `aria-rowcount` says them: the matching videos and the
        header row; -1 (unknown, as WAI-ARIA has it) while the total is an estimate."""
        return self.total_count + 1 if self.last_page else -1

    @rx.var
    def grid_row_offset(self) -> int:
        """The videos of the pages before this one: a row's `aria-rowindex` is its place in the whole result
        (the header row is the first)."""
        return (self.page - 1) * int(self.per_page or PAGE_SIZES[0])

    @rx.var
    def selected_count(self) -> int:
        """How many videos the bulk actions would act on."""
        return self.total_count if self.all_matching else len(self.selected)

    @rx.var
    def selection_label(self) -> str:
        """'3 selected' or 'All 1,204 matching videos selected'."""
        if self.all_matching:
            about = "about " if self.counts_estimated else ""
            return f"All {about}{self.total_count:,} matching videos selected"
        return f"{len(self.selected):,} selected"

    @rx.var
    def page_selected(self) -> bool:
        """Every row of the visible page is selected."""
        ids = {row["video_id"] for row in self.rows}
        return bool(ids) and (self.all_matching or ids <= set(self.selected))

    @rx.var
    def pasted_missing_shown(self) -> list[str]:
        """The ids not found that the callout lists: the first few, or all of them once asked."""
        return self.pasted_missing if self.pasted_all_shown else self.pasted_missing[:PASTED_MISSING_SHOWN]

    @rx.var
    def pasted_missing_text(self) -> str:
        """The ids not found, one a line, for the clipboard or a spreadsheet."""
        return "\n".join(self.pasted_missing)

    @rx.var
    def notes_count(self) -> str:
        """'123 / 500' under the notes editor."""
        return f"{len(self.notes_text)} / {NOTES_MAX_LENGTH}"

    @rx.var
    def notes_too_long(self) -> bool:
        """The notes being edited are over the limit."""
        return len(self.notes_text.strip()) > NOTES_MAX_LENGTH

    # -- reading a view ------------------------------------------------------------------------------

    def _viewer(self) -> tuple[int, bool]:
        principal = principal_of(self)
        return principal.user_id, principal.is_admin

    def _preferences(self) -> tuple[tuple[str, ...], int] | None:
        user_id, _ = self._viewer()
        if self._prefs_user != user_id:
            with session_scope() as session:
                self._prefs = get_preference(session, user_id)
            self._prefs_user = user_id
        return self._prefs

    def _parse_url(self) -> tuple[GridView, list[str]]:
        prefs = self._preferences()
        if prefs is None:
            return parse_view(self.router.url.query)
        return parse_view(self.router.url.query, default_columns=prefs[0], default_per_page=prefs[1])

    def _anchor_for(self, view: GridView) -> tuple[str, Any]:
        shown = self._view
        same_listing = shown is not None and (
            (shown.filter, shown.sort, shown.descending, shown.per_page)
            == (view.filter, view.sort, view.descending, view.per_page)
        )
        if view.page > 1 and same_listing and shown is not None:
            if view.page == shown.page + 1 and self._last is not None:
                return ("after", self._last)
            if view.page == shown.page - 1 and self._first is not None:
                return ("before", self._first)
            if view.page == shown.page:
                return self._anchor
        return ("offset", (view.page - 1) * view.per_page)

    def _read(self, view: GridView, anchor: tuple[str, Any], *, recount: bool) -> None:
        """Read the page at `anchor` (and the counts when `recount` or the filter changed), then show it."""
        _, is_admin = self._viewer()
        view = replace(view, filter=view.filter.for_viewer(is_admin))
        summary_key = (view.filter, is_admin)
        with session_scope() as session:
            if self._marker is None:
                self._marker, _ = change_marker(session)
            kind, value = anchor
            rows_page = fetch_rows(
                session,
                view,
                offset=value if kind == "offset" else None,
                after=value if kind == "after" else None,
                before=value if kind == "before" else None,
            )
            if kind != "offset" and not rows_page.rows:  # the edge row's neighbours are gone: count instead
                kind, anchor = "offset", ("offset", (view.page - 1) * view.per_page)
                rows_page = fetch_rows(session, view, offset=anchor[1])
            if recount or summary_key != self._summary_key or self._summary is None:
                self._summary = summarize(session, view.filter, can_see_hidden=is_admin)
                self._summary_key = summary_key
                self._pasted = pasted_ids(session, view.filter.q, can_see_hidden=is_admin)
                handles = SearchTerms.parse(view.filter.q).handles
                self.handle_note = unknown_handles_note(session, handles)
            last_page = page_count(self._summary.total.value, view.per_page)
            if not rows_page.rows and 1 <= last_page < view.page:
                # Past the end (the last page's videos were just hidden or marked out of the filter, or an
                # old link): show the last page, not "No videos match this view" under "50 videos".
                view = replace(view, page=last_page)
                kind, anchor = "offset", ("offset", (last_page - 1) * view.per_page)
                rows_page = fetch_rows(session, view, offset=anchor[1])
            syncs = (
                latest_syncs(session, [row["video_id"] for row in rows_page.rows])
                if LAST_SYNCED in view.columns
                else {}
            )
        self._anchor = anchor
        self._first, self._last = rows_page.first, rows_page.last
        filter_changed = self._view is None or self._view.filter != view.filter
        self._view = view
        if filter_changed:
            self.selected, self.all_matching = [], False
        self.rows = [show.display_row(row, view.columns, syncs) for row in rows_page.rows]
        missing = list(self._pasted.missing) if self._pasted else []
        if missing != self.pasted_missing:
            self.pasted_all_shown = False
        self.pasted_label, self.pasted_missing = show.pasted_ids_label(self._pasted), missing
        self._show_view(view, self._summary, has_more=rows_page.has_more, read_backwards=kind == "before")
        self.refreshed_at = utc_now().isoformat()

    def _show_view(
        self, view: GridView, summary: GridSummary, *, has_more: bool, read_backwards: bool
    ) -> None:
        flt = view.filter
        self.view_query = view.to_query()
        self.columns = show.column_views(view.columns)
        self.chooser = show.chooser_items(view.columns)
        self.value_facets = show.value_facets(summary, flt, self.expanded_facets)
        self.choice_facets = show.choice_facets(summary, flt)
        self.chips = show.chips(view)
        self.hidden_scope = flt.hidden
        self.hidden_label = show.hidden_counts(summary)
        if clean_text(self.search) != flt.q:  # keep what is typed (a trailing space) when it means the same
            self.search = flt.q
            self.search_key += 1
        self.published_from = flt.published_from.isoformat() if flt.published_from else ""
        self.published_to = flt.published_to.isoformat() if flt.published_to else ""
        self.views_min = "" if flt.views_min is None else str(flt.views_min)
        self.views_max = "" if flt.views_max is None else str(flt.views_max)
        self.published_buckets = ranges.published_buckets(summary, flt)
        self.views_buckets = ranges.views_buckets(summary, flt)
        self.sort, self.descending = view.sort, view.descending
        self.page, self.per_page = view.page, str(view.per_page)
        total = summary.total
        self.total_count = total.value
        self.total_label = show.total_label(total)
        self.counts_estimated = not summary.exact
        pages = page_count(total.value, view.per_page)
        self.last_page = pages if total.exact else 0
        self.page_label = f"Page {view.page:,} of {'' if total.exact else 'about '}{pages:,}"
        self.has_prev = view.page > 1
        self.has_next = True if read_backwards else has_more

    def _go(self, view: GridView, *, same_entry: bool = False, to_top: bool = False) -> rx.event.EventSpec:
        """Show `view` now and put it in the URL: a new history entry, so back returns here, or with
        `same_entry` the current one's URL; `to_top` scrolls the grid to the first row (a new page of
        rows is read from its first row). See `state/url_history.py`.
        """
        self._typing = ""
        self._read(view, self._anchor_for(view), recount=False)
        return show_url(view.url(), same_entry=same_entry, to_top=to_top)

    def _refresh(self) -> None:
        """Read the shown page and counts again, as they are now."""
        if self._view is not None:
            self._read(self._view, self._anchor, recount=True)

    @property
    def _current(self) -> GridView:
        return self._view if self._view is not None else GridView()

    def _with_filter(self, flt: VideoFilter, *, same_entry: bool = False) -> rx.event.EventSpec:
        return self._go(replace(self._current, filter=flt, page=1), same_entry=same_entry)

    # -- page lifecycle --------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def load(self) -> Any:
        """on_load: show the view the URL names (nothing to read when it is already shown)."""
        self._typing = ""
        view, problems = self._parse_url()
        _, is_admin = self._viewer()
        if self._view is None or replace(view, filter=view.filter.for_viewer(is_admin)) != self._view:
            self._read(view, self._anchor_for(view), recount=self._view is None)
        if problems:
            return rx.toast.warning(" ".join(problems[:3]), id="grid-url-problems")
        return None

    @rx.event
    @on_timer
    def poll(self, _tick: str = "") -> None:
        """Every few seconds: read the page again when the catalog changed since the last look."""
        if self._view is None:
            return
        with session_scope() as session:
            self._marker, moved = change_marker(session, self._marker)
        if moved:
            self._refresh()

    # -- search, facets, ranges --------------------------------------------------------------------------

    @rx.event
    @authenticated
    def set_search(self, value: str) -> Any:
        """Search as the user types (debounced by the page); one history entry for the whole typing."""
        return self._apply_search(value)

    def _apply_search(self, value: str) -> rx.event.EventSpec | None:
        """Show the view searching `value` (what the search box holds), unless it is the one shown; the
        URL event to return, or None. Also used by actions on the view (Export) that carry the box's value:
        the page sends a typed search only after a pause, and the action is for what the user typed."""
        self.search = value
        text = clean_text(value)
        if text == self._current.filter.q:
            return None
        same_entry = typing_continues("search", self._typing, self._typed_at)
        shown = self._with_filter(replace(self._current.filter, q=text), same_entry=same_entry)
        self._typing, self._typed_at = typing_ended("search", text)
        return shown

    @rx.event
    @authenticated
    def toggle_value(self, facet: str, value: str) -> Any:
        """Select or unselect one value of a value facet."""
        if facet not in VALUE_FACETS or not isinstance(value, str):
            return None
        value = clean_value(value)  # as a value from the URL is: no NUL, which PostgreSQL refuses; bounded
        flt = self._current.filter
        selected = list(flt.selected(facet))
        selected = [v for v in selected if v != value] if value in selected else [*selected, value]
        return self._with_filter(flt.with_values(facet, tuple(selected)))

    @rx.event
    @authenticated
    def set_choice(self, facet: str, value: str | list[str]) -> Any:
        """Set a yes/no facet to 'yes', 'no' or 'any'."""
        if facet not in CHOICE_FACETS or not isinstance(value, str):
            return None
        choice = {"yes": True, "no": False}.get(value)
        return self._with_filter(self._current.filter.with_choice(facet, choice))

    @rx.event
    @admin_only
    def set_hidden_scope(self, scope: str | list[str]) -> Any:
        """Admins: leave hidden videos out, include them, or show only them."""
        if not isinstance(scope, str) or scope not in ("exclude", "include", "only"):
            return None
        return self._with_filter(replace(self._current.filter, hidden=scope))

    @rx.event
    @authenticated
    def set_published(self, form: dict[str, Any]) -> Any:
        """Apply the published-between dates (either may be empty)."""
        low, high = _date(form.get("published_from")), _date(form.get("published_to"))
        if low and high and low > high:
            low, high = high, low
        return self._with_filter(replace(self._current.filter, published_from=low, published_to=high))

    @rx.event
    @authenticated
    def set_views(self, form: dict[str, Any]) -> Any:
        """Apply the views-between range (either bound may be empty)."""
        low, high = parse_count(form.get("views_min")), parse_count(form.get("views_max"))
        if low is not None and high is not None and low > high:
            low, high = high, low
        return self._with_filter(replace(self._current.filter, views_min=low, views_max=high))

    @rx.event
    @authenticated
    def pick_range(self, facet: str, low: str, high: str) -> Any:
        """Set range `facet` (published or views) to one of its buckets; the bucket already set clears it."""
        flt = self._current.filter
        if facet == "published":
            bounds = {"published_from": _date(low), "published_to": _date(high)}
        elif facet == "views":
            bounds = {"views_min": parse_count(low), "views_max": parse_count(high)}
        else:
            return None
        if all(getattr(flt, name) == value for name, value in bounds.items()):
            bounds = dict.fromkeys(bounds)
        return self._with_filter(replace(flt, **bounds))

    @rx.event
    @authenticated
    def remove_chip(self, key: str, value: str) -> Any:
        """Remove one active filter."""
        flt = self._current.filter
        if key == "q":
            flt = replace(flt, q="")
        elif key == "channel_id":
            flt = replace(flt, channel_ids=tuple(v for v in flt.channel_ids if v != value))
        elif key in VALUE_FACETS:
            flt = flt.with_values(key, tuple(v for v in flt.selected(key) if v != value))
        elif key in CHOICE_FACETS:
            flt = flt.with_choice(key, None)
        elif key == "hidden":
            flt = replace(flt, hidden="exclude")
        elif key == "published":
            flt = replace(flt, published_from=None, published_to=None)
        elif key == "views":
            flt = replace(flt, views_min=None, views_max=None)
        return self._with_filter(flt)

    @rx.event
    @authenticated
    def clear_filters(self) -> Any:
        """Remove every filter (keeps sort, page size and columns)."""
        return self._with_filter(VideoFilter())

    @rx.event
    @authenticated
    def toggle_facet_expanded(self, facet: str) -> None:
        """Show all options of a value facet, or only the most frequent again."""
        if facet in self.expanded_facets:
            self.expanded_facets = [f for f in self.expanded_facets if f != facet]
        elif facet in VALUE_FACETS:
            self.expanded_facets = [*self.expanded_facets, facet]
        if self._summary is not None and self._view is not None:
            self.value_facets = show.value_facets(self._summary, self._view.filter, self.expanded_facets)

    # -- sort, pages, columns ----------------------------------------------------------------------------

    @rx.event
    @authenticated
    def sort_by(self, key: str) -> Any:
        """Sort by a column; the same column again flips the direction."""
        column = COLUMNS.get(key)
        if column is None or not column.sortable:
            return None
        current = self._current
        descending = not current.descending if current.sort == key else column.kind in DESCENDING_FIRST
        return self._go(replace(current, sort=key, descending=descending, page=1))

    @rx.event
    @authenticated
    def jump_to_page(self, form: dict[str, Any]) -> Any:
        """Go to the page number typed (bounded by the last page when it is known)."""
        number = parse_count(form.get("page"))
        if number is None:
            return rx.toast.error("Type a page number.")
        target = max(1, min(number, MAX_PAGE))
        if self.last_page:
            target = min(target, self.last_page)
        if target == self._current.page:
            return None
        return self._go(replace(self._current, page=target), to_top=True)

    @rx.event
    @authenticated
    def next_page(self) -> Any:
        """One page forward."""
        if not self.has_next:
            return None
        return self._go(replace(self._current, page=self._current.page + 1), to_top=True)

    @rx.event
    @authenticated
    def prev_page(self) -> Any:
        """One page back."""
        if self._current.page <= 1:
            return None
        return self._go(replace(self._current, page=self._current.page - 1), to_top=True)

    @rx.event
    @authenticated
    def set_per_page(self, value: str) -> Any:
        """Show 50, 100 or 200 rows (remembered for this user)."""
        size = int(value) if value.isdigit() and int(value) in PAGE_SIZES else PAGE_SIZES[0]
        view = replace(self._current, per_page=size, page=1)
        self._remember(view)
        return self._go(view)

    @rx.event
    @authenticated
    def toggle_column(self, key: str, shown: bool) -> Any:
        """Show or hide a column (remembered for this user); the video id always stays."""
        if key not in COLUMNS or key == "video_id":
            return None
        current = set(self._current.columns)
        columns = clean_columns(tuple(current | {key}) if shown else tuple(current - {key}))
        view = replace(self._current, columns=columns)
        self._remember(view)
        return self._go(view)

    @rx.event
    @authenticated
    def reset_columns(self) -> Any:
        """Back to the default columns."""
        view = replace(self._current, columns=clean_columns(GridView().columns))
        self._remember(view)
        return self._go(view)

    def _remember(self, view: GridView) -> None:
        user_id, _ = self._viewer()
        with session_scope() as session:
            save_preference(session, user_id, view.columns, view.per_page)
        self._prefs, self._prefs_user = (view.columns, view.per_page), user_id

    # -- selection -----------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def toggle_row(self, video_id: str, checked: bool) -> None:
        """Select or unselect one row. The id comes from the browser: one no video can have is ignored (kept,
        ten thousand ids of any length would swell the tab's state, stored and sent with every event)."""
        if not isinstance(video_id, str) or not 0 < len(video_id) <= VIDEO_ID_MAX_CHARS:
            return
        if self.all_matching:
            self.all_matching = False
            self.selected = [row["video_id"] for row in self.rows]
        if checked and video_id not in self.selected and len(self.selected) < MAX_SELECTED:
            self.selected = [*self.selected, video_id]
        elif not checked:
            self.selected = [v for v in self.selected if v != video_id]

    @rx.event
    @authenticated
    def toggle_page(self, checked: bool) -> None:
        """Select or unselect every row of the page."""
        ids = [row["video_id"] for row in self.rows]
        self.all_matching = False
        if checked:
            self.selected = list(dict.fromkeys([*self.selected, *ids]))[:MAX_SELECTED]
        else:
            drop = set(ids)
            self.selected = [v for v in self.selected if v not in drop]

    @rx.event
    @authenticated
    def select_all_matching(self) -> None:
        """Select every video matching the filter, on every page."""
        self.all_matching = True

    @rx.event
    @authenticated
    def clear_selection(self) -> None:
        """Unselect everything."""
        self.selected, self.all_matching = [], False

    # -- admin edits of one row ----------------------------------------------------------------------------

    def _edit(self, done: str, edit: Any) -> tuple[bool, Any]:
        user_id, _ = self._viewer()
        try:
            with session_scope() as session:
                changes = edit(session, user_id)
        except FlagError as exc:
            return False, rx.toast.error(str(exc))
        self._refresh()
        return True, rx.toast.success(done if changes else "Nothing to change.")

    @rx.event
    @admin_only
    def set_row_hidden(self, video_id: str, hidden: bool) -> Any:
        """Hide or unhide one video."""
        return self._edit(
            f"{'Hid' if hidden else 'Unhid'} {video_id}.",
            lambda session, user: set_hidden(session, video_id, bool(hidden), user_id=user),
        )[1]

    @rx.event
    @admin_only
    def set_row_administered(self, video_id: str, administered: bool) -> Any:
        """Mark one video administered (stamping the time) or unmark it."""
        return self._edit(
            f"{'Marked' if administered else 'Unmarked'} {video_id} administered.",
            lambda session, user: set_administered(session, video_id, bool(administered), user_id=user),
        )[1]

    @rx.event
    @authenticated
    def toggle_pasted_missing(self) -> None:
        """List every id of the pasted list that found nothing, or only the first few again."""
        self.pasted_all_shown = not self.pasted_all_shown

    @rx.event
    @authenticated
    def toggle_facets(self) -> None:
        """Hide or show the filter panel beside the grid."""
        self.facets_shown = "" if self.facets_shown else "1"

    @rx.event
    @admin_only
    def open_notes(self, video_id: str, notes: str) -> None:
        """Open the notes editor of one video."""
        self.notes_video_id, self.notes_text, self.notes_open = video_id, notes or "", True

    @rx.event
    @authenticated
    def set_notes_text(self, value: str) -> None:
        """The notes being typed (the counter follows)."""
        self.notes_text = (value or "")[: NOTES_MAX_LENGTH * 2]

    @rx.event
    @authenticated
    def close_notes(self) -> None:
        """Close the notes editor without saving."""
        self.notes_open = False

    @rx.event
    @authenticated
    def set_notes_open(self, value: bool) -> None:
        """The notes dialog opened or closed (Escape, a click outside)."""
        self.notes_open = bool(value) and self.notes_video_id != ""

    @rx.event
    @admin_only
    def save_notes(self) -> Any:
        """Save the notes being edited."""
        video_id, text = self.notes_video_id, self.notes_text
        saved, toast = self._edit(
            f"Saved the notes of {video_id}.",
            lambda session, user: set_notes(session, video_id, text, user_id=user),
        )
        if saved:
            self.notes_open = False
        return toast


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10]) if value else None
    except ValueError:
        return None
