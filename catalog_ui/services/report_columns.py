"""The outside-name → `video` column table for CMS "Videos" reports, and the value normalizers.

A new report variant is one edit to `REPORT_COLUMNS`. Every normalizer takes a stripped, non-empty cell
and returns the value to store, a `Flagged` value (stored, with a data-quality flag on the row), or
raises `FieldError` with a short, stable reason (stable so the UI can group rejections by reason).

Known names we do not store map to `IGNORED` and are counted by the reader like unknown names:
- `album`: the `video` table has no album column.
- `claimed_by_this_owner` (older exports, Yes/No): whether *this* owner claims the video. It is neither
  `claimed_status` (the claim's state: active, inactive, …) nor `claimed_by_another_owner`, so deriving
  either from it would invent data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from catalog_ui.models.video import ISRC_REGEX, UPC_REGEX
from catalog_ui.services.youtube.categories import category_name

VIDEO_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{11}")
ISRC_PATTERN = re.compile(ISRC_REGEX)
UPC_PATTERN = re.compile(UPC_REGEX)
PRIVACY_STATUSES = ("public", "private", "unlisted")
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

_TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
_FALSE_WORDS = frozenset({"no", "n", "false", "0"})
# One separator kind per number: "1,234,567", "1 234", and the no-break spaces spreadsheets insert.
_GROUPED_INT = re.compile(r"[0-9]{1,3}(?:([, \u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*")
_PLAIN_INT = re.compile(r"[0-9]+")
_DURATION = re.compile(r"(?:(?:([0-9]+):)?([0-9]+):)?([0-9]+)")
_SLASHED_TIME = re.compile(
    r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"
    r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)?(?:\s*(?:Z|UTC))?"
)


class FieldError(ValueError):
    """A cell that cannot be stored; `reason` is short and user-facing (e.g. "longer than 200 characters")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Flagged(NamedTuple):
    """A value stored as reported but marked with a data-quality flag (e.g. `isrc_invalid`)."""

    value: Any
    flag: str


Normalizer = Callable[[str], Any]


@dataclass(frozen=True)
class ReportColumn:
    """Where one outside header goes: a `video` column with its normalizer, the report date, or nowhere.

    `kind` names the normalizer for the SQL fast path (`report_sql`), `limit` its length limit if any.
    """

    column: str | None
    normalize: Normalizer | None = None
    is_report_date: bool = False
    kind: str | None = None
    limit: int | None = None


def normalize_header(name: str) -> str:
    """Return the matching key of a header cell: BOM and outer spaces removed, lower case, `_` for spaces."""
    return re.sub(r"\s+", "_", name.replace("\ufeff", "").strip().lower())


def text(limit: int | None) -> Normalizer:
    """Return a normalizer that keeps text as reported, rejecting it when longer than `limit` characters."""

    def normalize(value: str) -> str:
        if limit is not None and len(value) > limit:
            raise FieldError(f"longer than {limit} characters")
        return value

    return normalize


def video_id(value: str) -> str:
    """Accept exactly 11 characters of `[A-Za-z0-9_-]`."""
    if not VIDEO_ID_PATTERN.fullmatch(value):
        raise FieldError("not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)")
    return value


def yes_no(value: str) -> str:
    """Map Yes/No vocabulary (yes, y, true, 1 / no, n, false, 0, any case) to 'Yes' or 'No'."""
    return "Yes" if boolean(value) else "No"


def boolean(value: str) -> bool:
    """Map the same Yes/No vocabulary as `yes_no` to a bool."""
    word = value.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise FieldError("not a Yes/No value")


def _count(value: str, limit: int) -> int:
    negative = value.startswith("-")
    digits = value[1:].strip() if negative else value
    if _PLAIN_INT.fullmatch(digits):
        number = int(digits)
    elif _GROUPED_INT.fullmatch(digits):
        number = int(re.sub(r"[^0-9]", "", digits))
    else:
        raise FieldError("not a whole number")
    if negative and number:
        raise FieldError("negative")
    if number > limit:
        raise FieldError(f"larger than {limit}")
    return number


def views(value: str) -> int:
    """Parse a non-negative view count; thousands separators (`1,234,567`, `1 234`) are accepted."""
    return _count(value, BIGINT_MAX)


def duration(value: str) -> int:
    """Parse a length in seconds, `m:ss` or `h:mm:ss` into whole seconds."""
    if value.startswith("-"):
        if _DURATION.fullmatch(value[1:].strip()):
            raise FieldError("negative")
        raise FieldError("not a duration (seconds, m:ss or h:mm:ss)")
    match = _DURATION.fullmatch(value)
    if not match:
        raise FieldError("not a duration (seconds, m:ss or h:mm:ss)")
    hours, minutes, seconds = match.groups()
    if (minutes is not None and int(seconds) >= 60) or (hours is not None and int(minutes) >= 60):
        raise FieldError("not a duration (seconds, m:ss or h:mm:ss)")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    if total > INT_MAX:
        raise FieldError(f"larger than {INT_MAX}")
    return total


def timestamp(value: str) -> datetime:
    """Parse ISO-8601 (`Z`, offset, fractions, date only) or `2024/03/05 14:02:11` into an aware UTC datetime.

    Times without an offset are UTC, as YouTube's reports state. RFC 3339's lower-case `t` and `z` are read
    as their capitals (the only letters either format has).
    """
    value = value.upper()
    slashed = _SLASHED_TIME.fullmatch(value)
    try:
        if slashed:
            year, month, day, hour, minute, second, fraction = slashed.groups()
            micro = int((fraction or "0")[:6].ljust(6, "0"))
            parsed = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
            )
        else:
            parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise FieldError("not a valid date and time") from None


