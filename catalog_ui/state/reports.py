"""State of /reports: one page of reports with live progress, uploads, bucket scans and retries.

While any report is pending or processing, the page renders an invisible timer that calls `tick` every
POLL_INTERVAL_MS; the timer goes away (and the polling with it) when nothing runs or the page is left.
Ingestion runs in the workers: each new or retried report is sent to `workers.actors.ingest_report_actor`
(the web app runs those actors in-process when there is no Redis), and the pipeline commits its progress
to the database, which is what the page polls. A report the workers cannot be sent (Redis down) stays
registered as pending, and the next bucket scan of the workers sends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.report import REPORT_STATUSES
from catalog_ui.services import reports, storage
from catalog_ui.services.list_views import ALL, ReportsView, parse_reports_view
from catalog_ui.services.paging import page_count
from catalog_ui.services.reports import ReportError
from catalog_ui.settings import get_settings
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import authenticated, on_timer, principal_of, public
from catalog_ui.state.paging import PagedListMixin
from catalog_ui.state.report_display import ReportRow, announcements, report_row
from catalog_ui.state.url_history import settle_url, show_url

POLL_INTERVAL_MS = 1500
PAGE_SIZE = 25
STATUS_FILTERS = (ALL, *REPORT_STATUSES)
UPLOAD_ID = "report-upload"
NOT_STARTED = "ingestion starts when the workers can be reached"

log = logging.getLogger(__name__)


def start_ingestion(report_ids: list[int]) -> bool:
    """Send each report to the workers to be ingested; False when they cannot be reached (Redis down).

    The reports are registered as pending whatever happens here: the workers' next scan sends the ones
    left pending, so a failure to send is a message for the user, not an error."""
    if not report_ids:
        return True
    from workers.actors import ingest_report_actor  # imported late: it sets up the broker

    try:
        for report_id in report_ids:
            ingest_report_actor.send(report_id)
    except Exception as exc:
        log.warning(
            "reports %s stay pending: cannot reach the workers: %s: %s", report_ids, type(exc).__name__, exc
        )
        return False
    return True


def storage_description() -> str:
    """Where uploads go, in a sentence for the upload dialog."""
    settings = get_settings()
    if storage.s3_configured():
        return f"Files are stored in s3://{settings.s3_bucket}/{settings.s3_prefix}uploads/ before ingestion."
    return "No S3 bucket is configured: files are kept on this server before ingestion."


def _store_upload(filename: str, stream: BinaryIO, user_id: int) -> tuple[int, str | None]:
    """The new report's id, and a line when it is a copy of a file uploaded or scanned before."""
    with session_scope() as session:
        report_id = reports.upload(session, filename, stream, user_id).id
        return report_id, reports.copy_of_earlier(session, report_id)


def _scan() -> list[int]:
    with session_scope() as session:
        return reports.scan_bucket(session)


