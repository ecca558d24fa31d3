"""What a grid view is — search, facet filters, ranges, sort, page, columns — and its URL query string.

The URL is the view's single source of truth: every change in the grid navigates to a new query string,
so back/forward work and a link reproduces the view. Parsing never fails: unknown or malformed values are
dropped, and each drop is reported as a short message the page can show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from catalog_ui.services.grid_columns import COLUMNS, DEFAULT_COLUMNS, clean_columns

PAGE_SIZES = (50, 100, 200)
# Room for a list of about 200 ids pasted from a spreadsheet (video ids are 11 characters, plus a separator).
SEARCH_MAX_CHARS = 3000
MAX_VALUES_PER_FACET = 50
MAX_PAGE = 1_000_000

# Multi-value facets: URL key → video column.
VALUE_FACETS: dict[str, str] = {
    "channel": "channel_display_name",
    "category": "category",
    "privacy": "privacy_status",
    "claim": "claimed_status",
}
# Yes/No facets, in the order the filter panel shows them (URL key = facet key).
CHOICE_FACETS: tuple[str, ...] = (
    "other_owner",
    "short",
    "live",
    "administered",
    "has_isrc",
    "has_upc",
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
)
HIDDEN_SCOPES = ("exclude", "include", "only")
CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}


def clean_text(value: str | None, limit: int = SEARCH_MAX_CHARS) -> str:
    """`value` safe to send to PostgreSQL: no NUL or lone surrogates, blanks collapsed, at most `limit` chars."""
    return re.sub(r"\s+", " ", sendable(value)).strip()[:limit]


def clean_value(value: str | None, limit: int = 200) -> str:
    """A facet's value from the URL safe to send to PostgreSQL: no NUL or lone surrogates, its ends trimmed,
    at most `limit` chars. Blanks inside stay as they are: the value must equal the stored one (`DJ  Snake`)."""
    return sendable(value).strip()[:limit]


def sendable(value: str | None) -> str:
    """`value` without what PostgreSQL refuses in text: NUL characters and lone surrogates."""
    if not value:
        return ""
    return value.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "")


@dataclass(frozen=True)
class VideoFilter:
    """Which videos a view shows. Empty tuples and None mean "any"."""

    q: str = ""
    channel_ids: tuple[str, ...] = ()  # exact channel ids (links from the channel list)
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (value facet, selected values), facet order
    choices: tuple[tuple[str, bool], ...] = ()  # (choice facet, yes/no), facet order
    hidden: str = "exclude"
    published_from: date | None = None
    published_to: date | None = None
    views_min: int | None = None
    views_max: int | None = None

    def selected(self, facet: str) -> tuple[str, ...]:
        """Values selected in value facet `facet`."""
        return dict(self.values).get(facet, ())

    def choice(self, facet: str) -> bool | None:
        """True/False when choice facet `facet` is set, else None."""
        return dict(self.choices).get(facet)

    def with_values(self, facet: str, selected: tuple[str, ...]) -> VideoFilter:
        """This filter with value facet `facet` set to `selected` (empty clears it)."""
        values = dict(self.values)
        values[facet] = tuple(dict.fromkeys(selected))[:MAX_VALUES_PER_FACET]
        ordered = tuple((key, values[key]) for key in VALUE_FACETS if values.get(key))
        return replace(self, values=ordered)

    def with_choice(self, facet: str, value: bool | None) -> VideoFilter:
        """This filter with choice facet `facet` set to yes, no, or any (None)."""
        choices = dict(self.choices)
        choices[facet] = value
        ordered = tuple((key, choices[key]) for key in CHOICE_FACETS if choices.get(key) is not None)
        return replace(self, choices=ordered)

    def for_viewer(self, can_see_hidden: bool) -> VideoFilter:
        """This filter as a viewer may run it: only admins see hidden videos."""
        return self if can_see_hidden or self.hidden == "exclude" else replace(self, hidden="exclude")

    def to_params(self) -> list[tuple[str, str]]:
        """The filter as URL parameters (only what differs from the default)."""
        params: list[tuple[str, str]] = []
        if self.q:
            params.append(("q", self.q))
        params.extend(("channel_id", channel_id) for channel_id in self.channel_ids)
        for facet, selected in self.values:
            params.extend((facet, value) for value in selected)
        params.extend((facet, "yes" if value else "no") for facet, value in self.choices)
        if self.hidden != "exclude":
            params.append(("hidden", self.hidden))
        if self.published_from:
            params.append(("published_from", self.published_from.isoformat()))
        if self.published_to:
            params.append(("published_to", self.published_to.isoformat()))
        if self.views_min is not None:
            params.append(("views_min", str(self.views_min)))
        if self.views_max is not None:
            params.append(("views_max", str(self.views_max)))
        return params

    def describe(self) -> dict[str, Any]:
        """The filter as JSON (stored with a bulk change set: "the filter it came from")."""
        described: dict[str, Any] = {}
        for key, value in self.to_params():
            if key in VALUE_FACETS or key == "channel_id":
                described.setdefault(key, []).append(value)
            else:
                described[key] = value
        return described

    @property
    def is_default(self) -> bool:
        """True when the filter narrows nothing beyond the default (hidden videos left out)."""
        return not self.to_params()


@dataclass(frozen=True)
class GridView:
    """A whole grid view: filter, sort, page, page size and columns."""

    filter: VideoFilter = field(default_factory=VideoFilter)
    sort: str = "time_published"
    descending: bool = True
    page: int = 1
    per_page: int = PAGE_SIZES[0]
    columns: tuple[str, ...] = DEFAULT_COLUMNS

    def to_query(self) -> str:
        """The canonical URL query string (without '?'); defaults are left out."""
        params = self.filter.to_params()
        if (self.sort, self.descending) != ("time_published", True):
            params += [("sort", self.sort), ("dir", "desc" if self.descending else "asc")]
        if self.page != 1:
            params.append(("page", str(self.page)))
        if self.per_page != PAGE_SIZES[0]:
            params.append(("size", str(self.per_page)))
        if self.columns != clean_columns(DEFAULT_COLUMNS):
            params.append(("cols", ",".join(self.columns)))
        return urlencode(params)

    def url(self) -> str:
        """The grid's path with this view's query."""
        query = self.to_query()
        return f"/videos?{query}" if query else "/videos"


def _yes_no(value: str) -> bool | None:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_count(value: Any) -> int | None:
    """A whole number typed or linked (`1,234`, `1_234`), capped to a bigint; None for anything else.

    `isdecimal`, not `isdigit`: `²` is a digit that `int()` refuses."""
    digits = str(value or "").strip().replace(",", "").replace("_", "")
    if not digits.isdecimal():
        return None
    return min(int(digits), 2**63 - 1)


def parse_view(
    query: str, default_columns: tuple[str, ...] = DEFAULT_COLUMNS, default_per_page: int = 50
) -> tuple[GridView, list[str]]:
    """Parse a URL query string into a view; returns (view, messages about values that were ignored)."""
    # Blank values are kept: a facet's "" is its "(none)" option; anywhere else blank means absent.
    params = parse_qs(query or "", keep_blank_values=True, max_num_fields=500)
    problems: list[str] = []

    def first(key: str) -> str | None:
        values = params.get(key)
        return values[0] if values and values[0].strip() else None

    channel_ids = tuple(
        dict.fromkeys(v for v in (clean_text(r, 100) for r in params.get("channel_id", [])) if v)
    )
    flt = VideoFilter(q=clean_text(first("q")), channel_ids=channel_ids[:MAX_VALUES_PER_FACET])
    for facet in VALUE_FACETS:
        selected = tuple(clean_value(raw) for raw in params.get(facet, []))
        if facet == "channel":  # links elsewhere in the app pass a channel's id as `channel`
            ids = tuple(v for v in selected if CHANNEL_ID.fullmatch(v))
            selected = tuple(v for v in selected if v not in ids)
            channel_ids = tuple(dict.fromkeys((*flt.channel_ids, *ids)))[:MAX_VALUES_PER_FACET]
            flt = replace(flt, channel_ids=channel_ids)
        if selected:
            flt = flt.with_values(facet, selected)
    for facet in CHOICE_FACETS:
        raw = first(facet)
        if raw is None:
            continue
        value = _yes_no(raw)
        if value is None:
            problems.append(f"Ignored {facet}={clean_text(raw, 40)!r}: use yes or no.")
        flt = flt.with_choice(facet, value)
    hidden = (first("hidden") or "exclude").strip().lower()
    if hidden not in HIDDEN_SCOPES:
        problems.append(f"Ignored hidden={clean_text(hidden, 40)!r}: use include or only.")
        hidden = "exclude"
    flt = replace(flt, hidden=hidden)

    bounds: dict[str, Any] = {}
    for key, parse, hint in (
        ("published_from", _date, "a date like 2024-03-05"),
        ("published_to", _date, "a date like 2024-03-05"),
        ("views_min", parse_count, "a whole number"),
        ("views_max", parse_count, "a whole number"),
    ):
        raw = first(key)
        if raw is None:
            continue
        value = parse(raw)
        if value is None:
            problems.append(f"Ignored {key}={clean_text(raw, 40)!r}: use {hint}.")
        bounds[key] = value
    low, high = bounds.get("published_from"), bounds.get("published_to")
    if low and high and low > high:
        bounds["published_from"], bounds["published_to"] = high, low
    low, high = bounds.get("views_min"), bounds.get("views_max")
    if low is not None and high is not None and low > high:
        bounds["views_min"], bounds["views_max"] = high, low
    flt = replace(flt, **bounds)

    sort = first("sort") or "time_published"
    column = COLUMNS.get(sort)
    if column is None or not column.sortable:
        problems.append(f"Ignored sort={clean_text(sort, 40)!r}: not a sortable column.")
        sort = "time_published"
    direction = (first("dir") or "").strip().lower()
    descending = direction != "asc" if direction else sort == "time_published"

    page = parse_count(first("page") or "1") or 1
    page = max(1, min(page, MAX_PAGE))
    size = parse_count(first("size") or "") or default_per_page
    if size not in PAGE_SIZES:
        problems.append(f"Page size {size} is not offered; showing {PAGE_SIZES[0]} rows.")
        size = PAGE_SIZES[0]

    raw_columns = first("cols")
    if raw_columns is not None:
        keys = [key.strip() for key in raw_columns.split(",") if key.strip()]
        unknown = [key for key in keys if key not in COLUMNS]
        if unknown:
            problems.append(f"Ignored unknown columns: {', '.join(clean_text(k, 40) for k in unknown[:5])}.")
        columns = clean_columns(keys)
    else:
        columns = clean_columns(default_columns)
    view = GridView(filter=flt, sort=sort, descending=descending, page=page, per_page=size, columns=columns)
    return view, problems
