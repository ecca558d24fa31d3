"""State of /audit: one page of change sets (filtered), and the open change set's fields and entries.

The filters, the page and the open change set are kept in the URL (`services/list_views.py`): each change
pushes a history entry, and `load` reads the URL again; `/audit?change_set=12` opens that change set
directly (the video timeline links there). Dates of the
period filter are the browser's local days, turned into UTC bounds with the browser's time zone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.audit import CHANGE_SET_KINDS
from catalog_ui.services import change_sets
from catalog_ui.services.change_sets import ChangeSetError
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.list_views import ANY, AuditView, parse_audit_view
from catalog_ui.services.query_params import parse_day
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_value
from catalog_ui.state.guards import authenticated, principal_of
from catalog_ui.state.history_display import TimelineRow, timeline_row
from catalog_ui.state.paging import PagedListMixin
from catalog_ui.state.url_history import settle_url, show_url, typing_continues, typing_ended

PAGE_SIZE = 50
ENTRIES_PAGE_SIZE = 20


@dataclasses.dataclass
class ChangeSetRow:
    """One line of the change set list."""

    id: int = 0
    kind: str = ""
    label: str = ""
    user: str = ""
    reason: str = ""
    created_at: str = ""
    videos: str = ""
    reverts: int = 0
    reverted_by: int = 0


@dataclasses.dataclass
class FieldCount:
    """How many videos of the open change set a field changed on."""

    label: str = ""
    videos: str = ""


def _row(row: dict) -> ChangeSetRow:
    return ChangeSetRow(
        id=row["id"],
        kind=row["kind"],
        label=row["label"] or "",
        user=_who(row),
        reason=row["reason"] or "",
        created_at=display_value(row["created_at"]),
        videos=f"{row['video_count']:,}",
        reverts=row["reverts_change_set_id"] or 0,
        reverted_by=row["reverted_by"] or 0,
    )


def _who(row: dict) -> str:
    """Who made a change set: its user, or who queued its task; '' for the system (a report)."""
    if row["user_name"]:
        return row["user_name"]
    if row["user_id"] is not None:
        return "deleted user"
    return f"queued by {row['requested_by']}" if row.get("requested_by") else ""


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _day_start(value: str, zone: tzinfo) -> datetime | None:
    """Midnight of the local day `value` (YYYY-MM-DD) in `zone`, or None when blank."""
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), zone)
    except ValueError as exc:
        raise ChangeSetError(f"'{value[:20]}' is not a date.") from exc


def _day_after(day_start: datetime | None) -> datetime | None:
    """The start of the next day, the end of a period that includes `day_start`'s day; None (no end) for
    None or the last day there is (9999-12-31)."""
    if day_start is None or day_start.date() == date.max:
        return None
    return day_start + timedelta(days=1)


class AuditState(PagedListMixin, AuthState):
    """The change set list and the open change set."""

    rows: list[ChangeSetRow] = []
    total: int = 0
    total_capped: bool = False
    kind: str = ANY
    user_filter: str = ANY
    since: str = ""
    until: str = ""
    users: list[list[str]] = []
    kinds: list[str] = [ANY, *CHANGE_SET_KINDS]
    timezone: str = ""
    error: str = ""  # why the list could not be read (a bad period)
    detail_error: str = (
        ""  # why the change set asked for cannot be shown; gone once one is, or a filter moves
    )
    # The date boxes are uncontrolled (an echo of what was sent would overwrite what was typed since): a new
    # key remounts them with the period when it changes from elsewhere (a link, back, "Clear").
    dates_key: int = 0
    _typing: str = ""  # the date box being typed into (`url_history.typing_continues`)
    _typed_at: float = 0.0

    selected: ChangeSetRow = ChangeSetRow()
    detail_open: bool = False
    detail_fields: list[FieldCount] = []
    entries: list[TimelineRow] = []
    entries_page: int = 1
    entries_pages: int = 1
    entries_total: int = 0

    @rx.var
    def total_label(self) -> str:
        """'1,234 change sets' or '10,000+ change sets'."""
        return f"{self.total:,}{'+' if self.total_capped else ''} change set{'' if self.total == 1 else 's'}"

    @rx.var
    def entries_label(self) -> str:
        """'1,204 videos'."""
        return f"{self.entries_total:,} video{'' if self.entries_total == 1 else 's'}"

    # -- the view in the URL ----------------------------------------------------------------------------

    def _view(self) -> AuditView:
        return AuditView(
            kind=self.kind,
            user=self.user_filter,
            since=self.since,
            until=self.until,
            page=self.page,
            change_set=self.selected.id if self.detail_open else None,
            entries_page=self.entries_page if self.detail_open else 1,
        )

    def _apply(self, view: AuditView, *, typed: str = "") -> None:
        """Make `view` the list's filters and page and read them (the open change set is the caller's). A
        date box remounts with its new value (`dates_key`) unless it is the one being typed into (`typed`)."""
        if (view.since, view.until) != (self.since, self.until) and typed not in ("since", "until"):
            self.dates_key += 1
        self.kind, self.user_filter, self.since, self.until = view.kind, view.user, view.since, view.until
        self.page, self.detail_error = view.page, ""
        self._fetch()

    def _go(self, view: AuditView, *, typed: str = "") -> rx.event.EventSpec:
        """Show the list of `view` and put `view` in the URL: a new history entry, or the same one while
        `typed` (a date box's name) is typed into."""
        value = {"since": view.since, "until": view.until}.get(typed, "")
        same_entry = typing_continues(typed, self._typing, self._typed_at)
        self._apply(view, typed=typed)
        self._typing, self._typed_at = typing_ended(typed, value)
        return show_url(self._view().url(), same_entry=same_entry)

    def _filtered(self, **changes: Any) -> rx.event.EventSpec:
        return self._go(dataclasses.replace(self._view(), page=1, **changes))

    def _paged(self) -> rx.event.EventSpec:
        """The view shown in the URL as a new history entry (a page, the open change set); ends a typing run."""
        self._typing = ""
        return show_url(self._view().url())

    @rx.event
    @authenticated
    def load(self) -> Iterator[Any]:
        """on_load (also back/forward): the list and the change set the URL names; the browser's zone once."""
        view, problems = parse_audit_view(self.router.url.query)
        with session_scope() as session:
            self.users = [
                [ANY, "Anybody"],
                *([str(uid), name] for uid, name in change_sets.user_choices(session)),
            ]
        if view.user != ANY and view.user not in {uid for uid, _ in self.users}:
            problems.append(f"Ignored user={view.user} in the address: nobody by that id made changes.")
            view = dataclasses.replace(view, user=ANY)
        self._typing = ""
        self._apply(view)
        if view.change_set is not None:
            self.entries_page = view.entries_page
            self._open(view.change_set)
        else:
            self.detail_open = False
        shown = self._view()
        yield settle_url(shown.url(), problems, corrected=shown != view, toast_id="audit-url-problems")
        if not self.timezone:
            yield rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=AuditState.set_timezone
            )

    @rx.event
    @authenticated
    def set_timezone(self, name: str) -> None:
        """The browser's IANA time zone, for the period filter. A period the page opened with (a link, a
        reload) was read before the zone was known, as UTC days: it is read again as the browser's days."""
        zone = str(name or "")[:64]
        changed, self.timezone = zone != self.timezone, zone
        if changed and (self.since or self.until):
            self._fetch()

    def _fetch(self) -> None:
        zone = _zone(self.timezone)
        try:
            since = _day_start(self.since, zone)
            until = _day_start(self.until, zone)
            with session_scope() as session:
                result = change_sets.list_change_sets(
                    session,
                    include_hidden=principal_of(self).is_admin,
                    kind=None if self.kind == ANY else self.kind,
                    user_id=None if self.user_filter == ANY else int(self.user_filter),
                    since=since,
                    until=_day_after(until),
                    page=self.page,
                    per_page=PAGE_SIZE,
                )
        except (ChangeSetError, ValueError) as exc:
            self.error, self.rows, self.total, self.pages = str(exc), [], 0, 1
            return
        self.error = ""
        self.rows = [_row(row) for row in result.rows]
        self.total, self.total_capped, self.pages, self.page = (
            result.total,
            result.total_capped,
            result.pages,
            result.page,
        )

    @rx.event
    @authenticated
    def refresh(self) -> None:
        """Read the list and the open change set again (after an undo)."""
        self._fetch()
        if self.detail_open:
            self._open(self.selected.id)

    @rx.event
    @authenticated
    def set_kind(self, value: str) -> Any:
        """Filter by kind ('any' for all)."""
        return self._filtered(kind=value if value in self.kinds else ANY)

    @rx.event
    @authenticated
    def set_user_filter(self, value: str) -> Any:
        """Filter by the user who made the change ('any' for all)."""
        return self._filtered(user=value if value == ANY or str(value).isdecimal() else ANY)

    @rx.event
    @authenticated
    def set_since(self, value: str) -> Any:
        """First local day of the period (YYYY-MM-DD, '' for open)."""
        return self._set_day("since", value)

    @rx.event
    @authenticated
    def set_until(self, value: str) -> Any:
        """Last local day of the period, included (YYYY-MM-DD, '' for open)."""
        return self._set_day("until", value)

    def _set_day(self, key: str, value: str) -> Any:
        day = parse_day(str(value or ""))
        if day is None:
            return rx.toast.error(f"'{str(value)[:20]}' is not a date.")
        if day == getattr(self, key):
            return None
        return self._go(dataclasses.replace(self._view(), page=1, **{key: day}), typed=key)

    @rx.event
    @authenticated
    def clear_filters(self) -> Any:
        """Back to every change set."""
        return self._filtered(kind=ANY, user=ANY, since="", until="")

    # -- the open change set ---------------------------------------------------------------------------

    @rx.event
    @authenticated
    def open_change_set(self, change_set_id: int) -> Any:
        """Show one change set: its fields and its videos."""
        wanted = str(change_set_id)
        self.entries_page = 1
        if not (wanted.isdecimal() and len(wanted) < 19):
            return None
        self._open(int(wanted))
        return self._paged() if self.detail_open else None

    def _open(self, change_set_id: int) -> None:
        with session_scope() as session:
            row = change_sets.get_change_set(
                session, change_set_id, include_hidden=principal_of(self).is_admin
            )
            if row is None:
                self.detail_open = False
                self.detail_error = f"Change set #{change_set_id} does not exist."
                return
            fields = change_sets.change_set_fields(
                session, change_set_id, include_hidden=principal_of(self).is_admin
            )
            page = change_sets.change_set_entries(
                session,
                change_set_id,
                include_hidden=principal_of(self).is_admin,
                page=self.entries_page,
                per_page=ENTRIES_PAGE_SIZE,
            )
        self.selected, self.detail_open, self.detail_error = _row(row), True, ""
        self.detail_fields = [FieldCount(label=field_label(f), videos=f"{n:,}") for f, n in fields]
        self.entries = [timeline_row(entry) for entry in page.entries]
        self.entries_total, self.entries_page, self.entries_pages = page.total, page.page, page.pages
        if not page.entries and page.page > page.pages:  # past the last page (an old link)
            self.entries_page = page.pages
            self._open(change_set_id)

    @rx.event
    @authenticated
    def close_detail(self) -> Any:
        """Back to the list only."""
        if not self.detail_open:
            return None
        self.detail_open = False
        return self._paged()

    @rx.event
    @authenticated
    def next_entries(self) -> Any:
        """The next page of the open change set's videos."""
        if self.entries_page < self.entries_pages:
            self.entries_page += 1
            self._open(self.selected.id)
            return self._paged()
        return None

    @rx.event
    @authenticated
    def prev_entries(self) -> Any:
        """The previous page of the open change set's videos."""
        if self.entries_page > 1:
            self.entries_page -= 1
            self._open(self.selected.id)
            return self._paged()
        return None
