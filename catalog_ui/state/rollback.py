"""The rollback dialog shared by the video page and /audit: preview with conflicts, then skip or overwrite.

Every handler is admin-only. The preview is recomputed on the server when applying, and overwriting is
refused when the videos changed since the admin saw them (the preview's fingerprint differs).

Another page of conflicts plans only that page's videos, from the conflict keys the preview returned
(`rollback.conflict_page`); when those videos changed since, or the page is past the keys, the whole
preview is prepared again, as it was for every page before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services import rollback
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.rollback import RollbackError, RollbackTarget
from catalog_ui.state.auth import AuthState
from catalog_ui.state.formatting import counted
from catalog_ui.state.guards import admin_only, principal_of
from catalog_ui.state.history_display import TIME_FIELDS, value_text

REASON_MAX_LENGTH = 500


def _whole(value: object) -> int | None:
    """`value` as a positive int when it is one (handlers get whatever the client sends), else None."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@dataclasses.dataclass
class ConflictRow:
    """A field changed since the entries being reverted."""

    video_id: str = ""
    title: str = ""
    label: str = ""
    written: str = ""
    current: str = ""
    restore: str = ""
    is_time: bool = False


def _nothing_reverted(skipped: int) -> str:
    """What applying a rollback that wrote nothing says: why nothing was written."""
    if skipped == 1:
        return "Nothing reverted: the conflicting field was skipped and keeps its current value."
    if skipped:
        return f"Nothing reverted: the {skipped:,} conflicting fields were skipped and keep their current values."
    return "Nothing needed reverting."


