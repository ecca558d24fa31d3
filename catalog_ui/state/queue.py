"""State of /queue: live counts and throughput, one filtered page of tasks, a task's detail, admin actions.

While the page is open an invisible timer calls `tick` every POLL_INTERVAL_MS (the timer unmounts, and
the polling stops, when the page is left). Viewing needs a session; retrying, cancelling and changing a
priority need the admin role, checked on the server. After a change commits, `wake_workers` tells the
workers so they start at once instead of at the scheduler's next round. The filters and the page are kept
in the URL (`services/list_views.py`): each change pushes a history entry, and `load` reads the URL again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.queue import TASK_STATUSES, TASK_TYPES
from catalog_ui.services import queue
from catalog_ui.services.auth import find_user_by_login
from catalog_ui.services.grid_view import clean_text
from catalog_ui.services.list_views import ALL, FILTER_MAX_CHARS, QueueView, parse_queue_view
from catalog_ui.services.paging import page_count
from catalog_ui.services.queue import QueueError
from catalog_ui.state.auth import AuthState
from catalog_ui.state.guards import admin_only, authenticated, on_timer, principal_of
from catalog_ui.state.queue_display import (
    CountRow,
    TaskDetail,
    TaskRow,
    count_rows,
    task_detail,
    task_row,
    throughput_points,
    throughput_summary,
)
from catalog_ui.state.url_history import settle_url, show_url, typing_continues, typing_ended
from catalog_ui.state.worker_wake import wake_workers

log = logging.getLogger(__name__)

POLL_INTERVAL_MS = 3000
PAGE_SIZE = 50
THROUGHPUT_MINUTES = 15
PRIORITY_MAX = 2_147_483_647  # the column is a PostgreSQL integer
# Every open /queue tab polls; within this process they share one reading of the counts and throughput.
OVERVIEW_MAX_AGE_S = 2.0

_overview_lock = threading.Lock()
_overviews: dict[bool, tuple[float, Any]] = {}  # by whether hidden videos' tasks count (admins)


def read_overview(
    max_age_s: float = 0.0, *, include_hidden: bool = False
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """(counts by type and status, pauses, throughput minutes), reused when read less than `max_age_s` ago;
    hidden videos' tasks count only when `include_hidden` (admins)."""
    with _overview_lock:
        cached = _overviews.get(include_hidden)
        if cached is not None and time.monotonic() - cached[0] < max_age_s:
            return cached[1]
    with session_scope() as session:
        data = (
            queue.counts_by_status_and_type(session, include_hidden=include_hidden),
            queue.pauses(session),
            queue.throughput(session, THROUGHPUT_MINUTES, include_hidden=include_hidden),
        )
    with _overview_lock:
        _overviews[include_hidden] = (time.monotonic(), data)
    return data


