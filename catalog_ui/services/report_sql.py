"""The SQL fast path of report normalization: raw CSV cells (text columns of a staging table) → `video` values.

Ingestion COPYs most of a report into a table of text columns with PostgreSQL's own CSV parser, then turns
those cells into typed values in one set-based statement built here. Like the Python fast path
(`report_copy`), it only takes the shapes it can normalize exactly as `report_columns` does — canonical
ISO times, plain digits, `Yes`/`No`, clean ISRCs, one or two pipe-separated entries… A row with any other
cell gets `fast = false` and goes through the Python normalizers, which parse, flag or reject it with the
reason. `tests/integration/test_report_load.py` holds both paths to the same staged rows.

Every expression here is total: whatever the cell, it never raises (a failed cast would abort the report),
because each cast is guarded by a check of the exact shape it accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalog_ui.models.video import ISRC_ANCHORED, UPC_ANCHORED
from catalog_ui.services.youtube.categories import CATEGORY_NAMES

# The code points Python's str.strip() removes (isspace() is true). A cell that starts or ends with one goes
# the Python way: checking the first and last character is far cheaper than btrim on every cell.
PY_WHITESPACE = tuple(code for code in range(0x3001) if chr(code).isspace())
VIDEO_ID_REGEX = "^[A-Za-z0-9_-]{11}$"
_YES = ("Yes", "yes", "YES", "Y", "y", "TRUE", "true", "True", "1")
_NO = ("No", "no", "NO", "N", "n", "FALSE", "false", "False", "0")
_PRIVACY = {
    **{word: word for word in ("public", "private", "unlisted")},
    **{word.capitalize(): word for word in ("public", "private", "unlisted")},
    **{word.upper(): word for word in ("public", "private", "unlisted")},
}


# Python's csv module (its default `field_size_limit`) refuses a longer value and ends the report in error;
# a value without a column limit of its own that is longer goes the Python way too, so both paths agree.
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class RawCell:
    """One header cell as the SQL fast path sees it: its raw column's position and what it stores."""

    index: int
    column: str | None
    kind: str | None
    limit: int | None
    is_report_date: bool


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(t: str, words: Sequence[str]) -> str:
    return f"{t} IN ({', '.join(_quote(word) for word in words)})"


def _empty(t: str) -> str:
    return f"({t} IS NULL OR {t} = '')"


def _untrimmed(t: str) -> str:
    """`t` (not empty) neither starts nor ends with whitespace: str.strip() would leave it as it is."""
    codes = ", ".join(map(str, PY_WHITESPACE))
    return f"(ascii({t}) NOT IN ({codes}) AND ascii(right({t}, 1)) NOT IN ({codes}))"


def _digits(t: str, max_digits: int) -> str:
    """`t` is 1 to `max_digits` ASCII digits (a cast to a number cannot fail)."""
    return f"({t} ~ '^[0-9]{{1,{max_digits}}}$')"


