"""Channels named by their handle (`@name`, `youtube.com/@name`, legacy `/c/` and `/user/` links): the
condition the searches use, and which handles typed name no channel, for a page to say so.

`channel.handle` holds YouTube's `snippet.customUrl` as it was synced (`@someartist`, or a legacy
channel's custom URL without the `@`); it is compared lower-cased through `idx_channel_handle`
(migration 029), so any case typed finds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import Session

from catalog_ui.models import Channel
from catalog_ui.services.youtube_links import HandleRef

C = Channel.__table__.c


def handle_forms(refs: Iterable[HandleRef]) -> list[str]:
    """The lower-cased `channel.handle` values `refs` stand for, each once."""
    return list(dict.fromkeys(form for ref in refs for form in ref.forms()))


def handle_match(refs: Sequence[HandleRef], handle: ColumnElement[str] = C.handle) -> ColumnElement[bool]:
    """`handle` (a channel's, `channel.handle` by default) is one that `refs` name, whatever its case."""
    return func.lower(handle).in_(handle_forms(refs))


def channels_with_handles(refs: Sequence[HandleRef]) -> Select:
    """SELECT of the ids of the channels `refs` name (for `video.channel_id IN (…)`)."""
    return select(C.channel_id).where(handle_match(refs))


def unknown_handles(session: Session, refs: Sequence[HandleRef]) -> list[HandleRef]:
    """Those of `refs` no channel has, in the order given: one index probe for them all."""
    if not refs:
        return []
    known = set(session.execute(select(func.lower(C.handle)).where(handle_match(refs))).scalars())
    return [ref for ref in dict.fromkeys(refs) if not known.intersection(ref.forms())]


def unknown_handles_note(session: Session, refs: Sequence[HandleRef]) -> str:
    """'No channel has the handle @name.' (or 'the handles @a, @b') for the handles no channel has; ''
    when every one names a channel."""
    return not_found_note(unknown_handles(session, refs))


def not_found_note(missing: Sequence[HandleRef]) -> str:
    """'No channel has the handle @name.' (or 'the handles @a, @b'); '' when `missing` is empty."""
    if not missing:
        return ""
    names = ", ".join(ref.shown for ref in missing)
    return f"No channel has the handle{'s' if len(missing) > 1 else ''} {names}."
