"""State of the video page: the video's grouped fields, one page of its history, its views, its tasks.

Hidden videos exist only for admins: anybody else gets the same "not found or hidden" answer as for an
unknown id. Admin edits (hidden, administered, notes) go through `services.video_flags`, one change set each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.queue import ACTIVE_STATUSES as ACTIVE_TASK_STATUSES
from catalog_ui.models.queue import TASK_TYPES
from catalog_ui.services import history, queue, video_flags
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.history import HistoryError
from catalog_ui.services.list_views import ARCHIVE_TABS, VIDEO_TABS, VideoView, parse_video_view
from catalog_ui.services.paging import page_count
from catalog_ui.services.queue import QueueError
from catalog_ui.services.video_detail import get_video_detail, thumbnail_url, video_visible, youtube_url
from catalog_ui.services.video_flags import NOTES_MAX_LENGTH, FlagError
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import display_value
from catalog_ui.state.guards import admin_only, authenticated, on_timer, principal_of
from catalog_ui.state.history_display import (
    TIME_FIELDS,
    TimelineRow,
    timeline_row,
    value_text,
)
from catalog_ui.state.rollback import RollbackState
from catalog_ui.state.routing import route_tail
from catalog_ui.state.url_history import settle_url, show_url
from catalog_ui.state.worker_wake import wake_workers

HISTORY_PAGE_SIZE = 25
TASKS_PAGE_SIZE = 10
TASK_POLL_MS = 2000  # while a task of the video waits or runs
ALL_FIELDS = "all"
# Whether the channel has a page of its own; until then the channel links to the grid filtered by it.
CHANNEL_PAGE_ROUTE: str | None = None


@dataclasses.dataclass
class FieldRow:
    """One field of the video as the page shows it."""

    field: str = ""
    label: str = ""
    value: str = ""
    is_time: bool = False
    block: bool = False


@dataclasses.dataclass
class FieldGroup:
    """A titled group of fields (identifiers, content, rights…)."""

    name: str = ""
    fields: list[FieldRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class TaskRow:
    """One queue task of the video."""

    id: int = 0
    task_type: str = ""
    status: str = ""
    created_at: str = ""
    started_at: str = ""
    completed_at: str = ""
    error: str = ""
    retries: str = ""


def channel_href(channel_id: str, channel_name: str) -> str:
    """The channel's page when the app has one, else the video grid filtered by the channel."""
    if CHANNEL_PAGE_ROUTE and channel_id:
        return f"{CHANNEL_PAGE_ROUTE}/{quote(channel_id, safe='')}"
    return f"/videos?channel={quote(channel_id or channel_name, safe='')}"


def _active_ids(rows: list[TaskRow]) -> set[int]:
    """The ids of the tasks among `rows` that wait or run."""
    return {row.id for row in rows if row.status in ACTIVE_TASK_STATUSES}