# Valid month-day pairs ("MM-DD"; 29 February goes the Python way) and clock fields, for hashed IN lookups:
# one lookup per field is far cheaper than range comparisons under the database's collation.
_MONTH_DAYS = tuple(
    f"{month:02d}-{day:02d}"
    for month, days in enumerate((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1)
    for day in range(1, days + 1)
)
_YEARS = tuple(str(year) for year in range(1900, 2101))  # other years go the Python way
_HOURS = tuple(f"{hour:02d}" for hour in range(24))
_MINUTES = tuple(f"{minute:02d}" for minute in range(60))


def _valid_date(t: str, separator: str) -> str:
    """`t` starts with a real date `YYYY?MM?DD` (`?` = `separator`, already checked), year 1900–2100.

    Every character is checked by a lookup (no translate(): it is slow on UTF-8 text)."""
    month_day = (
        f"replace(substr({t}, 6, 5), '{separator}', '-')" if separator != "-" else f"substr({t}, 6, 5)"
    )
    return f"({_in(f'substr({t}, 1, 4)', _YEARS)} AND {_in(month_day, _MONTH_DAYS)})"


def _clock(t: str, at: int) -> str:
    hour, minute, second = (f"substr({t}, {at + offset}, 2)" for offset in (0, 3, 6))
    return f"({_in(hour, _HOURS)} AND {_in(minute, _MINUTES)} AND {_in(second, _MINUTES)})"


def _iso_utc(t: str) -> str:
    """`2024-03-05T14:02:11Z`, valid."""
    shape = f"{t} LIKE '____-__-__T__:__:__Z'"
    return f"({shape} AND {_valid_date(t, '-')} AND {_clock(t, 12)})"


def _slashed(t: str) -> str:
    """`2024/03/05 14:02:11` (older exports), valid."""
    shape = f"{t} LIKE '____/__/__ __:__:__'"
    return f"({shape} AND {_valid_date(t, '/')} AND {_clock(t, 12)})"


def _timestamp(t: str) -> tuple[str, str]:
    check = f"({_empty(t)} OR {_iso_utc(t)} OR {_slashed(t)})"
    value = (
        f"CASE WHEN {_iso_utc(t)} THEN CAST({t} AS timestamptz) "
        f"WHEN {_slashed(t)} THEN CAST(replace({t}, '/', '-') AS timestamp) AT TIME ZONE 'UTC' END"
    )
    return check, value


def _report_date(t: str) -> tuple[str, str]:
    iso = f"({t} LIKE '____-__-__' AND {_valid_date(t, '-')})"
    slashed = f"({t} LIKE '____/__/__' AND {_valid_date(t, '/')})"
    check = f"({_empty(t)} OR {iso} OR {slashed})"
    return check, f"CASE WHEN {iso} OR {slashed} THEN CAST(replace({t}, '/', '-') AS date) END"


def _duration(t: str) -> tuple[str, str]:
    # m:ss (minutes unbounded) and h:mm:ss, as report_columns.duration reads them.
    mss = f"(position(':' IN {t}) > 0 AND {t} ~ '^[0-9]{{1,6}}:[0-5][0-9]$')"
    hmmss = f"(position(':' IN {t}) > 0 AND {t} ~ '^[0-9]{{1,4}}:[0-5][0-9]:[0-5][0-9]$')"
    check = f"({_empty(t)} OR {_digits(t, 9)} OR {mss} OR {hmmss})"
    value = (
        f"CASE WHEN {_digits(t, 9)} THEN CAST({t} AS integer) "
        f"WHEN {mss} THEN CAST(split_part({t}, ':', 1) AS integer) * 60 "
        f"+ CAST(split_part({t}, ':', 2) AS integer) "
        f"WHEN {hmmss} THEN CAST(split_part({t}, ':', 1) AS integer) * 3600 "
        f"+ CAST(split_part({t}, ':', 2) AS integer) * 60 + CAST(split_part({t}, ':', 3) AS integer) END"
    )
    return check, value


def _views(t: str) -> tuple[str, str]:
    return f"({_empty(t)} OR {_digits(t, 18)})", f"CASE WHEN {_digits(t, 18)} THEN CAST({t} AS bigint) END"


def _flag(t: str, yes: str, no: str) -> tuple[str, str]:
    check = f"({_empty(t)} OR {_in(t, _YES + _NO)})"
    return check, f"CASE WHEN {_in(t, _YES)} THEN {yes} WHEN {_in(t, _NO)} THEN {no} END"


def _privacy(t: str) -> tuple[str, str]:
    cases = " ".join(f"WHEN {_quote(raw)} THEN {_quote(word)}" for raw, word in _PRIVACY.items())
    return f"({_empty(t)} OR {_in(t, list(_PRIVACY))})", f"CASE {t} {cases} END"


def _category(t: str) -> tuple[str, str]:
    # Known ids and names exactly as YouTube writes them map to the name; an unknown (ASCII) name is kept
    # as reported. Other spellings of known names (`music`) and other ids go the Python way.
    names = sorted(set(CATEGORY_NAMES.values()))
    cases = " ".join(f"WHEN {_quote(cid)} THEN {_quote(name)}" for cid, name in CATEGORY_NAMES.items())
    unknown = (
        f"(length({t}) <= 50 AND {_ascii(t)} AND {_untrimmed(t)} AND {t} !~ '^[0-9]+$' "
        f"AND NOT {_in(f'lower({t})', [name.lower() for name in names])})"
    )
    check = f"({_empty(t)} OR {_in(t, [*CATEGORY_NAMES, *names])} OR {unknown})"
    return check, f"CASE {t} {cases} ELSE left(nullif({t}, ''), 50) END"


def _ascii(t: str) -> str:
    return f"octet_length({t}) = length({t})"


def _compact(t: str) -> str:
    return f"replace(replace({t}, '-', ''), ' ', '')"


def _isrc(t: str) -> tuple[str, str]:
    # Valid once upper-cased without hyphens or spaces; anything else is flagged or rejected in Python.
    compact = f"upper({_compact(t)})"
    valid = f"({_ascii(t)} AND {compact} ~ '{ISRC_ANCHORED}')"
    return f"({_empty(t)} OR {valid})", f"CASE WHEN {valid} THEN {compact} END"


def _upc(t: str) -> tuple[str, str]:
    compact = _compact(t)
    valid = f"({_ascii(t)} AND {compact} ~ '{UPC_ANCHORED}')"
    return f"({_empty(t)} OR {valid})", f"CASE WHEN {valid} THEN {compact} END"


def _entries(t: str, limit: int) -> tuple[str, str, str]:
    """One entry, or two different pipe-separated ones, each already trimmed and within `limit`.

    Returns (one, two, check). Comma-separated lists, three or more entries and untrimmed or empty entries
    go the Python way.
    """
    first, second = f"split_part({t}, '|', 1)", f"split_part({t}, '|', 2)"
    one = (
        f"({t} <> '' AND position('|' IN {t}) = 0 AND position(',' IN {t}) = 0 AND length({t}) <= {limit} "
        f"AND {_untrimmed(t)})"
    )
    two = (
        f"(position('|' IN {t}) > 0 AND length({t}) - 1 = length(replace({t}, '|', '')) "
        f"AND {first} <> '' AND {second} <> '' AND {first} <> {second} "
        f"AND {_untrimmed(first)} AND {_untrimmed(second)} "
        f"AND length({first}) <= {limit} AND length({second}) <= {limit})"
    )
    return one, two, f"({_empty(t)} OR {one} OR {two})"


def _multi(t: str, limit: int) -> tuple[str, str]:
    one, two, check = _entries(t, limit)
    return check, f"CASE WHEN {one} THEN ARRAY[{t}]::varchar[] WHEN {two} THEN string_to_array({t}, '|') END"


def _owners(t: str) -> tuple[str, str]:
    one, two, check = _entries(t, CSV_FIELD_LIMIT)
    return check, f"CASE WHEN {one} OR {two} THEN {t} END"


def _text(t: str, limit: int | None) -> tuple[str, str]:
    within = f" AND length({t}) <= {CSV_FIELD_LIMIT if limit is None else limit}"
    check = f"({_empty(t)} OR ({_untrimmed(t)}{within}))"
    # left(): a row that goes the Python way must still fit the staging column until it is replaced.
    return check, f"nullif({t}, '')" if limit is None else f"left(nullif({t}, ''), {limit})"


def _video_id(t: str, header_keys: Sequence[str]) -> tuple[str, str]:
    # An 11-character header name (`video_title`) in the id column is a repeated header row, not an id.
    keys = ", ".join(_quote(key) for key in header_keys) or "''"
    return f"({t} ~ '{VIDEO_ID_REGEX}' AND lower({t}) NOT IN ({keys}))", f"left({t}, 11)"


def cell_sql(cell: RawCell, t: str, header_keys: Sequence[str]) -> tuple[str, str]:
    """(check, value) SQL of one raw cell `t`: the value is right wherever the check is true."""
    kind = cell.kind
    if kind == "video_id":
        return _video_id(t, header_keys)
    if kind == "text":
        return _text(t, cell.limit)
    if kind == "timestamp":
        return _timestamp(t)
    if kind == "duration":
        return _duration(t)
    if kind == "views":
        return _views(t)
    if kind == "category":
        return _category(t)
    if kind == "privacy":
        return _privacy(t)
    if kind == "isrc":
        return _isrc(t)
    if kind == "upc":
        return _upc(t)
    if kind == "multi":
        return _multi(t, cell.limit or 0)
    if kind == "owners":
        return _owners(t)
    if kind == "yes_no":
        return _flag(t, "'Yes'", "'No'")
    if kind == "boolean":
        return _flag(t, "true", "false")
    if kind == "report_date":
        return _report_date(t)
    raise ValueError(f"no SQL fast path for column kind {kind!r}")


def raw_column(index: int) -> str:
    """The name of the raw staging table's text column for header position `index`."""
    return f"c{index}"


def normalize_select(
    cells: Sequence[RawCell],
    raw_table: str,
    header_keys: Sequence[str],
    *,
    hash_column: str,
    where: str = "true",
) -> tuple[str, list[str]]:
    """SELECT over `raw_table` (text columns c0…, `ord` = the row's line) of the typed staging columns,
    and the names of its columns.

    Columns: the stored columns in `cells` order, then `line`, `report_date`, `completeness` (non-empty
    stored values), `fast` (false when a cell needs the Python normalizers; the values of such a row are
    meaningless) and `row_hash` (from `hash_column`). `where` picks the raw rows (alias `h`).

    One level, with no subquery: parallel workers then compute the values, not only scan the rows. So
    `completeness` counts the non-empty raw cells, which on a `fast` row are exactly the non-NULL values
    (every check accepts an empty cell as NULL and nothing else as NULL).
    """
    checks: list[str] = []
    values: list[str] = []
    names: list[str] = []
    filled: list[str] = []
    report_date = "NULL::date"
    for cell in cells:
        t = raw_column(cell.index)
        check, value = cell_sql(cell, t, header_keys)
        if check != "true":
            checks.append(check)
        if cell.is_report_date:
            report_date = value
        else:
            values.append(value)
            names.append(cell.column or "")
            filled.append(f"(NOT {_empty(t)})::int")
    typed = ", ".join(f"{value} AS {name}" for value, name in zip(values, names, strict=True))
    fast = " AND ".join(checks) or "true"
    completeness = " + ".join(filled) or "0"
    select = (
        f"SELECT {typed}, h.ord AS line, {report_date} AS report_date, {completeness} AS completeness, "
        f"COALESCE({fast}, false) AS fast, CAST(h.{hash_column} AS uuid) AS row_hash "
        f"FROM {raw_table} h WHERE {where}"
    )
    return select, [*names, "line", "report_date", "completeness", "fast", "row_hash"]


def known_row_sql(vid_column: str, hash_column: str) -> str:
    """Condition on a raw row `h`: its hash is still its video's (`video.report_row_hash`)."""
    return (
        f"EXISTS (SELECT 1 FROM video v WHERE v.video_id = h.{vid_column} "
        f"AND v.report_row_hash = CAST(h.{hash_column} AS uuid))"
    )
