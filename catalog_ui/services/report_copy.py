"""Report rows as PostgreSQL `COPY … FROM STDIN` text: the reference encoder and the ingest fast path.

`to_copy_line` encodes normalized values (the reference). `RowEncoder` turns a raw CSV record straight
into the same COPY line without building values: low-cardinality columns (flags, categories, channels,
labels, artists…) go through a bounded memo of raw cell → encoded text, the few high-cardinality ones
(ids, titles, counts, times) through specialised checks for their common shape. Whatever those do not
recognise is encoded by the column's own normalizer, and a cell that normalizer refuses makes `encode`
return None so the reader takes the row through its reference path, which rejects it with its reason.
`tests/unit/test_report_copy.py` holds both paths to the same output.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import xxhash

from catalog_ui.services.report_columns import ISRC_PATTERN, FieldError, Flagged, Normalizer

COPY_EXTRA_COLUMNS = ("line", "report_date", "completeness", "row_hash")
NULL = "\\N"
# Distinct raw values remembered per column (beyond, values are encoded each time), and only short ones:
# the memos stay under ~100 MB whatever the file.
MEMO_LIMIT = 16_384
MEMO_MAX_CHARS = 64
HIGH_CARDINALITY = frozenset(
    {"video_id", "title", "time_published", "views", "asset_id", "custom_id", "isrc", "upc"}
)

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r\x00]")
_ISO_UTC_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_TEXT_LIMITS = {"title": 200, "asset_id": 50, "custom_id": 100}
_DIGIT_LIMITS = {"views": 18, "video_length": 9}  # digits that always fit bigint / int


class CellSpec(Protocol):
    """What the encoder needs to know of one header cell."""

    index: int
    column: str | None
    normalize: Normalizer
    is_report_date: bool


def _array_literal(items: Sequence[Any]) -> str:
    parts = []
    for item in items:
        if item is None:
            parts.append("NULL")
        elif isinstance(item, str):
            parts.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(item, int) and not isinstance(item, bool):
            parts.append(str(item))
        else:
            raise TypeError(f"cannot encode an array element of type {type(item).__name__}")
    return "{" + ",".join(parts) + "}"


def row_hash_salt(header: Sequence[str]) -> int:
    """The seed of a report's row hashes, from a version and the header: the same line under another
    header (or after a change to the normalizers, with a new version) never matches."""
    text = "catalog-row-v1\x1e" + "\x1f".join(header)
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogateescape"))


def row_hash(salt: int, raw_line: bytes) -> str:
    """The 128-bit hash (hex) of one record's raw line (its bytes without the line break) under `salt`.

    XXH3 rather than MD5: nothing here is adversarial (a collision could only hide a change a report made
    to one video), and it is several times faster on the million lines of a large report."""
    return xxhash.xxh3_128_hexdigest(raw_line, seed=salt)


def copy_field(value: Any) -> str:
    """One value as a COPY text field: `\\N`, t/f, digits, ISO times, array literals, escaped text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: COPY would read it in the session time zone")
        text = value.isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple)):
        text = _array_literal(value)
    else:
        raise TypeError(f"cannot encode a value of type {type(value).__name__} for COPY")
    if "\x00" in text:
        raise ValueError("PostgreSQL text cannot contain NUL characters")
    return text.translate(_COPY_ESCAPES)


def to_copy_line(values: dict[str, Any], columns: Sequence[str]) -> str:
    """Encode `values[c]` for each of `columns` as one line of PostgreSQL `COPY … FROM STDIN` text format.

    None is `\\N`, bools `t`/`f`, aware datetimes ISO with offset, lists array literals with every element
    quoted; raises KeyError for a missing column, ValueError for NULs or naive datetimes.
    """
    return "\t".join(copy_field(values[column]) for column in columns) + "\n"


def _reference(cell: CellSpec) -> Callable[[str], str]:
    """The column's normalizer, then `copy_field`: exactly what the reference path stores."""
    normalize = cell.normalize
    required = cell.column == "video_id"

    def encode(raw: str) -> str:
        value = raw.strip()
        if not value:
            if required:
                raise FieldError("empty")
            return NULL
        result = normalize(value)
        if isinstance(result, Flagged):
            result = result.value
        return copy_field(result)

    return encode


