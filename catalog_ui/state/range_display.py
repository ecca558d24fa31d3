"""The counts beside the grid's range filters: one clickable bucket per publication year and views band."""

from __future__ import annotations

import dataclasses
import math

from catalog_ui.services.facets import VIEWS_BAND_DIGITS, GridSummary
from catalog_ui.services.grid_view import VideoFilter
from catalog_ui.state.grid_display import count_text

MAX_YEARS = 30  # the most recent years listed; older ones are reached by typing dates


@dataclasses.dataclass
class RangeBucketView:
    """One bucket of a range: its label and count, the bounds a click sets, whether the range is it."""

    key: str
    label: str
    count: str
    low: str
    high: str
    selected: bool


def short_number(n: int) -> str:
    """`n` in a few characters, never rounded up: 950 → "950", 9_999 → "9.9k", 99_999 → "99k", 2e6 → "2M"."""
    for unit, size in (("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            value = n / size
            shown = math.floor(value * 10) / 10 if value < 10 else math.floor(value)
            return f"{shown:g}{unit}"
    return str(n)


def views_band(digits: int) -> tuple[int, int]:
    """The views a band holds: (lowest, highest); band 0 is everything under 10^(VIEWS_BAND_DIGITS - 1)."""
    if digits == 0:
        return 0, 10 ** (VIEWS_BAND_DIGITS - 1) - 1
    return 10 ** (digits - 1), 10**digits - 1


def published_buckets(summary: GridSummary, flt: VideoFilter) -> list[RangeBucketView]:
    """The years with published videos, newest first, each selecting 1 January – 31 December (UTC)."""
    counts = summary.ranges.get("published", {})
    years = sorted((int(year) for year in counts if year.isdigit()), reverse=True)[:MAX_YEARS]
    views = []
    for year in years:
        low, high = f"{year:04d}-01-01", f"{year:04d}-12-31"
        chosen = (flt.published_from, flt.published_to)
        selected = tuple(d.isoformat() if d else "" for d in chosen) == (low, high)
        views.append(
            RangeBucketView(
                str(year), str(year), count_text(counts[str(year)], summary.ranges_exact), low, high, selected
            )
        )
    return views


def views_buckets(summary: GridSummary, flt: VideoFilter) -> list[RangeBucketView]:
    """The views bands with videos, fewest views first."""
    counts = summary.ranges.get("views", {})
    views = []
    for digits in sorted(int(band) for band in counts if band.isdigit()):
        low, high = views_band(digits)
        views.append(
            RangeBucketView(
                key=str(digits),
                label=f"{short_number(low)}–{short_number(high)}",
                count=count_text(counts[str(digits)], summary.ranges_exact),
                low=str(low),
                high=str(high),
                selected=(flt.views_min, flt.views_max) == (low, high),
            )
        )
    return views
