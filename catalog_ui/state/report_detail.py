"""State of /reports/[report_id]: one report's progress, counts, changed fields, changes and rejected rows.

Polls like the list while the report runs; once it has ended, the fields it changed, one page of its
history entries and one page of its rejected rows are read (the rejected rows also download as CSV).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.audit import CREATED
from catalog_ui.services import reports
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.paging import page_count
from catalog_ui.services.report_load import MAX_STORED_REJECTIONS
from catalog_ui.services.reports import ReportError
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import admin_only, authenticated, on_timer, principal_of
from catalog_ui.state.history_display import ChangeRow, change_row
from catalog_ui.state.report_display import ReportRow, announcements, report_row
from catalog_ui.state.reports import start_ingestion
from catalog_ui.state.routing import route_tail

CHANGES_PAGE_SIZE = 20
REJECTIONS_PAGE_SIZE = 50


@dataclasses.dataclass
class FieldCount:
    """A field the report changed, and on how many videos."""

    field: str = ""
    label: str = ""
    count: str = ""


@dataclasses.dataclass
class ReportChange:
    """One history entry the report wrote."""

    video_id: str = ""
    title: str = ""
    created: bool = False
    changes: list[ChangeRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RejectionRow:
    """One rejected row of the report."""

    line: int = 0
    column: str = ""
    reason: str = ""
    raw: str = ""


class ReportDetailState(AuthState):
    """The report shown, and the visible page of its changes and of its rejected rows."""

    report_id: int = 0
    loaded: bool = False
    found: bool = False
    report: ReportRow = ReportRow()
    polling: bool = False
    field_counts: list[FieldCount] = []
    changes: list[ReportChange] = []
    changes_page: int = 1
    changes_pages: int = 1
    changes_total: int = 0
    rejections: list[RejectionRow] = []
    rejections_page: int = 1
    rejections_pages: int = 1
    rejections_total: int = 0
    rows_rejected: int = 0  # as counted while reading; only the first MAX_STORED_REJECTIONS are stored
    delete_open: bool = False
    # What the page's live region says: the report's status while it runs, and how it ended.
    announcements: list[str] = []
    _watched: set[int] = set()  # this report's id once it was seen running since the page was opened

    @rx.var
    def changes_label(self) -> str:
        """'3 history entries'."""
        return f"{self.changes_total:,} history entr{'y' if self.changes_total == 1 else 'ies'}"

    @rx.var
    def rejections_label(self) -> str:
        """'9 rejected rows stored', or for a report that rejected more than are stored, '10,000 rejected
        rows stored: the first of 52,000' (the counts said 52,000, the list and its CSV hold 10,000)."""
        label = f"{self.rejections_total:,} rejected row{'' if self.rejections_total == 1 else 's'} stored"
        if self.rows_rejected > MAX_STORED_REJECTIONS:
            label += f": the first of {self.rows_rejected:,}"
        return label

    def _fetch_report(self) -> bool:
        """Read the report; False when it does not exist."""
        with session_scope() as session:
            try:
                row = reports.report_summary(session, self.report_id)
            except ReportError:
                self.found, self.polling = False, False
                self.announcements = []
                return False
        was_running = self.report.running
        self.found = True
        self.report = report_row(row, datetime.now(UTC))
        self.rows_rejected = row["rows_rejected"]
        self.polling = self.report.running
        if self.report.running:
            self._watched = {self.report.id}
        self.announcements = announcements([self.report], self._watched)
        return was_running and not self.report.running

    def _fetch_changes(self) -> None:
        with session_scope() as session:
            counts = reports.changed_fields(
                session, self.report_id, include_hidden=principal_of(self).is_admin
            )
            entries, total = reports.report_changes(
                session,
                self.report_id,
                page=self.changes_page,
                per_page=CHANGES_PAGE_SIZE,
                include_hidden=principal_of(self).is_admin,
            )
        self.field_counts = [
            FieldCount(
                field=name, label="New videos" if name == CREATED else field_label(name), count=f"{n:,}"
            )
            for name, n in counts.items()
        ]
        self.changes = [
            ReportChange(
                video_id=entry["video_id"],
                title=entry["video_title"] or "",
                created=CREATED in entry["changes"],
                changes=[
                    change_row(f, old, new) for f, (old, new) in entry["changes"].items() if f != CREATED
                ],
            )
            for entry in entries
        ]
        self.changes_total = total
        self.changes_pages = page_count(total, CHANGES_PAGE_SIZE)

    def _fetch_rejections(self) -> None:
        offset = (self.rejections_page - 1) * REJECTIONS_PAGE_SIZE
        with session_scope() as session:
            admin = principal_of(self).is_admin
            rows = reports.rejections(
                session, self.report_id, limit=REJECTIONS_PAGE_SIZE, offset=offset, include_hidden=admin
            )
            total = reports.rejection_count(session, self.report_id, include_hidden=admin)
        self.rejections = [
            RejectionRow(
                line=r["line"], column=r["column"] or "(row)", reason=r["reason"], raw=r["raw"] or ""
            )
            for r in rows
        ]
        self.rejections_total = total
        self.rejections_pages = page_count(total, REJECTIONS_PAGE_SIZE)

    def _fetch_all(self) -> None:
        self._fetch_report()
        if self.found:
            self._fetch_changes()
            self._fetch_rejections()

    @rx.event
    @authenticated
    def load(self) -> None:
        """on_load: the report named in the URL."""
        try:
            self.report_id = int(route_tail(self) or "0")
        except ValueError:
            self.report_id = 0
        self.report = ReportRow()
        self._watched = set()
        self.changes_page = self.rejections_page = 1
        self.delete_open = False
        self._fetch_all()
        self.loaded = True

    @rx.event
    @on_timer
    def tick(self, _now: str) -> None:
        """The poll timer: progress while running; the details once it ends."""
        if self._fetch_report():
            self._fetch_changes()
            self._fetch_rejections()

    @rx.event
    @authenticated
    def next_changes(self) -> None:
        """The next page of history entries."""
        if self.changes_page < self.changes_pages:
            self.changes_page += 1
            self._fetch_changes()

    @rx.event
    @authenticated
    def prev_changes(self) -> None:
        """The previous page of history entries."""
        if self.changes_page > 1:
            self.changes_page -= 1
            self._fetch_changes()

    @rx.event
    @authenticated
    def next_rejections(self) -> None:
        """The next page of rejected rows."""
        if self.rejections_page < self.rejections_pages:
            self.rejections_page += 1
            self._fetch_rejections()

    @rx.event
    @authenticated
    def prev_rejections(self) -> None:
        """The previous page of rejected rows."""
        if self.rejections_page > 1:
            self.rejections_page -= 1
            self._fetch_rejections()

    @rx.event
    @authenticated
    def download_rejections(self) -> rx.event.EventSpec:
        """Every stored rejected row as a CSV file (line, column, reason, row)."""
        with session_scope() as session:
            data = reports.rejections_csv(session, self.report_id, include_hidden=principal_of(self).is_admin)
        return rx.download(
            data=data, filename=f"report-{self.report_id}-rejected-rows.csv", mime_type="text/csv"
        )

    @rx.event
    @authenticated
    def retry(self) -> rx.event.EventSpec:
        """Send this report (in error) to be ingested again."""
        try:
            with session_scope() as session:
                reports.retry_report(session, self.report_id)
        except ReportError as exc:
            return rx.toast.error(str(exc))
        start_ingestion([self.report_id])
        self._fetch_all()
        return rx.toast.success("Ingestion started again.")

    @rx.event
    @admin_only
    def set_delete_open(self, is_open: bool) -> None:
        """Open or close the delete confirmation."""
        self.delete_open = bool(is_open)

    @rx.event
    @admin_only
    def delete(self) -> Iterator[rx.event.EventSpec]:
        """Delete the report record (its rejected rows too); the catalog data and history stay."""
        self.delete_open = False
        try:
            with session_scope() as session:
                reports.delete_report(session, self.report_id)
        except ReportError as exc:
            yield rx.toast.error(str(exc))
            return
        yield rx.toast.success(f"Report {self.report_id} deleted; the catalog keeps its data.")
        yield rx.redirect("/reports")
