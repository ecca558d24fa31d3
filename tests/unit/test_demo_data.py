"""Tests for the demo CMS Videos report generator (formats, distributions, next-day deltas, determinism)."""

from __future__ import annotations

import csv
import gzip
import itertools
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from catalog_ui.services.demo_data import (
    CHANNEL_COUNT,
    CLAIM_STATUSES,
    CMS_VIDEO_HEADERS,
    iter_day_one,
    iter_next_day,
    new_video_count,
    write_demo_reports,
    write_report,
)

VIDEOS = 20_000
SEED = 20260101
CHANGEABLE = {"views", "video_title", "privacy_status", "claimed_status"}
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
UPC = re.compile(r"^[0-9]{12,13}$")
ASSET_ID = re.compile(r"^A[0-9]{12,15}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def day_one() -> list[dict[str, str]]:
    return list(iter_day_one(VIDEOS, SEED))


@pytest.fixture(scope="module")
def next_day() -> list[dict[str, str]]:
    return list(iter_next_day(VIDEOS, SEED))


def read_gzip_csv(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fraction(count: int, total: int) -> float:
    return count / total


def test_header_order_is_the_modern_cms_names() -> None:
    flags = [
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
    ]
    expected = [
        "video_id", "channel_id", "channel_display_name", "time_published", "video_title", "video_length",
        "views", "category", "privacy_status", "asset_id", "custom_id", "isrc", "upc", "artist", "album",
        "label", "genre", "claimed_status", "claimed_by_another_owner", "other_owners_claiming",
        "effective_policy", *flags, "embedding_allowed", "ratings_allowed", "comments_allowed", "is_short",
        "is_live_stream", "upload_source",
    ]  # fmt: skip
    assert list(CMS_VIDEO_HEADERS) == expected


def test_rows_have_every_header_as_strings(day_one: list[dict[str, str]]) -> None:
    for row in day_one[:500]:
        assert list(row) == list(CMS_VIDEO_HEADERS)
        assert all(isinstance(value, str) for value in row.values())


def test_written_files_have_one_header_row_no_bom_and_round_trip(tmp_path: Path) -> None:
    first, second = write_demo_reports(tmp_path, 1500, SEED)
    raw = gzip.decompress(first.read_bytes())
    assert raw.startswith(b"video_id,channel_id,")
    assert raw.count(b"video_id,channel_id,") == 1
    with gzip.open(first, "rt", encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == list(CMS_VIDEO_HEADERS)
    # Quotes and commas in titles survive the CSV escaping unchanged.
    assert read_gzip_csv(first) == list(iter_day_one(1500, SEED))
    assert read_gzip_csv(second) == list(iter_next_day(1500, SEED))


def test_write_demo_reports_names_and_creates_directory(tmp_path: Path) -> None:
    out_dir = tmp_path / "nested" / "reports"
    paths = write_demo_reports(out_dir, 300, SEED)
    assert [p.name for p in paths] == ["cms_videos_2026-01-01.csv.gz", "cms_videos_2026-01-02.csv.gz"]
    assert all(p.parent == out_dir and p.is_file() for p in paths)


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a = write_demo_reports(tmp_path / "a", 1500, SEED)
    b = write_demo_reports(tmp_path / "b", 1500, SEED)
    c = write_demo_reports(tmp_path / "c", 1500, SEED + 1)
    for left, right, other in zip(a, b, c, strict=True):
        # The gzip header's mtime field (bytes 4-7) is zero, so bytes do not depend on the clock.
        assert left.read_bytes()[4:8] == b"\0\0\0\0"
        assert left.read_bytes() == right.read_bytes()
        assert left.read_bytes() != other.read_bytes()
    ids_a = {row["video_id"] for row in read_gzip_csv(a[0])}
    ids_c = {row["video_id"] for row in read_gzip_csv(c[0])}
    assert len(ids_a & ids_c) < 10


def test_write_report_counts_rows_fills_missing_keys_and_writes_plain_csv(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    written = write_report(path, [{"video_id": "abcdefghijk", "video_title": 'Say "hi", world'}])
    assert written == 1
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith('abcdefghijk,,,,"Say ""hi"", world",,')
    with path.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["video_title"] == 'Say "hi", world'
    assert row["views"] == ""
    assert write_report(tmp_path / "empty.csv.gz", iter([])) == 0
    empty = gzip.decompress((tmp_path / "empty.csv.gz").read_bytes()).decode()
    assert empty == ",".join(CMS_VIDEO_HEADERS) + "\n"


def test_streaming_and_per_index_derivation() -> None:
    # A billion-row catalog starts yielding at once: nothing is materialised up front.
    head = list(itertools.islice(iter_day_one(10**9, SEED), 3))
    assert head == list(iter_day_one(3, SEED))
    # A video's values depend on (seed, index) only, not on the catalog size.
    assert list(iter_day_one(300, SEED))[:120] == list(iter_day_one(120, SEED))
    assert list(iter_next_day(300, SEED))[:120] == list(iter_next_day(120, SEED))[:120]


def test_negative_video_count_is_rejected() -> None:
    with pytest.raises(ValueError):
        next(iter_day_one(-1, SEED))
    with pytest.raises(ValueError):
        next(iter_next_day(-5, SEED))


def test_video_ids_are_well_formed_and_unique(
    day_one: list[dict[str, str]], next_day: list[dict[str, str]]
) -> None:
    ids = [row["video_id"] for row in next_day]
    assert all(VIDEO_ID.match(video_id) for video_id in ids)
    assert len(set(ids)) == len(ids)
    assert {row["video_id"] for row in day_one} <= set(ids)


def test_isrc_upc_asset_and_custom_ids(day_one: list[dict[str, str]]) -> None:
    music = [row for row in day_one if row["category"] == "Music"]
    other = [row for row in day_one if row["category"] != "Music"]
    assert 0.8 < fraction(len(music), len(day_one)) < 0.97
    assert all(ISRC.match(row["isrc"]) for row in music if row["isrc"])
    assert all(UPC.match(row["upc"]) for row in music if row["upc"])
    assert fraction(sum(1 for row in music if row["isrc"]), len(music)) > 0.9
    assert fraction(sum(1 for row in music if row["upc"]), len(music)) > 0.85
    assert all(not (row["isrc"] or row["upc"] or row["artist"]) for row in other)
    assert all(row["artist"] and row["album"] and row["label"] and row["genre"] for row in music)
    assert any("|" in row["artist"] for row in music)
    claimed = [row for row in day_one if row["asset_id"]]
    assert all(ASSET_ID.match(row["asset_id"]) for row in claimed)
    assert fraction(sum(1 for row in music if row["custom_id"]), len(music)) > 0.7


def test_privacy_distribution(day_one: list[dict[str, str]]) -> None:
    counts = Counter(row["privacy_status"] for row in day_one)
    assert set(counts) == {"public", "unlisted", "private"}
    assert abs(fraction(counts["public"], VIDEOS) - 0.88) < 0.015
    assert abs(fraction(counts["unlisted"], VIDEOS) - 0.08) < 0.01
    assert abs(fraction(counts["private"], VIDEOS) - 0.04) < 0.008


def test_about_fifty_skewed_channels(day_one: list[dict[str, str]]) -> None:
    per_channel = Counter(row["channel_id"] for row in day_one)
    assert len(per_channel) == CHANNEL_COUNT == 50
    assert all(CHANNEL_ID.match(channel_id) for channel_id in per_channel)
    names = {(row["channel_id"], row["channel_display_name"]) for row in day_one}
    assert len(names) == CHANNEL_COUNT
    assert len({name for _, name in names}) == CHANNEL_COUNT
    counts = sorted(per_channel.values())
    assert counts[-1] >= 10 * counts[0]


def test_views_are_heavy_tailed_plain_integers(day_one: list[dict[str, str]]) -> None:
    assert all(row["views"].isdigit() for row in day_one)
    views = [int(row["views"]) for row in day_one]
    assert 10 <= statistics.median(views) < 100
    assert max(views) >= 10_000_000


def test_times_lengths_categories_and_flags(day_one: list[dict[str, str]]) -> None:
    assert all(TIMESTAMP.match(row["time_published"]) for row in day_one)
    published = sorted(row["time_published"] for row in day_one)
    assert published[0] > "2019-12-01"
    assert published[-1] < "2026-01-01"
    assert all(row["video_length"].isdigit() and int(row["video_length"]) > 0 for row in day_one)
    shorts = [row for row in day_one if row["is_short"] == "Yes"]
    assert 0.05 <= fraction(len(shorts), VIDEOS) <= 0.10
    assert all(int(row["video_length"]) <= 60 for row in shorts)
    live = [row for row in day_one if row["is_live_stream"] == "Yes"]
    assert 0.01 <= fraction(len(live), VIDEOS) <= 0.02
    assert all((row["upload_source"] == "live_stream") == (row["is_live_stream"] == "Yes") for row in day_one)
    flag_names = [name for name in CMS_VIDEO_HEADERS if name.endswith(("_enabled", "_allowed"))]
    assert all(row[name] in ("Yes", "No") for row in day_one for name in flag_names)
    monetized = [row for row in day_one if row["effective_policy"].startswith("Monetize")]
    skippable = sum(1 for row in monetized if row["skippable_video_ads_enabled"] == "Yes")
    assert fraction(skippable, len(monetized)) > 0.7
    categories = Counter(row["category"] for row in day_one)
    assert categories.most_common(1)[0][0] == "Music"
    assert {"Entertainment", "People & Blogs"} <= set(categories)


def test_claims_and_other_owners(day_one: list[dict[str, str]]) -> None:
    statuses = Counter(row["claimed_status"] for row in day_one if row["asset_id"])
    assert set(statuses) <= set(CLAIM_STATUSES)
    assert statuses.most_common(1)[0][0] == "active"
    assert all(not row["claimed_status"] for row in day_one if not row["asset_id"])
    assert all(
        (row["claimed_by_another_owner"] == "Yes") == bool(row["other_owners_claiming"]) for row in day_one
    )
    others = sum(1 for row in day_one if row["claimed_by_another_owner"] == "Yes")
    assert 0.01 < fraction(others, VIDEOS) < 0.06
    assert any("|" in row["other_owners_claiming"] for row in day_one)
    policies = {row["effective_policy"] for row in day_one if row["asset_id"]}
    assert {"Monetize in all countries", "Track in all countries", "Block in some countries"} <= policies
    assert all(re.fullmatch(r"(Monetize|Track|Block) in (all|some) countries", policy) for policy in policies)
    assert all(not row["effective_policy"] for row in day_one if not row["asset_id"])


def test_titles_fit_in_200_characters(day_one: list[dict[str, str]], next_day: list[dict[str, str]]) -> None:
    assert all(0 < len(row["video_title"]) <= 200 for row in itertools.chain(day_one, next_day))


def test_next_day_deltas(day_one: list[dict[str, str]], next_day: list[dict[str, str]]) -> None:
    assert len(next_day) == VIDEOS + new_video_count(VIDEOS)
    assert new_video_count(VIDEOS) == VIDEOS // 100
    before_after = list(zip(day_one, next_day[:VIDEOS], strict=True))
    assert all(old["video_id"] == new["video_id"] for old, new in before_after)

    grown = sum(1 for old, new in before_after if int(new["views"]) > int(old["views"]))
    assert all(int(new["views"]) >= int(old["views"]) for old, new in before_after)
    assert 0.27 < fraction(grown, VIDEOS) < 0.33
    for field in ("video_title", "privacy_status", "claimed_status"):
        changed = sum(1 for old, new in before_after if old[field] != new[field])
        assert 0.002 < fraction(changed, VIDEOS) < 0.009, field
    for old, new in before_after:
        assert {name: old[name] for name in CMS_VIDEO_HEADERS if name not in CHANGEABLE} == {
            name: new[name] for name in CMS_VIDEO_HEADERS if name not in CHANGEABLE
        }
        if new["claimed_status"] != old["claimed_status"]:
            assert old["claimed_status"] and new["claimed_status"] in CLAIM_STATUSES


def test_next_day_new_videos(day_one: list[dict[str, str]], next_day: list[dict[str, str]]) -> None:
    known = {row["video_id"] for row in day_one}
    fresh = next_day[VIDEOS:]
    assert fraction(len(fresh), VIDEOS) == pytest.approx(0.01)
    assert not known & {row["video_id"] for row in fresh}
    assert all(row["time_published"].startswith("2026-01-01T") for row in fresh)
    assert all(int(row["views"]) < 5000 for row in fresh)
    assert new_video_count(0) == 0
    assert new_video_count(1) == 1