class ReportsState(PagedListMixin, AuthState):
    """The visible page of reports and the page's dialogs."""

    rows: list[ReportRow] = []
    total: int = 0
    status_filter: str = ALL
    polling: bool = False
    upload_open: bool = False
    uploading: bool = False
    # While the browser sends the chosen files (before the upload handler runs, which is only once the whole
    # body has arrived): the dialog shows how far, and its button waits instead of taking a second click.
    sending: bool = False
    sent_percent: int = 0
    scanning: bool = False
    s3_enabled: bool = False
    storage_hint: str = ""
    # What the page's live region says: the reports on the page that run or ran while it was open.
    announcements: list[str] = []
    _watched: set[int] = set()  # the ids of the reports seen running since the page was opened

    @rx.var
    def total_label(self) -> str:
        """'12 reports'."""
        return f"{self.total:,} report{'' if self.total == 1 else 's'}"

    def _fetch(self) -> None:
        status = None if self.status_filter == ALL else self.status_filter
        with session_scope() as session:
            result = reports.list_reports(session, page=self.page, per_page=PAGE_SIZE, status=status)
            running = reports.running_count(session)
        now = datetime.now(UTC)
        self.rows = [report_row(row, now) for row in result.rows]
        self._watched = self._watched | {row.id for row in self.rows if row.running}
        self.announcements = announcements(self.rows, self._watched)
        self.total = result.total
        self.pages = page_count(result.total, PAGE_SIZE)
        if self.page > self.pages:
            self.page = self.pages
            self._fetch()
            return
        # A row read as running keeps the poll going even if its report finished between the two queries
        # (the count alone would then stop the poll and leave the row stale).
        self.polling = running > 0 or any(row.running for row in self.rows)

    def _view(self) -> ReportsView:
        return ReportsView(status=self.status_filter, page=self.page)

    def _go(self, view: ReportsView) -> rx.event.EventSpec:
        """Show `view` and put it in the URL as a new history entry."""
        self.status_filter, self.page = view.status, view.page
        self._fetch()
        return self._paged()

    def _paged(self) -> rx.event.EventSpec:
        return show_url(self._view().url())

    @rx.event
    @authenticated
    def load(self) -> Any:
        """on_load (also back/forward): the status and page the URL names, and where uploads will be stored."""
        view, problems = parse_reports_view(self.router.url.query)
        self.s3_enabled = storage.s3_configured()
        self.storage_hint = storage_description()
        # A fresh page: the files once chosen are gone, and a handler that ran is over.
        self.upload_open = self.uploading = self.scanning = self.sending = False
        self._watched = set()
        self.status_filter, self.page = view.status, view.page
        self._fetch()
        shown = self._view()
        return settle_url(shown.url(), problems, corrected=shown != view, toast_id="reports-url-problems")

    @rx.event
    @on_timer
    def tick(self, _now: str) -> None:
        """The poll timer: refresh progress and counts."""
        self._fetch()

    @rx.event
    @authenticated
    def set_status_filter(self, status: str) -> Any:
        """Show only reports of `status` ('all' for every one)."""
        return self._go(ReportsView(status=status if status in STATUS_FILTERS else ALL))

    @rx.event
    @authenticated
    def set_upload_open(self, is_open: bool) -> Iterator[rx.event.EventSpec]:
        """Open or close the upload dialog (closing forgets the chosen files)."""
        self.upload_open = bool(is_open)
        self.sending = False
        if not self.upload_open:
            yield rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    @authenticated
    def upload_progress(self, progress: dict[str, Any]) -> None:
        """How far the browser has sent the chosen files (`progress` from 0 to 1).

        The last one (1) may arrive after the upload handler has ended: it leaves `sending` as it is, which
        the handler clears."""
        try:
            fraction = float(progress.get("progress") or 0)
        except (AttributeError, TypeError, ValueError):
            return
        self.sent_percent = max(0, min(100, int(fraction * 100)))
        if fraction < 1:
            self.sending = True

    @rx.event
    @public
    def upload_refused(self) -> None:
        """The upload guard refused the upload (too large, not signed in, database down: its toast says
        which), so `upload_report` never runs: the dialog stops showing it being sent, and its button takes
        the next file at once (it waited until the dialog was closed and opened again).

        Public: it reads and changes no data, only this tab's dialog, and the refusals it follows are those
        of a browser without a session or a database that cannot check one (a session guard here left the
        button waiting for good)."""
        self.sending, self.sent_percent = False, 0

    @rx.event
    @authenticated
    async def upload_report(self, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec | None]:
        """Store each chosen file (S3 or this server), register it and send it to be ingested."""
        if not files:
            yield rx.toast.error("Choose a report file (.csv or .csv.gz) first.")
            return
        user_id = principal_of(self).user_id
        self.uploading, self.sending = True, False
        yield None
        created: list[int] = []
        problems: list[str] = []
        copies: list[str] = []
        try:
            for file in files:
                try:
                    report_id, copy = await asyncio.to_thread(
                        _store_upload, file.filename or "", file.file, user_id
                    )
                except ReportError as exc:
                    problems.append(f"{file.filename}: {exc}")
                    continue
                created.append(report_id)
                if copy:
                    copies.append(copy)
            started = start_ingestion(created)
        finally:
            self.uploading = False
        if self._view() != ReportsView():
            yield self._go(ReportsView())  # the new reports are at the top of every report
        else:
            self._fetch()
        if created:
            self.upload_open = False
            yield rx.clear_selected_files(UPLOAD_ID)
            count = len(created)
            what = f"{count} report{'' if count == 1 else 's'}"
            if started:
                yield rx.toast.success(f"{what} uploaded; ingestion started.")
            else:
                yield rx.toast.warning(f"{what} stored and registered; {NOT_STARTED}.")
        for copy in copies:
            yield rx.toast.info(copy)
        for problem in problems:
            yield rx.toast.error(problem)

    @rx.event
    @authenticated
    async def scan_now(self) -> AsyncIterator[rx.event.EventSpec | None]:
        """Look for new files in the bucket now, and ingest them."""
        if not storage.s3_configured():
            yield rx.toast.error("No S3 bucket is configured; set S3_ENDPOINT_URL or AWS credentials.")
            return
        self.scanning = True
        yield None
        try:
            new = await asyncio.to_thread(_scan)
            started = start_ingestion(new)
        except ReportError as exc:
            yield rx.toast.error(str(exc))
            return
        finally:
            self.scanning = False
        self._fetch()
        found = f"{len(new)} new report{'' if len(new) == 1 else 's'} found"
        if new and started:
            yield rx.toast.success(f"{found}; ingestion started.")
        elif new:
            yield rx.toast.warning(f"{found} and registered; {NOT_STARTED}.")
        else:
            yield rx.toast.info("No new reports in the bucket.")

    @rx.event
    @authenticated
    def retry(self, report_id: int) -> rx.event.EventSpec:
        """Send a report in error to be ingested again."""
        try:
            with session_scope() as session:
                report = reports.retry_report(session, int(report_id))
                name = report.filename
        except (ReportError, TypeError, ValueError) as exc:
            self._fetch()
            return rx.toast.error(str(exc) if isinstance(exc, ReportError) else "Unknown report.")
        started = start_ingestion([int(report_id)])
        self._fetch()
        name = name.rsplit("/", 1)[-1]
        if not started:
            return rx.toast.warning(f"{name} is pending again; {NOT_STARTED}.")
        return rx.toast.success(f"Retrying {name}.")
