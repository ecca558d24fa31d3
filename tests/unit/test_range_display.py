"""The range buckets as the filter panel shows them: short labels, the bounds a click sets, the bucket in force."""

from __future__ import annotations

from datetime import date

from catalog_ui.services.facets import GridSummary, Total
from catalog_ui.services.grid_view import VideoFilter
from catalog_ui.state.range_display import published_buckets, short_number, views_band, views_buckets


def _summary(ranges: dict[str, dict[str, int]], exact: bool = True) -> GridSummary:
    return GridSummary(total=Total(0, True), facets={}, exact=True, ranges=ranges, ranges_exact=exact)


def test_short_numbers_never_round_up() -> None:
    assert [
        short_number(n) for n in (0, 99, 999, 1_000, 9_999, 99_999, 999_999, 10**6, 9_999_999, 10**10)
    ] == [
        "0",
        "99",
        "999",
        "1k",
        "9.9k",
        "99k",
        "999k",
        "1M",
        "9.9M",
        "10B",
    ]


def test_views_bands_cover_every_count_once() -> None:
    assert [views_band(d) for d in (0, 3, 4, 7)] == [
        (0, 99),
        (100, 999),
        (1_000, 9_999),
        (1_000_000, 9_999_999),
    ]


def test_views_buckets_in_order_with_the_one_in_force_marked() -> None:
    summary = _summary({"views": {"4": 12, "0": 3, "6": 1_234}})
    buckets = views_buckets(summary, VideoFilter(views_min=1_000, views_max=9_999))
    assert [(b.label, b.count, b.low, b.high, b.selected) for b in buckets] == [
        ("0–99", "3", "0", "99", False),
        ("1k–9.9k", "12", "1000", "9999", True),
        ("100k–999k", "1,234", "100000", "999999", False),
    ]


def test_published_buckets_newest_year_first_and_estimates_marked() -> None:
    summary = _summary({"published": {"2019": 40, "2024": 1_250}}, exact=False)
    buckets = published_buckets(
        summary, VideoFilter(published_from=date(2019, 1, 1), published_to=date(2019, 12, 31))
    )
    assert [(b.label, b.count, b.low, b.high, b.selected) for b in buckets] == [
        ("2024", "≈ 1,200", "2024-01-01", "2024-12-31", False),
        ("2019", "≈ 40", "2019-01-01", "2019-12-31", True),
    ]