def _task_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class QueueState(AuthState):
    """What /queue shows: counts, throughput, pauses, one page of tasks, the open task, the confirmation."""

    count_rows: list[CountRow] = []
    count_total: CountRow = CountRow(task_type=ALL)
    throughput: list[dict[str, Any]] = []
    throughput_text: str = ""

    status_filter: str = ALL
    type_filter: str = ALL
    # The two boxes are uncontrolled (an echo of what was sent would overwrite what was typed since): a new
    # key remounts one with its filter when the filter changes from elsewhere (a link, back, "Mine").
    video_filter: str = ""
    video_key: int = 0
    creator_filter: str = ""
    creator_key: int = 0
    creator_error: str = ""
    _creator_id: int | None = None
    _typing: str = ""  # the box being typed into (`url_history.typing_continues`)
    _typed_at: float = 0.0

    rows: list[TaskRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    detail_open: bool = False
    detail: TaskDetail = TaskDetail()
    priority_draft: str = "0"

    confirm_open: bool = False
    confirm_action: str = ""
    confirm_title: str = ""
    confirm_detail: str = ""

    @rx.var
    def total_label(self) -> str:
        """'1,204 tasks'."""
        return f"{self.total:,} task{'' if self.total == 1 else 's'}"

    @rx.var
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return bool(
            self.status_filter != ALL or self.type_filter != ALL or self.video_filter or self.creator_filter
        )

    # -- reading ---------------------------------------------------------------------------------------

    def _filters(self) -> dict[str, Any]:
        """The list's filters as `services.queue` takes them (status excluded)."""
        return {
            "task_type": None if self.type_filter == ALL else self.type_filter,
            "video_id": self.video_filter or None,
            "created_by": self._creator_id,
        }

    def _fetch_overview(self, max_age_s: float = 0.0) -> None:
        counts, pauses, minutes = read_overview(max_age_s, include_hidden=principal_of(self).is_admin)
        self.count_rows, self.count_total = count_rows(counts, pauses)
        self.throughput = throughput_points(minutes)
        self.throughput_text = throughput_summary(minutes)

    def _fetch_tasks(self) -> None:
        if self.creator_error:
            self.rows, self.total, self.pages, self.page = [], 0, 1, 1
            return
        status = None if self.status_filter == ALL else self.status_filter
        with session_scope() as session:
            result = queue.list_tasks(
                session,
                status=status,
                page=self.page,
                per_page=PAGE_SIZE,
                include_hidden=principal_of(self).is_admin,
                **self._filters(),
            )
        self.total = result.total
        self.pages = page_count(result.total, PAGE_SIZE)
        if not result.rows and self.page > self.pages:
            self.page = self.pages
            self._fetch_tasks()
            return
        self.rows = [task_row(row) for row in result.rows]

    def _fetch_detail(self) -> None:
        with session_scope() as session:
            task = queue.get_task(session, self.detail.id, include_hidden=principal_of(self).is_admin)
            if task is None:
                self.detail_open = False
                return
            title = next((r.video_title for r in self.rows if r.id == task.id), self.detail.video_title)
            self.detail = task_detail(task, title)

    def _refresh(self, overview_max_age_s: float = 0.0) -> None:
        self._fetch_overview(overview_max_age_s)
        self._fetch_tasks()
        if self.detail_open:
            self._fetch_detail()

    def _resolve_creator(self) -> None:
        login = self.creator_filter
        self._creator_id, self.creator_error = None, ""
        if not login:
            return
        with session_scope() as session:
            user = find_user_by_login(session, login)
            if user is None:
                self.creator_error = f"No user with the e-mail or username '{login}'."
            else:
                self._creator_id = user.id

    # -- the view in the URL ----------------------------------------------------------------------------

    def _view(self) -> QueueView:
        return QueueView(
            self.status_filter, self.type_filter, self.video_filter, self.creator_filter, self.page
        )

    def _apply(self, view: QueueView, *, typed: str = "") -> None:
        """Make `view` the list's filters and page. A box remounts with its new value (`*_key`) unless it is
        the one being typed into (`typed`), whose text may already be ahead of the value sent."""
        if view.video != self.video_filter and typed != "video":
            self.video_key += 1
        if view.creator != self.creator_filter and typed != "creator":
            self.creator_key += 1
        creator_changed = view.creator != self.creator_filter
        self.status_filter, self.type_filter = view.status, view.task_type
        self.video_filter, self.creator_filter, self.page = view.video, view.creator, view.page
        if creator_changed:
            self._resolve_creator()

    def _go(self, view: QueueView, *, typed: str = "") -> rx.event.EventSpec:
        """Show `view` and put it in the URL: a new history entry, or the same one while `typed` (a box's
        name) is typed into."""
        value = {"video": view.video, "creator": view.creator}.get(typed, "")
        same_entry = typing_continues(typed, self._typing, self._typed_at)
        self._apply(view, typed=typed)
        self._fetch_tasks()
        self._typing, self._typed_at = typing_ended(typed, value)
        return show_url(self._view().url(), same_entry=same_entry)

    def _filtered(self, **changes: Any) -> rx.event.EventSpec:
        return self._go(replace(self._view(), page=1, **changes))

    @rx.event
    @authenticated
    def load(self) -> Any:
        """on_load (also back/forward): the filters and page the URL names, then everything."""
        view, problems = parse_queue_view(self.router.url.query)
        self._typing = ""
        self._apply(view)
        self._resolve_creator()  # again: the user may exist since
        self.detail_open, self.confirm_open = False, False
        self._refresh()
        shown = self._view()
        return settle_url(shown.url(), problems, corrected=shown != view, toast_id="queue-url-problems")

    @rx.event
    @on_timer
    def tick(self, _now: str = "") -> None:
        """The poll timer: counts, throughput, the visible page and the open task, read again."""
        self._refresh(OVERVIEW_MAX_AGE_S)

    # -- filters and pages -----------------------------------------------------------------------------

    @rx.event
    @authenticated
    def set_status_filter(self, status: str) -> Any:
        """Show only tasks of `status` ('all' for every one)."""
        return self._filtered(status=status if status in TASK_STATUSES else ALL)

    @rx.event
    @authenticated
    def set_type_filter(self, task_type: str) -> Any:
        """Show only tasks of `task_type` ('all' for every one)."""
        return self._filtered(task_type=task_type if task_type in TASK_TYPES else ALL)

    @rx.event
    @authenticated
    def set_video_filter(self, video_id: str) -> Any:
        """Show only the tasks of one video (its exact id), as it is typed."""
        video = clean_text(str(video_id or ""), FILTER_MAX_CHARS)
        if video == self.video_filter:
            return None
        return self._go(replace(self._view(), video=video, page=1), typed="video")

    @rx.event
    @authenticated
    def set_creator_filter(self, login: str) -> Any:
        """Show only the tasks queued by one user (e-mail or username), as it is typed."""
        creator = clean_text(str(login or ""), FILTER_MAX_CHARS)
        if creator == self.creator_filter:
            return None
        return self._go(replace(self._view(), creator=creator, page=1), typed="creator")

    @rx.event
    @authenticated
    def only_mine(self) -> Any:
        """Show the tasks the signed-in user queued."""
        return self._filtered(creator=principal_of(self).email)

    @rx.event
    @authenticated
    def show_cell(self, task_type: str, status: str) -> Any:
        """A click in the counts table: filter the list by that type and status."""
        return self._filtered(
            task_type=task_type if task_type in TASK_TYPES else ALL,
            status=status if status in TASK_STATUSES else ALL,
        )

    @rx.event
    @authenticated
    def clear_filters(self) -> Any:
        """Every task again."""
        return self._go(QueueView())

    @rx.event
    @authenticated
    def next_page(self) -> Any:
        """Older tasks."""
        if self.page >= self.pages:
            return None
        return self._go(replace(self._view(), page=self.page + 1))

    @rx.event
    @authenticated
    def prev_page(self) -> Any:
        """Newer tasks."""
        if self.page <= 1:
            return None
        return self._go(replace(self._view(), page=self.page - 1))

    # -- detail ----------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def open_detail(self, task_id: int) -> rx.event.EventSpec | None:
        """Show one task's payload, result, error, timings, retries and lease."""
        task_id = _task_id(task_id)
        if task_id is None:
            return rx.toast.error("Unknown task.")
        self.detail = TaskDetail(id=task_id)
        self.detail_open = True
        self._fetch_detail()
        if not self.detail_open:
            return rx.toast.error(f"Task #{task_id} no longer exists.")
        self.priority_draft = str(self.detail.priority)
        return None

    @rx.event
    @authenticated
    def set_detail_open(self, is_open: bool) -> None:
        """Close (or keep open) the detail dialog."""
        self.detail_open = bool(is_open) and self.detail.id > 0

    @rx.event
    @admin_only
    def set_priority_draft(self, value: str) -> None:
        """What the admin types in the priority field (checked when saved)."""
        self.priority_draft = str(value or "")[:20]

    # -- admin actions ---------------------------------------------------------------------------------

    @rx.event
    @admin_only
    def retry(self, task_id: int) -> rx.event.EventSpec:
        """Put one failed task back in the queue with a fresh retry count."""
        task_id = _task_id(task_id)
        if task_id is None:
            return rx.toast.error("Unknown task.")
        with session_scope() as session:
            task = queue.get_task(session, task_id, include_hidden=True)
            task_type = task.task_type if task is not None else ""
            done = queue.retry_failed(session, [task_id]) if task is not None else 0
        self._refresh()
        if not done:
            return rx.toast.error(
                f"Task #{task_id} was not retried: it is no longer failed, or its video already has a "
                f"{task_type or 'task'} task waiting or running."
            )
        wake_workers([task_type])
        return rx.toast.success(f"Task #{task_id} is back in the queue.")

    @rx.event
    @admin_only
    def cancel(self, task_id: int) -> rx.event.EventSpec:
        """Cancel one pending task."""
        task_id = _task_id(task_id)
        if task_id is None:
            return rx.toast.error("Unknown task.")
        with session_scope() as session:
            done = queue.cancel(session, [task_id])
        self._refresh()
        if not done:
            return rx.toast.error(f"Task #{task_id} is no longer pending: it started or finished already.")
        return rx.toast.success(f"Task #{task_id} cancelled.")

    @rx.event
    @admin_only
    def save_priority(self) -> rx.event.EventSpec:
        """Give the open (pending) task the priority typed in the dialog; higher runs first."""
        task_id = self.detail.id
        try:
            priority = int(self.priority_draft.strip())
        except ValueError:
            return rx.toast.error("Priority must be a whole number of 0 or more.")
        if priority > PRIORITY_MAX:
            return rx.toast.error(f"Priority must be at most {PRIORITY_MAX:,}.")
        try:
            with session_scope() as session:
                changed = queue.set_priority(session, task_id, priority)
        except QueueError as exc:
            return rx.toast.error(str(exc))
        self._refresh()
        if not changed:
            return rx.toast.error(
                f"Task #{task_id} is no longer pending; only a waiting task's priority can change."
            )
        return rx.toast.success(f"Task #{task_id} now has priority {priority:,}.")

    def _scope_text(self) -> str:
        parts = []
        if self.type_filter != ALL:
            parts.append(f"type {self.type_filter}")
        if self.video_filter:
            parts.append(f"video {self.video_filter}")
        if self.creator_filter:
            parts.append(f"queued by {self.creator_filter}")
        return " matching " + ", ".join(parts) if parts else ""

    @rx.event
    @admin_only
    def ask_bulk(self, action: str) -> rx.event.EventSpec | None:
        """'retry' every failed or 'cancel' every pending task matching the filters: count them, confirm."""
        if action not in ("retry", "cancel"):
            return rx.toast.error("Unknown action.")
        if self.creator_error:
            return rx.toast.error(self.creator_error)
        status = "failed" if action == "retry" else "pending"
        with session_scope() as session:
            matching = queue.list_tasks(
                session, status=status, per_page=1, include_hidden=True, **self._filters()
            ).total
        scope = self._scope_text()
        if matching == 0:
            return rx.toast.info(f"No {status} tasks{scope}.")
        noun = f"{matching:,} {status} task{'' if matching == 1 else 's'}{scope}"
        self.confirm_action = action
        if action == "retry":
            self.confirm_title = f"Retry {noun}?"
            self.confirm_detail = (
                "They go back to pending with a fresh retry count. A task whose video already has one of "
                "that type waiting or running is skipped."
            )
        else:
            self.confirm_title = f"Cancel {noun}?"
            self.confirm_detail = "Tasks already running finish on their own; the cancelled ones never run."
        self.confirm_open = True
        return None

    @rx.event
    @authenticated
    def close_confirm(self) -> None:
        """Close the confirmation without acting."""
        self.confirm_open = False

    @rx.event
    @authenticated
    def set_confirm_open(self, is_open: bool) -> None:
        """The dialog asks to close (Escape): close it without acting. It opens only through `ask_bulk`."""
        if not is_open:
            self.confirm_open = False

    @rx.event
    @admin_only
    def confirm_bulk(self) -> rx.event.EventSpec | None:
        """Run the confirmed retry or cancel on everything matching the filters now, once: a second click
        finds the dialog closed and does nothing."""
        if not self.confirm_open:
            return None
        self.confirm_open = False
        action, filters = self.confirm_action, self._filters()
        if self.creator_error:
            return rx.toast.error(self.creator_error)
        with session_scope() as session:
            if action == "retry":
                done = queue.retry_failed(session, **filters)
            elif action == "cancel":
                done = queue.cancel(session, **filters)
            else:
                return rx.toast.error("Unknown action.")
        self._refresh()
        plural = "" if done == 1 else "s"
        if action == "retry":
            if done:
                wake_workers([filters["task_type"]] if filters["task_type"] else TASK_TYPES)
            return rx.toast.success(f"{done:,} task{plural} back in the queue.")
        return rx.toast.success(f"{done:,} task{plural} cancelled.")
