"""State of the grid's actions on many videos: bulk flag changes, enqueueing tasks, and CSV exports.

The target is the selection, or every video matching the filter. Above `CONFIRM_OVER` videos the action
first shows a count preview to confirm (with an optional reason). Sets that fit a page run right away;
bigger ones run as a background job whose progress the page polls. Exports always run as a job and end
with the file downloading. Admin actions are `@admin_only`: the server refuses them for anybody else.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.models.queue import TASK_TYPES
from catalog_ui.services import grid_jobs
from catalog_ui.services.bulk import (
    CONFIRM_OVER,
    REASON_MAX_CHARS,
    BulkError,
    BulkTarget,
    count_targets,
    enqueue_bulk,
    preview,
    run_bulk,
)
from catalog_ui.services.export import remove_old_exports, write_export
from catalog_ui.services.export_files import export_url, user_exports
from catalog_ui.services.queue import QueueError
from catalog_ui.state.guards import admin_only, authenticated, on_timer
from catalog_ui.state.videos import VideosState
from catalog_ui.state.worker_wake import wake_workers

RUN_NOW_MAX = 200  # a page's worth: done within the click; more runs as a background job
JOB_POLL_MS = 700

ACTION_LABELS = {
    "hide": "Hide",
    "unhide": "Unhide",
    "administer": "Mark administered",
    "unadminister": "Unmark administered",
}


class VideoActionsState(VideosState):
    """The confirmation dialog, the running job's progress, and the finished export's link."""

    confirm_open: bool = False
    confirm_action: str = ""
    confirm_task_type: str = ""
    confirm_title: str = ""
    confirm_detail: str = ""
    reason: str = ""
    confirm_size: int = 0  # how many videos the confirmation named

    job_id: str = ""
    job_kind: str = ""
    job_label: str = ""
    job_percent: int = 0
    job_detail: str = ""
    job_running: bool = False
    download_url: str = ""
    download_name: str = ""

    def _target(self) -> BulkTarget:
        _, is_admin = self._viewer()
        if self.all_matching and self._view is not None:
            return BulkTarget(filter=self._view.filter.for_viewer(is_admin))
        return BulkTarget(video_ids=tuple(self.selected), visible_only=not is_admin)

    # -- bulk flag changes ------------------------------------------------------------------------------

    @rx.event
    @admin_only
    def start_bulk(self, action: str) -> Any:
        """Hide/unhide or (un)mark administered: run small sets now, confirm bigger ones first."""
        if action not in ACTION_LABELS:
            return rx.toast.error("Unknown action.")
        target = self._target()
        try:
            with session_scope() as session:
                counts = preview(session, action, target)
        except BulkError as exc:
            return rx.toast.error(str(exc))
        if counts.changing == 0:
            return rx.toast.info(f"Nothing to change: the {counts.matching:,} selected videos already are.")
        if counts.matching > CONFIRM_OVER:
            self.confirm_size = counts.matching
            self.confirm_action, self.confirm_task_type = action, ""
            self.confirm_title = f"{ACTION_LABELS[action]}: {counts.matching:,} videos?"
            already = counts.matching - counts.changing
            self.confirm_detail = f"{counts.changing:,} will change" + (
                f"; {already:,} already are and stay as they are." if already else "."
            )
            self.confirm_open = True
            return None
        return self._run_bulk(action, target, counts.changing)

    @rx.event
    @admin_only
    def start_enqueue(self, task_type: str) -> Any:
        """Queue a task type for the target videos (confirmed above CONFIRM_OVER videos)."""
        if task_type not in TASK_TYPES:
            return rx.toast.error("Unknown task type.")
        target = self._target()
        matching = self.selected_count
        if self.all_matching:  # counted now: the grid's total is an estimate on a large catalog
            with session_scope() as session:
                matching = count_targets(session, target)
        if matching == 0:
            return rx.toast.error("Select at least one video.")
        if matching > CONFIRM_OVER:
            self.confirm_size = matching
            self.confirm_action, self.confirm_task_type = "enqueue", task_type
            self.confirm_title = f"Queue {task_type} for {matching:,} videos?"
            self.confirm_detail = "Videos that already have this task waiting or running keep that one."
            self.confirm_open = True
            return None
        return self._run_enqueue(target, task_type, matching)

    @rx.event
    @authenticated
    def set_reason(self, value: str) -> None:
        """The optional reason typed in the confirmation."""
        self.reason = (value or "")[:REASON_MAX_CHARS]

    @rx.event
    @authenticated
    def cancel_confirm(self) -> None:
        """Close the confirmation without acting."""
        self.confirm_open = False

    @rx.event
    @authenticated
    def set_confirm_open(self, is_open: bool) -> None:
        """The dialog asks to close (Escape): close it without acting. It opens only through an action."""
        if not is_open:
            self.confirm_open = False

    @rx.event
    @admin_only
    def confirm(self) -> Any:
        """Run the confirmed action, once: a second click (a double click on Confirm) finds the dialog closed
        and does nothing, instead of acting again on a selection the first one used up."""
        if not self.confirm_open:
            return None
        self.confirm_open = False
        target = self._target()
        if self.confirm_action == "enqueue":
            return self._run_enqueue(target, self.confirm_task_type, self.confirm_size)
        return self._run_bulk(self.confirm_action, target, self.confirm_size)

    def _run_bulk(self, action: str, target: BulkTarget, size: int) -> Any:
        user_id, _ = self._viewer()
        reason = self.reason
        label = ACTION_LABELS.get(action, action)

        def work(progress: Any) -> dict[str, Any]:
            with session_scope() as session:
                result = run_bulk(session, action, target, user_id=user_id, reason=reason, progress=progress)
            return {"message": f"{label}: {result.changed:,} videos changed."}

        self.reason = ""
        if size <= RUN_NOW_MAX:
            try:
                message = work(None)["message"]
            except BulkError as exc:
                return rx.toast.error(str(exc))
            self._forget_selection()
            self._refresh()
            return rx.toast.success(message)
        return self._start_job("bulk", f"{label} on {size:,} videos", work)

    def _run_enqueue(self, target: BulkTarget, task_type: str, size: int) -> Any:
        user_id, _ = self._viewer()

        def work(progress: Any) -> dict[str, Any]:
            with session_scope() as session:
                created, already = enqueue_bulk(
                    session, target, task_type, user_id=user_id, progress=progress
                )
            wake_workers([task_type])
            kept = f" ({already:,} already queued)" if already else ""
            return {"message": f"Queued {task_type} for {created:,} videos{kept}."}

        self.reason = ""
        if size <= RUN_NOW_MAX:
            try:
                message = work(None)["message"]
            except (BulkError, QueueError) as exc:
                return rx.toast.error(str(exc))
            return rx.toast.success(message)
        return self._start_job("enqueue", f"Queue {task_type} for {size:,} videos", work)

    def _forget_selection(self) -> None:
        """Forget the selection (after an action consumed it)."""
        self.selected, self.all_matching = [], False

    # -- export -------------------------------------------------------------------------------------------

    @rx.event
    @authenticated
    def start_export(self, scope: str) -> Any:
        """Export the selection ('selected') or every video matching the filter ('view') as CSV."""
        return self._export(scope)

    @rx.event
    @authenticated
    def export_typed_view(self, typed_search: str | None) -> Any:
        """Export CSV: every video matching the view, with `typed_search`, what the search box holds at the
        click. A search still waiting for the box's pause is applied first, so the export is of the view
        the user typed, not the one before."""
        if self._view is None:
            return None
        shown = self._apply_search(typed_search) if isinstance(typed_search, str) else None
        started = self._export("view")
        return [event for event in (shown, started) if event is not None] or None

    def _export(self, scope: str) -> Any:
        if self._view is None:
            return None
        _, is_admin = self._viewer()
        view = self._view
        if scope == "selected" and not self.all_matching:
            if not self.selected:
                return rx.toast.error("Select at least one video to export.")
            target = BulkTarget(video_ids=tuple(self.selected), visible_only=not is_admin)
        else:
            target = BulkTarget(filter=view.filter.for_viewer(is_admin))
        user_id, _ = self._viewer()
        root = user_exports(user_id)

        def work(progress: Any) -> dict[str, Any]:
            remove_old_exports(root)
            with session_scope() as session:
                exported = write_export(session, view, target, root, progress=progress, admin_view=is_admin)
            return {
                "message": f"Exported {exported.rows:,} videos.",
                "url": export_url(user_id, exported.relative_path),
                "filename": exported.filename,
            }

        self.download_url = ""
        return self._start_job("export", "Exporting videos as CSV", work)

    # -- background jobs ---------------------------------------------------------------------------------

    def _start_job(self, kind: str, label: str, work: Any) -> Any:
        if self.job_running:
            return rx.toast.error("Wait for the running action to finish.")
        user_id, _ = self._viewer()
        try:
            job = grid_jobs.start_job(user_id, kind, label, work)
        except grid_jobs.JobError as exc:
            return rx.toast.error(str(exc))
        self.job_id, self.job_kind, self.job_label = job.id, kind, label
        self.job_percent, self.job_detail, self.job_running = 0, "Starting…", True
        return None

    @rx.event
    @on_timer
    def poll_job(self, _tick: str = "") -> Any:
        """While a job runs: show its progress; when it ends, report it (and download an export)."""
        if not self.job_running or not self.job_id:
            return None
        user_id, _ = self._viewer()
        job = grid_jobs.job_status(self.job_id, user_id)
        if job is None:
            self.job_running = False
            return rx.toast.error("The action's progress was lost (the server restarted?).")
        self.job_percent = job.percent
        self.job_detail = f"{job.done:,} of {job.total:,}" if job.total else "Counting…"
        if job.state == "running":
            return None
        self.job_running = False
        if job.state == "error":
            return rx.toast.error(job.message)
        if job.kind == "export":
            self.download_url, self.download_name = job.result["url"], job.result["filename"]
            return [
                rx.download(url=self.download_url, filename=self.download_name),
                rx.toast.success(job.result["message"]),
            ]
        self._forget_selection()
        self._refresh()
        return rx.toast.success(job.result.get("message", "Done."))
