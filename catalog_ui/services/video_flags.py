"""Admin edits of the fields people own: hidden, administered (with administered_at) and notes.

Each edit is a change set of kind 'user' holding one history entry, so the video's timeline shows who did
it and why. The role is checked by the caller (the state's `@admin_only` guard); these functions check the
values. An edit that changes nothing writes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from catalog_ui.models import Video, utc_now
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.grid_view import sendable

NOTES_MAX_LENGTH = 500


class FlagError(ValueError):
    """An edit that cannot be saved (unknown video, notes too long); the message is for the user."""


def set_hidden(
    session: Session, video_id: str, hidden: bool, *, user_id: int | None, reason: str | None = None
) -> dict[str, list[Any]]:
    """Hide or unhide one video; returns the recorded diff (empty when it already was)."""
    label = "Hide video" if hidden else "Unhide video"
    return edit_flags(
        session, video_id, {"hidden": bool(hidden)}, user_id=user_id, label=label, reason=reason
    )


def set_administered(
    session: Session, video_id: str, administered: bool, *, user_id: int | None, reason: str | None = None
) -> dict[str, list[Any]]:
    """Mark a video administered (stamping `administered_at`) or unmark it (clearing the stamp)."""
    if _current(session, video_id).administered == bool(administered):
        return {}
    values = {"administered": bool(administered), "administered_at": utc_now() if administered else None}
    label = "Mark administered" if administered else "Unmark administered"
    return edit_flags(session, video_id, values, user_id=user_id, label=label, reason=reason)


def set_notes(
    session: Session, video_id: str, notes: str | None, *, user_id: int | None
) -> dict[str, list[Any]]:
    """Replace a video's notes (blank clears them); longer than 500 characters is refused."""
    return edit_flags(session, video_id, {"notes": clean_notes(notes)}, user_id=user_id, label="Edit notes")


def clean_notes(notes: str | None) -> str | None:
    """Notes as stored: surrounding blanks trimmed, '' as None; FlagError when too long or holding what
    PostgreSQL refuses in text (NUL, lone surrogates)."""
    text = (notes or "").strip()
    if sendable(text) != text:
        raise FlagError("Notes cannot contain NUL characters or unpaired surrogates (half of an emoji).")
    if len(text) > NOTES_MAX_LENGTH:
        raise FlagError(f"Notes are limited to {NOTES_MAX_LENGTH} characters; these have {len(text):,}.")
    return text or None


def edit_flags(
    session: Session,
    video_id: str,
    values: dict[str, Any],
    *,
    user_id: int | None,
    label: str,
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Apply `values` (user-owned fields) to one video as a change set of kind 'user'; returns the diff."""
    _current(session, video_id)
    change_set = open_change_set(
        session, "user", label=label, user_id=user_id, reason=(reason or "").strip() or None
    )
    changes = apply_changes(session, change_set, video_id, values, allow_user_fields=True)
    if not changes:
        session.delete(change_set)
        session.flush()
    return changes


def _current(session: Session, video_id: str) -> Video:
    video = session.execute(select(Video).where(Video.video_id == video_id)).scalar_one_or_none()
    if video is None:
        raise FlagError(f"Video {video_id[:40]} is not in the catalog.")
    return video
