"""Which ids of a list pasted into the grid's search found no video: what a catalog team checks a label's
spreadsheet against (missing deliveries).

The list is read as the search reads it (`video_search.SearchTerms`): pieces separated by blanks (line
breaks), tabs, commas or semicolons, quotes taken off, at most `MAX_IDS`; a YouTube link stands for its
video's id; a channel link or handle names a channel, not an id, and is not counted (the page says which
handles name no channel, `channel_handles`); any other piece is looked for in every id column in the
forms the search uses (`identifier_terms`: custom ids in any case, ISRCs and UPCs as stored, asset ids
upper-cased). "Found" means a video the viewer may see has it: for anybody but an admin a hidden video's
id is not found (its existence is not told). Other filters of the view do not count: the question is
whether the catalog holds the video.

One query per id column, whatever the list's length: the column's index probed with `= ANY(array)` and
the matches joined back to the values typed, compared as the column is (`video_search.id_compared`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ARRAY, any_, func, literal, select
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.grid_view import clean_text
from catalog_ui.services.video_search import (
    ID_MAX_CHARS,
    MAX_IDS,
    id_compared,
    id_type,
    identifier_terms,
    is_spaced_code,
    list_pieces,
)
from catalog_ui.services.youtube_links import (
    channel_handle_from_text,
    channel_id_from_link,
    video_id_from_link,
)

V = Video.__table__.c
DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class PastedIds:
    """The outcome of a pasted list: how many distinct ids were looked for, those not found (as pasted, in
    the order pasted), and how many distinct pieces beyond `MAX_IDS` were not looked for at all."""

    looked_for: int
    missing: tuple[str, ...]
    not_looked_for: int = 0

    @property
    def found(self) -> int:
        return self.looked_for - len(self.missing)


def pasted_pieces(q: str) -> tuple[list[str], int] | None:
    """The distinct pieces of a search text that is a list (two pieces or more; an ISRC or UPC written in
    groups is one id), the first `MAX_IDS` pieces as the search takes them, and how many other distinct
    pieces follow them; None when the text is no list."""
    text = clean_text(q)
    if not text or is_spaced_code(text):
        return None
    pieces = list_pieces(text)
    looked = list(dict.fromkeys(pieces[:MAX_IDS]))
    if len(looked) < 2:
        return None
    beyond = set(pieces[MAX_IDS:]) - set(looked)
    return looked, len(beyond)


def found_values(session: Session, column: str, values: Iterable[str], *, can_see_hidden: bool) -> set[str]:
    """Which of `values` (as typed) equal `column` of a video the viewer may see: one query, the column's
    index probed once with `= ANY(array)`, the matches joined back to the typed values."""
    values = list(dict.fromkeys(values))
    if not values:
        return set()
    # Typed as the column (varchar; text for the lower-cased custom ids), so the comparison is the index's.
    array = literal(values, ARRAY(id_type(column)))
    typed = func.unnest(array).table_valued("value").render_derived(name="typed")
    wanted = func.unnest(array).table_valued("value").render_derived(name="wanted")
    stored = id_compared(column, V[column])
    probe = func.array(select(id_compared(column, wanted.c.value)).scalar_subquery())
    matched = select(stored.label("key")).where(stored == any_(probe))
    if not can_see_hidden:
        matched = matched.where(V.hidden.is_(False))
    matched = matched.distinct().subquery("matched")
    query = select(typed.c.value).join(matched, matched.c.key == id_compared(column, typed.c.value))
    return set(session.execute(query).scalars())


def pasted_ids(session: Session, q: str, *, can_see_hidden: bool) -> PastedIds | None:
    """Which ids of the list `q` (the search box's text) no video the viewer may see holds; None when `q`
    is not a list of ids.

    A text of several words may be a search by words and not a list: it counts as one when it holds a
    YouTube link, when one of its pieces was found, or when every piece holds a digit (ISRCs, UPCs, asset
    ids, most custom ids). The whole text found as a custom id (they may hold blanks) makes it one id.
    """
    listed = pasted_pieces(q)
    if listed is None:
        return None
    pieces, not_looked_for = listed
    channel_pieces = [p for p in pieces if channel_id_from_link(p) or channel_handle_from_text(p)]
    pieces = [piece for piece in pieces if piece not in channel_pieces]
    if not pieces:
        return None
    forms: dict[str, dict[str, tuple[str, ...]]] = {}
    has_link = bool(channel_pieces)
    for piece in pieces:
        video_id = video_id_from_link(piece)
        if video_id:
            forms[piece] = {"video_id": (video_id,)}
            has_link = True
        else:
            forms[piece] = identifier_terms(piece) if len(piece) <= ID_MAX_CHARS else {}
    wanted: dict[str, list[str]] = {}
    for terms in forms.values():
        for column, values in terms.items():
            wanted.setdefault(column, []).extend(values)
    whole = clean_text(q).strip("\"'")
    if len(whole) <= min(ID_MAX_CHARS, V.custom_id.type.length):
        wanted.setdefault("custom_id", []).append(whole)
    found = {
        column: found_values(session, column, values, can_see_hidden=can_see_hidden)
        for column, values in wanted.items()
    }
    if whole in found.get("custom_id", set()):
        return None
    missing = [
        piece
        for piece in pieces
        if not any(value in found[column] for column, values in forms[piece].items() for value in values)
    ]
    if not (has_link or len(missing) < len(pieces) or all(DIGIT.search(p) for p in pieces)):
        return None
    return PastedIds(looked_for=len(pieces), missing=tuple(missing), not_looked_for=not_looked_for)