def report_date(value: str) -> date:
    """Parse the day a Reporting API row is about: `2024-03-05`, `20240305` or `2024/03/05`."""
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise FieldError("not a valid date") from None


def privacy(value: str) -> str:
    """Accept public, private or unlisted in any case; store lower case."""
    word = value.lower()
    if word not in PRIVACY_STATUSES:
        raise FieldError("not one of public, private, unlisted")
    return word


def category(value: str) -> str:
    """Store the category name; numeric ids become names (`10` → `Music`)."""
    name = category_name(value) or value
    if len(name) > 50:
        raise FieldError("longer than 50 characters")
    return name


def split_multi(value: str) -> list[str]:
    """Split on `|` (or on `,` when there is no pipe), trim, drop empties, de-duplicate keeping order."""
    parts = value.split("|") if "|" in value else value.split(",")
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def multi(limit: int) -> Normalizer:
    """Return a normalizer for an array column whose elements are at most `limit` characters each."""

    def normalize(value: str) -> list[str] | None:
        items = split_multi(value)
        if any(len(item) > limit for item in items):
            raise FieldError(f"an entry is longer than {limit} characters")
        return items or None

    return normalize


def owners(value: str) -> str | None:
    """Normalize a list of claiming owners to one `|`-joined text."""
    return "|".join(split_multi(value)) or None


def isrc(value: str) -> str | Flagged:
    """Store a valid ISRC upper-cased without hyphens or spaces; keep anything else as reported, flagged
    (compacted like a valid one when only that fits the column: `us-abc-24-0001`, a digit short)."""
    compact = re.sub(r"[\s-]", "", value).upper()
    if ISRC_PATTERN.fullmatch(compact):
        return compact
    if len(value) <= 12:
        return Flagged(value, "isrc_invalid")
    if len(compact) <= 12:
        return Flagged(compact, "isrc_invalid")
    raise FieldError("longer than 12 characters")


def upc(value: str) -> str | Flagged:
    """Store a 12–13 digit UPC (spaces and hyphens removed); keep anything else as reported, flagged."""
    compact = re.sub(r"[\s-]", "", value)
    if UPC_PATTERN.fullmatch(compact):
        return compact
    if len(value) <= 20:
        return Flagged(value, "upc_invalid")
    if len(compact) <= 20:
        return Flagged(compact, "upc_invalid")
    raise FieldError("longer than 20 characters")


def _store(column: str, normalize: Normalizer, kind: str) -> ReportColumn:
    return ReportColumn(column, normalize, kind=kind)


def _text(column: str, limit: int | None) -> ReportColumn:
    return ReportColumn(column, text(limit), kind="text", limit=limit)


def _multi(column: str, limit: int) -> ReportColumn:
    return ReportColumn(column, multi(limit), kind="multi", limit=limit)


IGNORED = ReportColumn(None)
REPORT_DATE = ReportColumn(None, report_date, is_report_date=True, kind="report_date")

_FLAG_COLUMNS = (
    "third_party_ads_enabled",
    "display_ads_enabled",
    "sponsored_cards_enabled",
    "overlay_ads_enabled",
    "nonskippable_video_ads_enabled",
    "long_nonskippable_video_ads_enabled",
    "skippable_video_ads_enabled",
    "prerolls_enabled",
    "midrolls_enabled",
    "postrolls_enabled",
    "embedding_allowed",
    "ratings_allowed",
    "comments_allowed",
    "claimed_by_another_owner",
)

# Keys are `normalize_header` forms. Older exports' names sit next to the modern ones.
REPORT_COLUMNS: dict[str, ReportColumn] = {
    "video_id": _store("video_id", video_id, "video_id"),
    "channel_id": _text("channel_id", 100),
    "channel_display_name": _text("channel_display_name", 100),
    "username": _text("channel_display_name", 100),
    "video_title": _text("title", 200),
    "title": _text("title", 200),
    "time_published": _store("time_published", timestamp, "timestamp"),
    "time_uploaded": _store("time_published", timestamp, "timestamp"),
    "video_length": _store("video_length", duration, "duration"),
    "length": _store("video_length", duration, "duration"),
    "views": _store("views", views, "views"),
    "view_count": _store("views", views, "views"),
    "category": _store("category", category, "category"),
    "privacy_status": _store("privacy_status", privacy, "privacy"),
    "asset_id": _text("asset_id", 50),
    "custom_id": _text("custom_id", 100),
    "isrc": _store("isrc", isrc, "isrc"),
    "upc": _store("upc", upc, "upc"),
    "artist": _multi("artist", 200),
    "genre": _multi("genre", 100),
    "label": _text("label", 200),
    "claimed_status": _text("claimed_status", 20),
    "other_owners_claiming": _store("other_owners_claiming", owners, "owners"),
    "effective_policy": _text("effective_policy", None),
    "policy": _text("effective_policy", None),
    **{name: _store(name, yes_no, "yes_no") for name in _FLAG_COLUMNS},
    "is_short": _store("is_short", boolean, "boolean"),
    "is_live_stream": _store("is_live_stream", boolean, "boolean"),
    "upload_source": _text("upload_source", 20),
    "album": IGNORED,
    "claimed_by_this_owner": IGNORED,
    "date": REPORT_DATE,
}

# The `video` columns a report can fill, in their order of first appearance above.
STORED_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(spec.column for spec in REPORT_COLUMNS.values() if spec.column is not None)
)
