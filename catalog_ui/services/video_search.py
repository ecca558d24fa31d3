"""SQL for grid views: the WHERE of a filter, the search, the sort keys, and one page of rows.

Search: the words of the box (all of them, the last one as a prefix) against the stored 'simple'
documents of title, artist, label and channel name in `video_search` (GIN), accents taken off both sides
(`search_fold`, migration 023), OR the text as identifiers (video, asset, custom id in any case, ISRC,
UPC, in the forms ingestion stores them) through the id columns' btree indexes: one piece of text exactly
or, from three characters, by prefix; a pasted list each exactly; a YouTube link as its video's id
(`SearchTerms`). Any input gives a result: the text is cleaned (`grid_view.clean_text`), words are taken as
runs of letters and digits and ids are compared as bound values (`%`, `_` and `\\` escaped for LIKE), so
quotes, `%`, `_`, `&`, `:*` or backslashes never reach a query as syntax.

Sorting: every column sorts on `COALESCE(column, lowest value)` (titles and the other columns read as
words through `dictionary_key` and the `dictionary` collation: dictionary order, DICTIONARY_SORTED) and
then `video_id` in the same direction, so the order is total
and stable, descending puts empty values last, and the grid's sort indexes serve
both directions. Pages: OFFSET through a deferred join (the inner query reads only the index), or keyset
("after"/"before" a row) when the grid steps to the next or previous page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session

from catalog_ui.models import MetadataSync, MetadataSyncArchive, Video, VideoSearch, VideoSort
from catalog_ui.models.video import MONETIZATION_FLAGS
from catalog_ui.services.channel_handles import channels_with_handles
from catalog_ui.services.grid_columns import LAST_SYNCED
from catalog_ui.services.grid_view import VALUE_FACETS, GridView, VideoFilter, clean_text
from catalog_ui.services.youtube_links import (
    HandleRef,
    channel_handle_from_text,
    channel_id_from_link,
    video_id_from_link,
)

MAX_WORDS = 12
MIN_PREFIX_CHARS = 3  # shorter ids match exactly only (a one-letter prefix matches 1/64 of all ids)
ID_MAX_CHARS = 100
ROW_FIELDS = ("video_id", "hidden", "administered", "notes")  # always fetched: the row's id and admin cells

V = Video.__table__.c
S = VideoSearch.__table__.c
K = VideoSort.__table__.c  # views and updated_at, mirrored with their sort indexes (models.grid.VideoSort)


def _yes_no_value(column: Any) -> ColumnElement[Any]:
    return case((column == "Yes", true()), (column == "No", false()), else_=None)


def _present(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


# Per choice facet: the row's value as true/false/NULL (for counting) — the filter is `value IS TRUE/FALSE`,
# except where an equivalent plain comparison lets the planner estimate better.
CHOICE_VALUES: dict[str, ColumnElement[Any]] = {
    "other_owner": _yes_no_value(V.claimed_by_another_owner),
    "short": V.is_short,
    "live": V.is_live_stream,
    "administered": V.administered,
    "has_isrc": _present(V.isrc),
    "has_upc": _present(V.upc),
    **{flag: _yes_no_value(V[flag]) for flag in MONETIZATION_FLAGS},
}
_YES_NO_COLUMNS = {
    "other_owner": V.claimed_by_another_owner,
    **{flag: V[flag] for flag in MONETIZATION_FLAGS},
}


def choice_clause(facet: str, value: bool) -> ColumnElement[bool]:
    """WHERE condition of choice facet `facet` set to yes (True) or no (False)."""
    if facet in _YES_NO_COLUMNS:
        return _YES_NO_COLUMNS[facet] == ("Yes" if value else "No")
    if facet in ("has_isrc", "has_upc"):
        column = V.isrc if facet == "has_isrc" else V.upc
        return _present(column) if value else or_(column.is_(None), column == "")
    return CHOICE_VALUES[facet].is_(value)


def value_clause(facet: str, selected: Sequence[str]) -> ColumnElement[bool]:
    """WHERE condition of value facet `facet` with `selected` values ('' selects empty values)."""
    column = V[VALUE_FACETS[facet]]
    named = [value for value in selected if value]
    parts = [column.in_(named)] if named else []
    if len(named) < len(selected):
        parts.append(or_(column.is_(None), column == ""))
    return or_(*parts)


def hidden_clause(scope: str, columns: Any = V) -> ColumnElement[bool] | None:
    """WHERE condition of a hidden scope (on `video`'s or `video_sort`'s `hidden`): exclude (the default),
    include (None), only."""
    if scope == "include":
        return None
    return columns.hidden.is_(scope == "only")


def escape_like(value: str) -> str:
    """`value` for a LIKE pattern (default escape character `\\`): `%`, `_` and `\\` match themselves."""
    return re.sub(r"([\\%_])", r"\\\1", value)


UPC_FORMS_MIN_DIGITS = 8  # the shortest UPC (UPC-E); shorter digit runs are not looked for without zeros


def upc_forms(typed: str) -> tuple[str, ...]:
    """The UPCs `typed` may stand for, spaces and hyphens removed as ingestion removes them, with and
    without leading zeros: a UPC-A is stored with 12 digits, the same code as an EAN-13 with 13 (one
    more leading zero), and a spreadsheet drops the leading zeros of a number (`012345678905` becomes
    `12345678905`, which ingestion keeps as reported). Empty when `typed` is not digits."""
    compact = re.sub(r"[\s-]", "", typed)
    if not re.fullmatch(r"[0-9]+", compact):
        return ()
    core = compact.lstrip("0")
    if len(core) < UPC_FORMS_MIN_DIGITS:
        return (compact,)
    return tuple(dict.fromkeys([compact, core, *(core.zfill(n) for n in (12, 13) if len(core) < n)]))


def identifier_terms(token: str) -> dict[str, tuple[str, ...]]:
    """Per id column, the values `token` may be: as typed, and in the forms the catalog stores.

    Ingestion stores ISRCs upper-cased without hyphens or spaces and UPCs as digits (`upc_forms`: with or
    without leading zeros), but keeps invalid ones as reported, so both forms are looked for. Asset ids
    are `A` and digits: also looked for upper-cased. Custom ids are compared lower-cased on both sides
    (`identifier_clause`), video ids as typed (YouTube's are case-sensitive). Terms longer than their
    column are left out.
    """
    compact = re.sub(r"[\s-]", "", token)
    forms = {
        "video_id": (token,),
        "asset_id": (token, token.upper()),
        "custom_id": (token,),
        "isrc": (token, compact.upper()),
        "upc": (token, *upc_forms(token)),
    }
    terms = {}
    for column, values in forms.items():
        fitting = tuple(v for v in dict.fromkeys(values) if v and len(v) <= V[column].type.length)
        if fitting:
            terms[column] = fitting
    return terms


CASE_INSENSITIVE_IDS = frozenset({"custom_id"})  # idx_video_custom_id is on lower(custom_id) (migration 028)


def id_type(column: str) -> type[Text] | type[String]:
    """The SQL type a typed id is bound as for `column`: text for the lower-cased custom ids, else varchar."""
    return Text if column in CASE_INSENSITIVE_IDS else String


def id_compared(column: str, value: Any) -> Any:
    """`value` (the id column or a typed id) as `column` is compared and indexed: lower-cased for custom ids."""
    return func.lower(value) if column in CASE_INSENSITIVE_IDS else value


def identifier_clause(
    ids: Sequence[str], columns: Any = V, *, prefix: bool = True
) -> ColumnElement[bool] | None:
    """Ids (of `columns`, `video`'s or an alias's) equal to one of `ids`, or, with `prefix` (one id typed
    alone), from three characters starting with it.

    Custom ids match whatever their case; the other ids as typed (ISRCs, UPCs and asset ids also in their
    stored forms, `identifier_terms`). Each id column has a btree index in a pattern operator class, so an
    exact id (or a list of them, `= ANY`) is an index probe and a prefix (`LIKE 'abc%'`) an index range,
    whatever the database's collation.
    """
    exact: dict[str, list[str]] = {}
    conditions = []
    for token in ids:
        upcs = set(upc_forms(token)) - {token}  # the other forms of a UPC are whole codes, not prefixes
        for column, values in identifier_terms(token).items():
            for value in values:
                if prefix and len(value) >= MIN_PREFIX_CHARS and not (column == "upc" and value in upcs):
                    pattern = escape_like(value) + "%"
                    conditions.append(
                        id_compared(column, columns[column]).like(
                            id_compared(column, literal(pattern, id_type(column)))
                        )
                    )
                else:
                    exact.setdefault(column, []).append(value)
    for column, values in exact.items():
        targets = [id_compared(column, literal(value, id_type(column))) for value in dict.fromkeys(values)]
        conditions.append(id_compared(column, columns[column]).in_(targets))
    return or_(*conditions) if conditions else None


WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter or a digit, in any script
# An ISRC (CC XXX YY NNNNN) or a UPC (digits) typed in groups separated by blanks.
SPACED_CODE = re.compile(r"[A-Za-z]{2} ?[A-Za-z0-9]{3}(?: ?[0-9]+)+|[0-9]+(?: [0-9]+)+")
# What separates the ids of a list pasted from a spreadsheet: line breaks (blanks once cleaned), tabs,
# commas, semicolons.
ID_SEPARATORS = re.compile(r"[\s,;]+")
MAX_IDS = 200


def tsquery_text(words: Sequence[str]) -> str:
    """A to_tsquery text requiring every word, the last one maybe a prefix.

    Each word goes quoted, as typed: PostgreSQL's parser then splits and lowercases it as it did the
    document (`AC/DC`, `N.W.A` and `2.0` are one term there; Devanagari and Thai words keep their vowel
    signs; a final sigma is lowercased as the document's), which Python's regular expressions and
    `lower()` do not."""
    terms = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words]
    if len(words[-1]) >= 2:
        terms[-1] += ":*"
    return " & ".join(terms)


def list_pieces(text: str) -> list[str]:
    """The pieces of a cleaned search text read as a pasted list (`ID_SEPARATORS`), quotes taken off."""
    pieces = [piece.strip("\"'") for piece in ID_SEPARATORS.split(text)]
    return [piece for piece in pieces if piece]


def is_spaced_code(text: str) -> bool:
    """A cleaned search text is one ISRC or UPC written in groups (`US ABC 12 34567`), not a list."""
    whole = text.strip("\"'")
    return " " in whole and SPACED_CODE.fullmatch(whole) is not None


@dataclass(frozen=True)
class SearchTerms:
    """What the search box asks for: words (what is between blanks, if it holds a letter or digit) and ids.

    One piece of text (no blank, comma or semicolon) is one id, matched exactly or by prefix. Several
    (a list pasted from a spreadsheet: one id a line, or comma- or blank-separated) are each an id matched
    exactly, and so is the whole text (a custom id may hold blanks). A YouTube link stands for its video's
    id (`youtube_links`), a channel link (`/channel/UC…`) or a handle (`@name`, `youtube.com/@name`, the
    legacy `/c/name` and `/user/name`) for its channel's videos; when the text holds one, it has no words
    (`https`, `youtube`, `com`…)."""

    words: tuple[str, ...]
    ids: tuple[str, ...]  # matched against every id column
    prefix: bool  # the one id typed alone may be a prefix
    video_ids: tuple[str, ...] = ()  # from links: matched against video ids only
    channel_ids: tuple[str, ...] = ()  # from channel links: the videos of these channels
    handles: tuple[HandleRef, ...] = ()  # the videos of the channels with these handles

    @classmethod
    def parse(cls, q: str) -> SearchTerms:
        """The terms of the box's text (cleaned first)."""
        text = clean_text(q)
        words = tuple(word for word in text.split() if WORD_CHARACTER.search(word))[:MAX_WORDS]
        whole = text.strip("\"'")
        if is_spaced_code(text):
            # An ISRC or UPC written in groups: `US ABC 12 34567`
            return cls(words=words, ids=(whole.replace(" ", ""),), prefix=True)
        pieces = list_pieces(text)[:MAX_IDS]
        links = {piece: video_id_from_link(piece) for piece in pieces}
        channels = {piece: channel_id_from_link(piece) for piece in pieces if not links[piece]}
        handles = {piece: channel_handle_from_text(piece) for piece in channels if not channels[piece]}
        video_ids = tuple(dict.fromkeys(video_id for video_id in links.values() if video_id))
        channel_ids = tuple(dict.fromkeys(channel_id for channel_id in channels.values() if channel_id))
        handle_refs = tuple(dict.fromkeys(ref for ref in handles.values() if ref))
        ids = [piece for piece in pieces if not (links[piece] or channels[piece] or handles[piece])]
        if video_ids or channel_ids or handle_refs:
            words = ()  # `https`, `youtube`, `watch`, a handle's name… are no words to look for
        elif len(ids) > 1:
            ids.append(whole)  # a custom id may hold blanks or commas
        ids = [i for i in dict.fromkeys(ids) if len(i) <= ID_MAX_CHARS]
        return cls(
            words=words,
            ids=tuple(ids),
            prefix=len(pieces) == 1,
            video_ids=video_ids,
            channel_ids=channel_ids,
            handles=handle_refs,
        )

    def words_match(self) -> ColumnElement[bool] | None:
        """A `video_search` document holds every word (None without words)."""
        if not self.words:
            return None
        # Folded as the documents are (migration 023): "jose" finds José, "José" finds Jose.
        query = func.to_tsquery(
            literal_column("'simple'::regconfig"), func.search_fold(tsquery_text(self.words))
        )
        return S.document.op("@@")(query)

    def ids_match(self, columns: Any = V) -> ColumnElement[bool] | None:
        """The ids of `columns` (`video`'s or an alias's) match (None without ids)."""
        parts = [identifier_clause(self.ids, columns, prefix=self.prefix)] if self.ids else []
        if self.video_ids:
            parts.append(columns.video_id.in_(self.video_ids))
        parts = [part for part in parts if part is not None]
        return or_(*parts) if parts else None

    def channels_match(self, columns: Any = V) -> ColumnElement[bool] | None:
        """The channel of `columns` (`video`'s or an alias's) is one a channel link or handle names (None
        without them): `channel_id IN (…)` through idx_video_channel_id, handles through
        idx_channel_handle."""
        parts = []
        if self.channel_ids:
            parts.append(columns.channel_id.in_(self.channel_ids))
        if self.handles:
            parts.append(columns.channel_id.in_(channels_with_handles(self.handles)))
        return or_(*parts) if parts else None


def search_clause(q: str, video: Any = None, *, per_row: bool = False) -> ColumnElement[bool] | None:
    """WHERE condition of the search box on `video` (or an alias of it); None when the box is empty.

    A correlated EXISTS on `video_search` (every video has its row there) whose row holds every word OR
    belongs to a video whose id matches: `video_pk = ANY(ARRAY(…))`, the ids found once through their
    btree indexes. One semi-join with the planner's own estimates (tsquery statistics, a small array):
    it either walks the sort index probing each video's row (common words) or ORs the GIN and primary
    key bitmaps first (rare words, ids). `per_row` writes a per-row probe of the document OR the id
    conditions on the row itself: for a sample, where a semi-join could be planned as a hash of every
    match in the catalog.
    """
    if not clean_text(q):
        return None
    terms = SearchTerms.parse(q)
    table = video if video is not None else Video.__table__
    channels = terms.channels_match(table.c)  # on the row itself: its channel_id is indexed
    parts = []
    if per_row:
        words = terms.words_match()
        if words is not None:
            probe = select(true()).where(S.video_pk == table.c.id, words).scalar_subquery()
            parts.append(func.coalesce(probe, False))
        ids = terms.ids_match(table.c)
        if ids is not None:
            parts.append(ids)
        if channels is not None:
            parts.append(channels)
        return or_(*parts) if parts else false()
    words = terms.words_match()
    if words is not None:
        parts.append(words)
    by_id = Video.__table__.alias("by_id")
    ids = terms.ids_match(by_id.c)
    if ids is not None:
        parts.append(S.video_pk == func.any(func.array(select(by_id.c.id).where(ids).scalar_subquery())))
    found = [exists().where(S.video_pk == table.c.id, or_(*parts))] if parts else []
    if channels is not None:
        found.append(channels)
    return or_(*found) if found else false()


def range_clauses(flt: VideoFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions of the published and views ranges (published days are whole UTC days)."""
    clauses: list[ColumnElement[bool]] = []
    if flt.published_from:
        clauses.append(V.time_published >= datetime.combine(flt.published_from, time(), UTC))
    if flt.published_to and flt.published_to < date.max:  # the last day there is bounds nothing
        end = datetime.combine(flt.published_to, time(), UTC) + timedelta(days=1)
        clauses.append(V.time_published < end)
    if flt.views_min is not None:
        clauses.append(V.views >= flt.views_min)
    if flt.views_max is not None:
        clauses.append(V.views <= flt.views_max)
    return clauses


def base_clauses(
    flt: VideoFilter, *, with_hidden: bool = True, sample: Any = None
) -> list[ColumnElement[bool]]:
    """The conditions that are not facets: search, channel ids, ranges and (unless told not to) hidden scope.

    With `sample` (a sampled alias of `video`) they are written for it, the search probed row by row.
    """
    clauses = range_clauses(flt)
    if flt.channel_ids:
        clauses.append(V.channel_id.in_(flt.channel_ids))
    hidden = hidden_clause(flt.hidden) if with_hidden else None
    if hidden is not None:
        clauses.append(hidden)
    if sample is not None:
        clauses = [ClauseAdapter(sample).traverse(clause) for clause in clauses]
    search = search_clause(flt.q, sample, per_row=sample is not None)
    if search is not None:
        clauses.append(search)
    return clauses


def facet_clauses(flt: VideoFilter) -> dict[str, ColumnElement[bool]]:
    """The condition of each active facet, keyed by facet."""
    clauses = {facet: value_clause(facet, selected) for facet, selected in flt.values}
    clauses.update({facet: choice_clause(facet, value) for facet, value in flt.choices})
    return clauses


def filter_clauses(flt: VideoFilter, *, with_hidden: bool = True) -> list[ColumnElement[bool]]:
    """Every condition of `flt` (run `flt.for_viewer(...)` first: this trusts the hidden scope), the hidden
    scope's unless told not to."""
    return [*base_clauses(flt, with_hidden=with_hidden), *facet_clauses(flt).values()]


# -- sorting and pages --------------------------------------------------------------------------------

_SENTINELS = {
    "time_published": "'-infinity'::timestamptz",
    "administered_at": "'-infinity'::timestamptz",
    "views": "'-1'::bigint",
    "video_length": "-1",
}


# "Last synced" (the time of a video's newest history entry, read per page) sorts by `updated_at`: every
# writer of history sets `updated_at` to the time of the newest entry in the same transaction
# (`audit.record_entry`, bulk, rollback, ingestion; tests/integration/test_last_synced.py holds them to
# it), so the order is the same and idx_video_sort_updated serves it.
SORT_COLUMNS = {LAST_SYNCED: "updated_at"}
SORTED_BY_MIRROR = frozenset({"views", "updated_at"})  # their sort indexes are on video_sort
# The columns people read as words, sorted in dictionary order (case-insensitive, accents next to their
# letter) rather than the database's byte order: `dictionary_key(value) COLLATE dictionary` (migration
# 024), which idx_video_sort_title indexes for titles and idx_video_sort_channel for channel names
# (migration 025); the others have no sort index either way.
# Identifiers (video, asset, custom id, ISRC, UPC, channel id) and Yes/No flags keep byte order.
DICTIONARY_SORTED = frozenset(
    {
        "title",
        "channel_display_name",
        "label",
        "category",
        "effective_policy",
        "other_owners_claiming",
        "notes",
    }
)
DICTIONARY_COLLATION = "dictionary"


def sort_columns(field: str) -> Any:
    """The columns a page sorted by `field` reads its order from: `video_sort`'s or `video`'s."""
    return K if SORT_COLUMNS.get(field, field) in SORTED_BY_MIRROR else V


def sort_key(field: str, columns: Any = V) -> ColumnElement[Any]:
    """The sort expression of a column: NULL becomes the lowest value (the sort indexes use the same).

    `columns` is `video`'s (the default) or, for a mirrored column, `video_sort`'s: same values, same order.
    """
    column = columns[SORT_COLUMNS.get(field, field)]
    if not column.nullable:
        return column
    if field in _SENTINELS:
        return func.coalesce(column, literal_column(_SENTINELS[field]))
    if isinstance(column.type, Boolean):
        return func.coalesce(cast(column, Integer), -1)
    if hasattr(column.type, "item_type"):  # arrays sort element by element; empty first
        return func.coalesce(column, cast(literal_column("'{}'"), column.type))
    key = func.coalesce(column, literal_column("''::varchar"))
    if field in DICTIONARY_SORTED:
        return func.dictionary_key(key, type_=Text).collate(DICTIONARY_COLLATION)
    return key


@dataclass(frozen=True)
class Cursor:
    """A row's place in a sort order: its sort key value and its video id."""

    key: Any
    video_id: str


# The empty dates' sort key, '-infinity', reads back from psycopg2 as 0001-01-01, which sent back as a
# cursor would sort after every empty date: a cursor keeps it as this text, which PostgreSQL casts back.
NEGATIVE_INFINITY = "-infinity"


def _cursor_key(value: Any) -> Any:
    if isinstance(value, datetime) and value.replace(tzinfo=None) == datetime.min:
        return NEGATIVE_INFINITY
    return value


@dataclass(frozen=True)
class RowsPage:
    """One page of grid rows (dicts of raw values) with the cursors of its first and last rows."""

    rows: list[dict[str, Any]]
    first: Cursor | None
    last: Cursor | None
    has_more: bool  # another row exists beyond the page in the direction it was read


def _ordering(key: ColumnElement[Any], video_id: Any, descending: bool) -> list[ColumnElement[Any]]:
    return [key.desc(), video_id.desc()] if descending else [key.asc(), video_id.asc()]


def _page_source(
    flt: VideoFilter, columns: Any, *, reads_video: bool
) -> tuple[Any, list[ColumnElement[bool]]]:
    """The FROM and WHERE of a page sorted through `columns`.

    Sorted through `video_sort`, its rows are walked in index order and `video` joined by key when the
    query or a condition reads it; the hidden scope is read from the mirror, so an OFFSET page with no
    other condition pages through the mirror's index alone (an index-only scan).
    """
    if columns is V:
        return Video.__table__, filter_clauses(flt)
    where = filter_clauses(flt, with_hidden=False)
    mirror = VideoSort.__table__
    source = mirror.join(Video.__table__, V.id == K.video_pk) if reads_video or where else mirror
    hidden = hidden_clause(flt.hidden, K)
    return source, where if hidden is None else [*where, hidden]


def page_query(
    view: GridView, *, offset: int | None = None, after: Cursor | None = None, before: Cursor | None = None
) -> Select:
    """The SELECT of one page of `view` (one row more than a page, to know whether another follows).

    Rows come in the view's order, except `before` reads backwards (the caller reverses them). Columns are
    the view's (but `last_synced`, see `latest_syncs`), ROW_FIELDS, and the sort key as `_sort_key`.
    """
    fields = [c for c in dict.fromkeys((*view.columns, *ROW_FIELDS)) if c != LAST_SYNCED]
    columns = sort_columns(view.sort)
    key = sort_key(view.sort, columns)
    descending = view.descending != (before is not None)
    limit = view.per_page + 1
    cursor = after or before
    source, where = _page_source(view.filter, columns, reads_video=cursor is not None)
    if cursor is not None:
        bound = tuple_(key, columns.video_id)
        mark_key = (
            cast(literal(cursor.key), key.type)
            if cursor.key == NEGATIVE_INFINITY
            else literal(cursor.key, key.type)
        )
        mark = tuple_(mark_key, literal(cursor.video_id))
        where.append(bound < mark if descending else bound > mark)
        query = select(*(V[f] for f in fields), key.label("_sort_key")).select_from(source).where(*where)
        return query.order_by(*_ordering(key, columns.video_id, descending)).limit(limit)
    # Deferred join: the inner query pages through the sort index alone; only the page's rows are read.
    inner = (
        select(columns.video_id)
        .select_from(source)
        .where(*where)
        .order_by(*_ordering(key, columns.video_id, descending))
        .limit(limit)
        .offset(max(0, offset or 0))
        .subquery("page_ids")
    )
    own_key = sort_key(view.sort)  # the page's rows, ordered by `video`'s copy of the same values
    return (
        select(*(V[f] for f in fields), own_key.label("_sort_key"))
        .join_from(Video.__table__, inner, inner.c.video_id == V.video_id)
        .order_by(*_ordering(own_key, V.video_id, descending))
    )


def fetch_rows(
    session: Session,
    view: GridView,
    *,
    offset: int | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> RowsPage:
    """One page of `view` (filter already `for_viewer`): at `offset`, or right after/before a cursor."""
    query = page_query(view, offset=offset, after=after, before=before)
    rows = [dict(row._mapping) for row in session.execute(query)]
    has_more = len(rows) > view.per_page
    rows = rows[: view.per_page]
    if before is not None:
        rows.reverse()
    keys = [_cursor_key(row.pop("_sort_key")) for row in rows]
    first = Cursor(keys[0], rows[0]["video_id"]) if rows else None
    last = Cursor(keys[-1], rows[-1]["video_id"]) if rows else None
    return RowsPage(rows=rows, first=first, last=last, has_more=has_more)


def newest_entry(video_id: ColumnElement[str]) -> Select:
    """SELECT of the newest history entry (`sync_time`, `changes`) of the video `video_id` names, live or
    archived: the one definition of "Last synced" (the grid's rows and exports read it).

    One index probe on idx_sync_video_time (newest entry first) and one on its archive's twin (a video
    unchanged for longer than the retention period has only archived entries)."""
    branches = [
        select(t.sync_time, t.changes)
        .where(t.video_id == video_id)
        .order_by(t.sync_time.desc())
        .limit(1)
        .correlate_except(t)
        for t in (MetadataSync, MetadataSyncArchive)
    ]
    both = union_all(*branches).subquery("e")
    return select(both.c.sync_time, both.c.changes).order_by(both.c.sync_time.desc()).limit(1)


def latest_syncs(session: Session, video_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The seed's latest-sync query for these videos only: {video_id: {"last_synced", "last_changes"}}.

    Two index probes per video (`newest_entry`), so it costs the same with five history rows or five million.
    """
    if not video_ids:
        return {}
    ids = (
        func.unnest(cast(list(dict.fromkeys(video_ids)), ARRAY(String)))
        .table_valued("video_id")
        .render_derived(name="p")
    )
    newest = newest_entry(ids.c.video_id).lateral("s")
    query = select(
        ids.c.video_id, newest.c.sync_time.label("last_synced"), newest.c.changes.label("last_changes")
    ).select_from(ids.join(newest, true()))
    rows = session.execute(query)
    return {row.video_id: {"last_synced": row.last_synced, "last_changes": row.last_changes} for row in rows}


def bounded_count_query(where: Sequence[ColumnElement[bool]], limit: int) -> Select:
    """SELECT of how many videos match `where`, counting no further than `limit` + 1."""
    inner = select(literal(1)).select_from(Video.__table__).where(*where).limit(limit + 1).subquery()
    return select(func.count()).select_from(inner)


def bounded_count(session: Session, where: Sequence[ColumnElement[bool]], limit: int) -> int:
    """How many videos match `where`, counting no further than `limit` + 1."""
    return int(session.execute(bounded_count_query(where, limit)).scalar_one())


def exact_count(session: Session, where: Sequence[ColumnElement[bool]]) -> int:
    """How many videos match `where` (reads them all: for confirmations and exports, not for every view)."""
    return int(session.execute(select(func.count()).select_from(Video.__table__).where(*where)).scalar_one())