class VideoDetailState(AuthState):
    """The open video: what the page shows of it, never more than a page of history or tasks."""

    loaded: bool = False
    found: bool = False
    tab: str = VIDEO_TABS[0]
    current_video_id: str = ""
    title: str = ""
    hidden: bool = False
    administered: bool = False
    administered_at: str = ""
    notes: str = ""
    notes_draft: str = ""
    thumbnail: str = ""
    thumbnail_failed: bool = False
    youtube: str = ""
    channel_name: str = ""
    channel_href: str = ""
    views_text: str = ""
    privacy_status: str = ""
    time_published: str = ""
    length_text: str = ""
    groups: list[FieldGroup] = []

    history_rows: list[TimelineRow] = []
    history_field: str = ALL_FIELDS
    history_fields: list[list[str]] = []
    include_archived: bool = False
    archived_count: int = 0
    history_page: int = 1
    history_pages: int = 1
    history_total: int = 0

    views_points: list[dict[str, Any]] = []  # {"date": local time text, "views": int}
    timezone: str = ""

    task_rows: list[TaskRow] = []
    tasks_page: int = 1
    tasks_pages: int = 1
    tasks_total: int = 0
    task_types: list[str] = list(TASK_TYPES)

    @rx.var
    def notes_count(self) -> str:
        """'123 / 500'."""
        return f"{len(self.notes_draft)} / {NOTES_MAX_LENGTH}"

    @rx.var
    def notes_too_long(self) -> bool:
        """Whether the draft is over the limit."""
        return len(self.notes_draft) > NOTES_MAX_LENGTH

    @rx.var
    def notes_dirty(self) -> bool:
        """Whether the draft differs from the saved notes."""
        return self.notes_draft.strip() != self.notes

    @rx.var
    def history_label(self) -> str:
        """'1,204 entries'."""
        return f"{self.history_total:,} entr{'y' if self.history_total == 1 else 'ies'}"

    @rx.var
    def tasks_label(self) -> str:
        """'3 tasks'."""
        return f"{self.tasks_total:,} task{'' if self.tasks_total == 1 else 's'}"

    # -- loading ---------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def load(self) -> Iterator[rx.event.EventSpec | None]:
        """on_load (also back/forward): read the video named in the URL and show the view its query names
        (`VideoView`); ask the browser for its time zone once."""
        video_id = route_tail(self)[:100]
        view, problems = parse_video_view(video_id, self.router.url.query)
        if video_id != self.current_video_id:
            # Another video: forget the previous one's view before showing anything of it.
            self.loaded, self.found, self.current_video_id = False, False, video_id
            self.notes, self.notes_draft = "", ""  # a draft belongs to the video it was typed on
            self.history_field, self.include_archived, self.history_page, self.tasks_page = (
                ALL_FIELDS,
                False,
                1,
                1,
            )
            yield
        self._apply(view)
        self.thumbnail_failed = False
        self._fetch_all()
        # Compared as addresses: what the tab does not show (a page on the fields tab) corrects nothing. (A
        # list's late `?page=2` no longer reaches this on_load after a quick navigation: see url_history.)
        shown = self._view()
        corrected = shown.url() != view.url()
        if problems or (self.found and corrected):
            yield settle_url(shown.url(), problems, corrected=corrected, toast_id="video-url")
        if not self.timezone:
            yield rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=VideoDetailState.set_timezone
            )

    def _apply(self, view: VideoView) -> None:
        """Take what the URL's tab carries from `view`; what it does not carry stays as it is."""
        self.tab = view.tab
        if view.tab in ARCHIVE_TABS:
            self.include_archived = view.archived
        if view.tab == "history":
            self.history_field, self.history_page = view.field, view.page
        elif view.tab == "tasks":
            self.tasks_page = view.page

    def _view(self) -> VideoView:
        """What the page shows, as its URL describes it."""
        page = {"history": self.history_page, "tasks": self.tasks_page}.get(self.tab, 1)
        return VideoView(self.current_video_id, self.tab, self.history_field, self.include_archived, page)

    def _show_view(self) -> rx.event.EventSpec:
        return show_url(self._view().url())

    @rx.event
    @authenticated
    def set_tab(self, tab: str) -> Any:
        """Show another tab, and put it in the URL (a reload or a link opens the same tab)."""
        if tab not in VIDEO_TABS or tab == self.tab:
            return None
        self.tab = tab
        return self._show_view()

    @rx.event
    @authenticated
    def refresh(self) -> None:
        """Read everything again (after an edit, a rollback or an enqueue)."""
        self._fetch_all()

    def _fetch_all(self) -> None:
        self.loaded = True
        if not self._fetch_video():
            self._forget()
            return
        self._fetch_history()
        self._fetch_views()
        self._fetch_tasks()

    def _forget(self) -> None:
        self.found, self.title = False, ""
        self.history_rows, self.views_points, self.task_rows, self.groups = [], [], [], []

    def _visible(self) -> bool:
        """Whether the video is (still) there for this user, asked anew by every handler that reads its
        history, views or tasks: it may have been hidden since the page loaded. When not, the page forgets it."""
        with session_scope() as session:
            visible = video_visible(
                session, self.current_video_id, include_hidden=principal_of(self).is_admin
            )
        if not visible:
            self._forget()
        return visible

    def _fetch_video(self) -> bool:
        principal = principal_of(self)
        with session_scope() as session:
            detail = get_video_detail(session, self.current_video_id, include_hidden=principal.is_admin)
        self.found = detail is not None
        if detail is None:
            self.title = ""
            return False
        values = detail.values
        self.title = values.get("title") or ""
        self.hidden, self.administered = bool(values["hidden"]), bool(values["administered"])
        self.administered_at = display_value(values.get("administered_at"))
        saved = values.get("notes") or ""
        # A draft typed and not saved yet is the admin's work: re-reading the video (after a toggle, a
        # rollback, a task's end) keeps it. A draft equal to the notes shown before, or to those just saved,
        # follows the saved notes.
        if self.notes_draft.strip() in (self.notes, saved):
            self.notes_draft = saved
        self.notes = saved
        self.thumbnail, self.youtube = thumbnail_url(detail.video_id), youtube_url(detail.video_id)
        channel = detail.channel or {}
        self.channel_name = channel.get("name") or values.get("channel_display_name") or ""
        channel_id = values.get("channel_id") or ""
        self.channel_href = (
            channel_href(channel_id, self.channel_name) if self.channel_name or channel_id else ""
        )
        self.views_text = value_text("views", values.get("views"))
        self.privacy_status = values.get("privacy_status") or ""
        self.time_published = display_value(values.get("time_published"))
        self.length_text = value_text("video_length", values.get("video_length"))
        self.groups = [
            FieldGroup(
                name=name,
                fields=[
                    FieldRow(
                        field=field,
                        label=field_label(field),
                        value=display_value(value) if field in TIME_FIELDS else value_text(field, value),
                        is_time=field in TIME_FIELDS,
                        block=field in ("effective_policy", "other_owners_claiming", "notes"),
                    )
                    for field, value in fields
                ],
            )
            for name, fields in detail.groups
        ]
        return True

    def _fetch_history(self) -> None:
        field = None if self.history_field == ALL_FIELDS else self.history_field
        with session_scope() as session:
            try:
                page = history.video_timeline(
                    session,
                    self.current_video_id,
                    field=field,
                    include_archived=self.include_archived,
                    include_hidden=principal_of(self).is_admin,
                    page=self.history_page,
                    per_page=HISTORY_PAGE_SIZE,
                )
            except HistoryError:
                self.history_field = ALL_FIELDS
                page = history.video_timeline(
                    session,
                    self.current_video_id,
                    include_archived=self.include_archived,
                    include_hidden=principal_of(self).is_admin,
                    per_page=HISTORY_PAGE_SIZE,
                )
            fields = history.history_fields(
                session, self.current_video_id, include_archived=self.include_archived
            )
            self.archived_count = history.archived_entry_count(session, self.current_video_id)
        if not page.entries and page.page > 1:
            self.history_page = page.pages
            self._fetch_history()
            return
        self.history_rows = [timeline_row(entry) for entry in page.entries]
        self.history_total, self.history_page, self.history_pages = page.total, page.page, page.pages
        self.history_fields = [[ALL_FIELDS, "All fields"], *([f, field_label(f)] for f in fields)]

    def _fetch_views(self) -> None:
        with session_scope() as session:
            series = history.views_series(
                session, self.current_video_id, include_archived=self.include_archived
            )
        zone = _zone(self.timezone)
        self.views_points = [
            {"date": at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "views": views} for at, views in series
        ]

    def _fetch_tasks(self) -> None:
        with session_scope() as session:
            page = queue.list_tasks(
                session,
                video_id=self.current_video_id,
                page=self.tasks_page,
                per_page=TASKS_PAGE_SIZE,
                include_hidden=principal_of(self).is_admin,
            )
        self.tasks_total = page.total
        self.tasks_pages = page_count(page.total, TASKS_PAGE_SIZE)
        if not page.rows and self.tasks_page > self.tasks_pages:  # past the last page (an old link)
            self.tasks_page = self.tasks_pages
            self._fetch_tasks()
            return
        self.task_rows = [
            TaskRow(
                id=row["id"],
                task_type=row["task_type"],
                status=row["status"],
                created_at=display_value(row["created_at"]),
                started_at=display_value(row["started_at"]),
                completed_at=display_value(row["completed_at"]),
                error=row["error_message"] or "",
                retries=str(row["retry_count"]),
            )
            for row in page.rows
        ]

    @rx.event
    @authenticated
    def set_timezone(self, name: str) -> None:
        """The browser's IANA time zone, for the chart's dates."""
        self.timezone = str(name or "")[:64]
        if self.found and self._visible():
            self._fetch_views()

    @rx.event
    @authenticated
    def image_failed(self) -> None:
        """The thumbnail could not load (offline, removed video): show the placeholder."""
        self.thumbnail_failed = True

    # -- history ---------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def filter_history(self, field: str) -> Any:
        """Show only the entries that touch `field` ('all' for every entry)."""
        self.history_field, self.history_page = str(field or ALL_FIELDS), 1
        if self._visible():
            self._fetch_history()
            return self._show_view()
        return None

    @rx.event
    @authenticated
    def set_include_archived(self, value: bool) -> Any:
        """Include entries moved to the archive (older than the retention period)."""
        self.include_archived, self.history_page = bool(value), 1
        if self._visible():
            self._fetch_history()
            self._fetch_views()
            return self._show_view()
        return None

    @rx.event
    @authenticated
    def next_history(self) -> Any:
        """Older entries."""
        if self.history_page < self.history_pages and self._visible():
            self.history_page += 1
            self._fetch_history()
            return self._show_view()
        return None

    @rx.event
    @authenticated
    def prev_history(self) -> Any:
        """Newer entries."""
        if self.history_page > 1 and self._visible():
            self.history_page -= 1
            self._fetch_history()
            return self._show_view()
        return None

    # -- tasks -----------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def enqueue(self, task_type: str) -> Any:
        """Queue a task of `task_type` for this video (an active one of that type is reused), and show the
        newest tasks, the address following (a reload or Back would show another page than the one shown)."""
        principal = principal_of(self)
        if not self._visible():
            return rx.toast.error(f"Video {self.current_video_id} not found.")
        try:
            with session_scope() as session:
                task, created = queue.enqueue(
                    session, self.current_video_id, str(task_type), created_by=principal.user_id
                )
                task_id = task.id
        except QueueError as exc:
            return rx.toast.error(str(exc))
        self.tasks_page = 1
        self._fetch_tasks()
        if created:
            wake_workers([str(task_type)])
            return [rx.toast.success(f"Queued {task_type} (task #{task_id})."), self._show_view()]
        return [rx.toast.info(f"{task_type} is already queued (task #{task_id})."), self._show_view()]

    @rx.var
    def tasks_active(self) -> bool:
        """Whether a task of this video on the page waits or runs: the page then polls for its end."""
        return bool(_active_ids(self.task_rows))  # read here: Reflex tracks the var's dependencies by it

    @rx.event
    @on_timer
    def tick(self, _now: str = "") -> None:
        """The poll timer while a task waits or runs: its progress, then, once one ends, what it changed."""
        if not self.found or not self._visible():
            return
        active = _active_ids(self.task_rows)
        self._fetch_tasks()
        if active - _active_ids(self.task_rows):  # one ended: show what it changed
            self._fetch_all()

    @rx.event
    @authenticated
    def next_tasks(self) -> Any:
        """Older tasks."""
        if self.tasks_page < self.tasks_pages and self._visible():
            self.tasks_page += 1
            self._fetch_tasks()
            return self._show_view()
        return None

    @rx.event
    @authenticated
    def prev_tasks(self) -> Any:
        """Newer tasks."""
        if self.tasks_page > 1 and self._visible():
            self.tasks_page -= 1
            self._fetch_tasks()
            return self._show_view()
        return None

    # -- admin edits -----------------------------------------------------------------------------------

    @rx.event
    @admin_only
    def set_hidden(self, value: bool) -> rx.event.EventSpec:
        """Hide or unhide the video."""
        return self._edit(
            lambda session, user_id: video_flags.set_hidden(
                session, self.current_video_id, bool(value), user_id=user_id
            ),
            "Video hidden: only admins see it now." if value else "Video visible to everybody again.",
        )

    @rx.event
    @admin_only
    def set_administered(self, value: bool) -> rx.event.EventSpec:
        """Mark or unmark the video as administered."""
        return self._edit(
            lambda session, user_id: video_flags.set_administered(
                session, self.current_video_id, bool(value), user_id=user_id
            ),
            "Marked administered." if value else "No longer administered.",
        )

    @rx.event
    @admin_only
    def set_notes_draft(self, value: str) -> None:
        """Keep what the admin types (the counter reads it; the server checks the length on save)."""
        self.notes_draft = str(value or "")[: NOTES_MAX_LENGTH * 4]

    @rx.event
    @admin_only
    def save_notes(self) -> rx.event.EventSpec:
        """Save the notes draft."""
        draft = self.notes_draft
        return self._edit(
            lambda session, user_id: video_flags.set_notes(
                session, self.current_video_id, draft, user_id=user_id
            ),
            "Notes saved.",
        )

    def _edit(self, change, success: str) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        principal = principal_of(self)
        try:
            with session_scope() as session:
                changes = change(session, principal.user_id)
        except FlagError as exc:
            return rx.toast.error(str(exc))
        if not changes:
            self._fetch_all()
            return rx.toast.info("Nothing changed.")
        # The history's first page holds the entry just written: show it there (and say so in the address)
        # rather than leave the admin on an older page that does not show what they did.
        self.history_page = 1
        self._fetch_all()
        return [rx.toast.success(success), self._show_view()]

    @rx.event
    @admin_only
    def restore_at_input(self, at_iso: str) -> Iterator[rx.event.EventSpec | None]:
        """Callback of the "restore to a time" picker: hand the browser's UTC time to the rollback dialog."""
        if not at_iso:
            yield rx.toast.error("Pick a date and time first.")
            return
        yield RollbackState.preview_video_at(self.current_video_id, at_iso)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