class RollbackState(AuthState):
    """What the dialog shows: the target, the counts, one page of conflicts, and the outcome."""

    open: bool = False
    busy: bool = False
    heading: str = ""
    error: str = ""
    videos: int = 0
    fields: int = 0
    conflicts: int = 0
    conflict_videos: int = 0
    unchanged: int = 0
    created: int = 0
    conflict_rows: list[ConflictRow] = []
    conflict_page: int = 1
    conflict_pages: int = 1
    reason: str = ""
    _target: RollbackTarget | None = None
    _fingerprint: str = ""
    # The preview's conflict keys, and the index (0-based, over all conflicts) of the first.
    _conflict_keys: list[rollback.ConflictKey] = []
    _keys_from: int = 0

    @rx.var
    def summary(self) -> str:
        """'Reverts 2 fields on 1 video.' or why nothing would change."""
        if self.fields == 0:
            return "Nothing to revert: every field already holds the value it had before."
        return f"Reverts {counted(self.fields, 'field')} on {counted(self.videos, 'video')}."

    @rx.var
    def notes(self) -> list[str]:
        """Side remarks: fields already restored, creations that stay."""
        lines = []
        if self.unchanged:
            held = (
                "holds its old value and is left as it is"
                if self.unchanged == 1
                else ("hold their old value and are left as they are")
            )
            lines.append(f"{counted(self.unchanged, 'field')} already {held}.")
        if self.created:
            lines.append(
                f"{self.created:,} video{'s were' if self.created != 1 else ' was'} added by this change; "
                "a creation cannot be undone, so they stay."
            )
        return lines

    @rx.event
    @admin_only
    def preview_entry(self, entry_id: int) -> Iterator[rx.event.EventSpec | None]:
        """Open the dialog for reverting one history entry."""
        yield from self._open_by_id(entry_id, rollback.EntryTarget, "That history entry does not exist.")

    @rx.event
    @admin_only
    def preview_change_set(self, change_set_id: int) -> Iterator[rx.event.EventSpec | None]:
        """Open the dialog for undoing a whole change set."""
        yield from self._open_by_id(
            change_set_id, rollback.ChangeSetTarget, "That change set does not exist."
        )

    @rx.event
    @admin_only
    def preview_after_entry(self, entry_id: int) -> Iterator[rx.event.EventSpec | None]:
        """Open the dialog for restoring a video to the state one of its history entries left it in."""
        yield from self._open_by_id(entry_id, rollback.AfterEntryTarget, "That history entry does not exist.")

    def _open_by_id(
        self, raw_id: int, target: Callable[[int], RollbackTarget], missing: str
    ) -> Iterator[rx.event.EventSpec | None]:
        """Open the dialog for `target` of the whole number `raw_id` sent by the browser, or say `missing`."""
        whole = _whole(raw_id)
        if whole is None:
            yield rx.toast.error(missing)
            return
        yield from self._open(target(whole))

    @rx.event
    @admin_only
    def preview_video_at(self, video_id: str, at_iso: str) -> Iterator[rx.event.EventSpec | None]:
        """Open the dialog for restoring `video_id` to its state at `at_iso` (ISO time from the browser)."""
        try:
            at = datetime.fromisoformat((at_iso or "").replace("Z", "+00:00"))
        except ValueError:
            yield rx.toast.error("Pick a date and time first.")
            return
        if at.tzinfo is None:
            yield rx.toast.error("That time has no time zone; pick it again.")
            return
        yield from self._open(rollback.VideoAtTarget(str(video_id), at))

    def _open(self, target: RollbackTarget) -> Iterator[rx.event.EventSpec | None]:
        self._target, self._fingerprint, self.reason, self.error, self.conflict_page = target, "", "", "", 1
        self.busy, self.open, self.heading = True, True, "Preparing the preview…"
        self.conflict_rows, self.fields, self.conflicts, self._conflict_keys = [], 0, 0, []
        yield
        try:
            self._load_preview()
        except RollbackError as exc:
            self.open = False
            yield rx.toast.error(str(exc))
        finally:
            self.busy = False

    def _load_preview(self) -> None:
        if self._target is None:
            return
        with session_scope() as session:
            seen = rollback.preview(session, self._target, conflict_page=self.conflict_page)
        self.heading, self._fingerprint = seen.label, seen.fingerprint
        self.videos, self.fields, self.unchanged, self.created = (
            seen.videos,
            seen.fields,
            seen.unchanged,
            seen.created,
        )
        self.conflicts, self.conflict_videos = seen.conflicts, seen.conflict_videos
        self.conflict_page, self.conflict_pages = seen.conflict_page, seen.conflict_pages
        self._conflict_keys = list(seen.conflict_keys)
        self._keys_from = (seen.conflict_page - 1) * seen.conflict_per_page
        self._show(seen.conflict_rows)

    def _show(self, conflicts: list[rollback.Conflict]) -> None:
        self.conflict_rows = [
            ConflictRow(
                video_id=c.video_id,
                title=c.title or "",
                label=field_label(c.field),
                written=value_text(c.field, c.written),
                current=value_text(c.field, c.current),
                restore=value_text(c.field, c.restore),
                is_time=c.field in TIME_FIELDS,
            )
            for c in conflicts
        ]

    def _page_keys(self) -> list[rollback.ConflictKey] | None:
        """The keys of the conflicts on `conflict_page`, when the preview returned them all."""
        first = (self.conflict_page - 1) * rollback.CONFLICT_PAGE_SIZE
        last = min(first + rollback.CONFLICT_PAGE_SIZE, self.conflicts)
        start, end = first - self._keys_from, last - self._keys_from
        if start < 0 or end > len(self._conflict_keys) or start >= end:
            return None
        return self._conflict_keys[start:end]

    @rx.event
    @admin_only
    def next_conflicts(self) -> None:
        """Show the next page of conflicts."""
        if self.conflict_page < self.conflict_pages:
            self.conflict_page += 1
            self._reload()

    @rx.event
    @admin_only
    def prev_conflicts(self) -> None:
        """Show the previous page of conflicts."""
        if self.conflict_page > 1:
            self.conflict_page -= 1
            self._reload()

    def _reload(self) -> None:
        try:
            keys = self._page_keys()
            if keys is not None and self._target is not None:
                with session_scope() as session:
                    page = rollback.conflict_page(session, self._target, keys)
                if page is not None:
                    self._show(page)
                    return
            self._load_preview()
            if keys is not None:
                self.error = (
                    "The videos changed since the preview; it was prepared again with what they hold now."
                )
        except RollbackError as exc:
            self.error = str(exc)

    @rx.event
    @admin_only
    def set_reason(self, value: str) -> None:
        """Keep the reason the admin types (stored on the rollback change set)."""
        self.reason = (value or "")[:REASON_MAX_LENGTH]

    @rx.event
    @admin_only
    def close(self) -> None:
        """Close the dialog without changing anything."""
        if not self.busy:
            self.open, self._target = False, None

    @rx.event
    @admin_only
    def apply(self, on_conflict: str) -> Iterator[rx.event.EventSpec | None]:
        """Roll back as previewed; conflicts are skipped or, when confirmed, overwritten."""
        if self._target is None or self.busy:
            return
        self.busy, self.error = True, ""
        yield
        try:
            with session_scope() as session:
                result = rollback.apply(
                    session,
                    self._target,
                    user_id=principal_of(self).user_id,
                    on_conflict=on_conflict,
                    reason=self.reason,
                    expected_fingerprint=self._fingerprint,
                )
        except (RollbackError, ValueError) as exc:
            self.error = str(exc)
            self.busy = False
            return
        self.busy, self.open, self._target = False, False, None
        if result.change_set_id is None:
            yield rx.toast.info(_nothing_reverted(result.skipped))
            return
        skipped = f"; {counted(result.skipped, 'conflicting field')} skipped" if result.skipped else ""
        yield rx.toast.success(
            f"Reverted {counted(result.fields, 'field')} on {counted(result.videos, 'video')} as change set "
            f"#{result.change_set_id}{skipped}."
        )
