"""State of /audit: one page of change sets (filtered), and the open change set's fields and entries.

`/audit?change_set=12` opens that change set directly (the video timeline links there). Dates of the
period filter are the browser's local days, turned into UTC bounds with the browser's time zone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.audit import CHANGE_SET_KINDS
from catalog_ui.services import change_sets
from catalog_ui.services.change_sets import ChangeSetError
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_value
from catalog_ui.state.guards import authenticated, principal_of
from catalog_ui.state.history_display import TimelineRow, field_label, timeline_row
from catalog_ui.state.paging import PagedListMixin

PAGE_SIZE = 50
ENTRIES_PAGE_SIZE = 20
ANY = "any"


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
        user=row["user_name"] or ("" if row["user_id"] is None else "deleted user"),
        reason=row["reason"] or "",
        created_at=display_value(row["created_at"]),
        videos=f"{row['video_count']:,}",
        reverts=row["reverts_change_set_id"] or 0,
        reverted_by=row["reverted_by"] or 0,
    )


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
    error: str = ""

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

    @rx.event
    @authenticated
    def load(self) -> Iterator[rx.event.EventSpec | None]:
        """on_load: the first page; the change set named by `?change_set=` opens; the browser's zone once."""
        with session_scope() as session:
            self.users = [
                [ANY, "Anybody"],
                *([str(uid), name] for uid, name in change_sets.user_choices(session)),
            ]
        self._fetch()
        wanted = str(self.router.url.query_parameters.get("change_set") or "")
        if wanted.isdigit() and len(wanted) < 19:
            self._open(int(wanted))
        else:
            self.detail_open = False
        if not self.timezone:
            yield rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=AuditState.set_timezone
            )

    @rx.event
    @authenticated
    def set_timezone(self, name: str) -> None:
        """The browser's IANA time zone, for the period filter."""
        self.timezone = str(name or "")[:64]

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
                    until=until + timedelta(days=1) if until else None,
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
    def set_kind(self, value: str) -> None:
        """Filter by kind ('any' for all)."""
        self.kind = value if value in self.kinds else ANY
        self.page = 1
        self._fetch()

    @rx.event
    @authenticated
    def set_user_filter(self, value: str) -> None:
        """Filter by the user who made the change ('any' for all)."""
        self.user_filter = value if value == ANY or str(value).isdigit() else ANY
        self.page = 1
        self._fetch()

    @rx.event
    @authenticated
    def set_since(self, value: str) -> None:
        """First local day of the period (YYYY-MM-DD, '' for open)."""
        self.since, self.page = str(value or "")[:10], 1
        self._fetch()

    @rx.event
    @authenticated
    def set_until(self, value: str) -> None:
        """Last local day of the period, included (YYYY-MM-DD, '' for open)."""
        self.until, self.page = str(value or "")[:10], 1
        self._fetch()

    @rx.event
    @authenticated
    def clear_filters(self) -> None:
        """Back to every change set."""
        self.kind, self.user_filter, self.since, self.until, self.page = ANY, ANY, "", "", 1
        self._fetch()

    # -- the open change set ---------------------------------------------------------------------------

    @rx.event
    @authenticated
    def open_change_set(self, change_set_id: int) -> None:
        """Show one change set: its fields and its videos."""
        wanted = str(change_set_id)
        self.entries_page = 1
        if wanted.isdigit() and len(wanted) < 19:
            self._open(int(wanted))

    def _open(self, change_set_id: int) -> None:
        with session_scope() as session:
            row = change_sets.get_change_set(
                session, change_set_id, include_hidden=principal_of(self).is_admin
            )
            if row is None:
                self.detail_open = False
                self.error = f"Change set #{change_set_id} does not exist."
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
        self.selected, self.detail_open = _row(row), True
        self.detail_fields = [FieldCount(label=field_label(f), videos=f"{n:,}") for f, n in fields]
        self.entries = [timeline_row(entry) for entry in page.entries]
        self.entries_total, self.entries_page, self.entries_pages = page.total, page.page, page.pages

    @rx.event
    @authenticated
    def close_detail(self) -> None:
        """Back to the list only."""
        self.detail_open = False

    @rx.event
    @authenticated
    def next_entries(self) -> None:
        """The next page of the open change set's videos."""
        if self.entries_page < self.entries_pages:
            self.entries_page += 1
            self._open(self.selected.id)

    @rx.event
    @authenticated
    def prev_entries(self) -> None:
        """The previous page of the open change set's videos."""
        if self.entries_page > 1:
            self.entries_page -= 1
            self._open(self.selected.id)