def _memoized(reference: Callable[[str], str], memo: dict[str, str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        text = reference(raw)
        if len(memo) < MEMO_LIMIT and len(raw) <= MEMO_MAX_CHARS:
            memo[raw] = text
        return text

    return encode


def _fast_text(limit: int, reference: Callable[[str], str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        # str.strip returns the very object when there is nothing to strip.
        if raw and raw.strip() is raw and len(raw) <= limit and _COPY_SPECIAL.search(raw) is None:
            return raw
        return reference(raw)

    return encode


def _fast_digits(limit: int, reference: Callable[[str], str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        if raw.isdigit() and raw.isascii() and len(raw) <= limit and (raw[0] != "0" or len(raw) == 1):
            return raw
        return reference(raw)

    return encode


def _fast_time(reference: Callable[[str], str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        if _ISO_UTC_SECONDS.fullmatch(raw):
            try:
                datetime.fromisoformat(raw)
            except ValueError:
                return reference(raw)
            return raw[:-1] + "+00:00"
        return reference(raw)

    return encode


def _fast_isrc(reference: Callable[[str], str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        return raw if ISRC_PATTERN.fullmatch(raw) else reference(raw)

    return encode


def _fast_upc(reference: Callable[[str], str]) -> Callable[[str], str]:
    def encode(raw: str) -> str:
        if raw.isdigit() and raw.isascii() and 12 <= len(raw) <= 13:
            return raw
        return reference(raw)

    return encode


def _fast(column: str, reference: Callable[[str], str]) -> Callable[[str], str]:
    if column == "video_id":
        return lambda raw: raw  # the reader checked the id's pattern before handing the row over
    if column in _TEXT_LIMITS:
        return _fast_text(_TEXT_LIMITS[column], reference)
    if column in _DIGIT_LIMITS:
        return _fast_digits(_DIGIT_LIMITS[column], reference)
    if column == "time_published":
        return _fast_time(reference)
    if column == "isrc":
        return _fast_isrc(reference)
    if column == "upc":
        return _fast_upc(reference)
    return reference


class RowEncoder:
    """Raw CSV records (already known to be data rows with a valid video id) → COPY lines.

    The encoder picks its column order, `columns`: video_id, the high-cardinality columns, the memoized
    ones, then COPY_EXTRA_COLUMNS (line number, report date, completeness: the count of non-empty values,
    and the raw record's `row_hash`).
    Per row, the memoized cells are looked up all at once (`map` over the memos) and only the few others
    call a function, which keeps Python-level work per cell to a minimum.
    """

    def __init__(self, cells: Sequence[CellSpec]) -> None:
        """Plan the encoders from the header's cells (each mapped column once, video_id among them)."""
        stored = [cell for cell in cells if not cell.is_report_date]
        vid_cell = next(cell for cell in stored if cell.column == "video_id")
        high = [cell for cell in stored if cell.column in HIGH_CARDINALITY and cell is not vid_cell]
        memoized = [cell for cell in stored if cell.column not in HIGH_CARDINALITY]
        self._vid_index = vid_cell.index
        self._high_fns = [_fast(cell.column, _reference(cell)) for cell in high]
        self._memos: list[dict[str, str]] = [{} for _ in memoized]
        self._misses = [
            _memoized(_reference(cell), memo) for cell, memo in zip(memoized, self._memos, strict=True)
        ]
        date_cells = [cell for cell in cells if cell.is_report_date]
        if date_cells:
            self._memos.append({})
            self._misses.append(_memoized(_reference(date_cells[0]), self._memos[-1]))
            memoized_indexes = [cell.index for cell in memoized] + [date_cells[0].index]
        else:
            memoized_indexes = [cell.index for cell in memoized]
        self._has_date = bool(date_cells)
        self._high_get = _getter([cell.index for cell in high])
        self._memo_get = _getter(memoized_indexes)
        self._width = len(stored)
        self.columns: tuple[str, ...] = (
            "video_id",
            *(cell.column for cell in high),
            *(cell.column for cell in memoized),
            *COPY_EXTRA_COLUMNS,
        )

    def encode(self, line: int, fields: list[str], digest: str) -> str | None:
        """The COPY line of one record (`digest`: its row hash or `\\N`), or None when a cell needs the
        reference path (bad value, bad text)."""
        joined = "".join(fields)
        if "\x00" in joined:
            return None
        if not joined.isascii():
            try:
                joined.encode("utf-8")  # undecodable bytes were read as lone surrogates
            except UnicodeEncodeError:
                return None
        raws = self._memo_get(fields)
        memoized = list(map(dict.get, self._memos, raws))
        try:
            if None in memoized:
                misses = self._misses
                position = memoized.index(None)
                while True:
                    memoized[position] = misses[position](raws[position])
                    if None not in memoized:
                        break
                    position = memoized.index(None, position + 1)
            high = list(map(operator.call, self._high_fns, self._high_get(fields)))
        except FieldError:
            return None
        report_date = memoized.pop() if self._has_date else NULL
        completeness = self._width - memoized.count(NULL) - high.count(NULL)
        cells = [fields[self._vid_index], *high, *memoized, str(line), report_date, str(completeness), digest]
        return "\t".join(cells) + "\n"


def _getter(indexes: Sequence[int]) -> Callable[[list[str]], Sequence[str]]:
    """A function returning the fields at `indexes` as a sequence (itemgetter returns a bare item for one)."""
    if not indexes:
        return lambda fields: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda fields: (fields[index],)
    return operator.itemgetter(*indexes)
