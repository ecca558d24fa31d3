"""The ingest fast path (`ReportReader.copy_lines`) gives exactly the reference path's COPY lines and rejections."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest

from catalog_ui.services.demo_data import iter_day_one, write_report
from catalog_ui.services.report_copy import COPY_EXTRA_COLUMNS, row_hash
from catalog_ui.services.report_format import (
    ParsedRow,
    RejectedRow,
    ReportReader,
    open_report,
    parsed_copy_line,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"

# Tricky cells per column: common shapes, every normalizer's edge cases, COPY's special characters.
TEXTS = ["Plain", "", "  spaced  ", "tab\there", "back\\slash", "new\nline", "cr\rhere", "\\N", "ünïcødé 🎵",
         "caf\udce9", "nul\x00", "quote \"q\", comma"]  # fmt: skip
POOLS: dict[str, list[str]] = {
    "video_id": [
        "vidAlpha001",
        "vidBravo002",
        "vid_-Charl3",
        " vidAlpha001",
        "short",
        "",
        "vidAlpha00é",
        "video_id",
    ],
    "channel_id": ["UCnova", "", "C" * 100, "C" * 101, *TEXTS],
    "channel_display_name": ["Nova", "", "N" * 101, *TEXTS],
    "time_published": [
        "2024-03-05T14:02:11Z",
        "2024-03-05T14:02:11Z",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024/03/05 14:02:11",
        "2024/3/5",
        "2024-03-05",
        "2024-03-05T14:02:11+02:00",
        "2024-03-05T14:02:11.5Z",
        "",
        "garbage",
        "2024-03-05T24:00:00Z",
        "0001-01-01T00:00:00Z",
        " 2024-03-05T14:02:11Z",
    ],
    "video_title": ["Title", "T" * 200, "T" * 201, *TEXTS],
    "video_length": ["213", "4:05", "1:02:03", "1:75", "-1", "", "0", "007", "9" * 10, "99999999", "١٢"],
    "views": ["0", "42", "007", "1,234", "1 234", "-5", "-0", "lots", "", " 12 ", "9" * 18, "9" * 19, "١٢"],
    "category": ["10", "Music", "999", "", "X" * 51, "music"],
    "privacy_status": ["Public", "private", "secret", "", "UNLISTED"],
    "asset_id": ["A1", "", "A" * 50, "A" * 51, *TEXTS],
    "custom_id": ["C-1", "", "C" * 100, "C" * 101, *TEXTS],
    "isrc": [
        "USABC2400001",
        "us-abc-24-00001",
        "XX123",
        "",
        "USABC24000011234",
        "usabc2400001",
        "US ABC 24 00001",
    ],
    "upc": [
        "886443927087",
        "0886443927094",
        "12345",
        "",
        "1" * 21,
        "8864-4392-7087",
        "１２３４５６７８９０１２",
    ],
    "artist": ["A|B", "A, B", "A|A", "", " | ", "X" * 201, "ü|\\", 'q"uote|{brace}'],
    "album": ["Album", "", "tab\t"],
    "label": ["L", "", "X" * 201, *TEXTS],
    "genre": ["Pop|Rock", "Pop", "", "G" * 101],
    "claimed_status": ["active", "routedForReview", "X" * 21, ""],
    "claimed_by_another_owner": ["Yes", "no", "", "maybe"],
    "other_owners_claiming": ["O1|O2", "O1, O2", "", "|"],
    "effective_policy": ["Monetize in all countries", "", *TEXTS],
    "is_short": ["Yes", "yes", "TRUE", "Y", "1", "No", "n", "0", "", "maybe"],
    "upload_source": ["upload", "", "X" * 21],
    "date": ["2026-03-01", "20260301", "2026/03/01", "bad", ""],
    "Unknown Column": ["x", ""],
}
FLAG_COLUMNS = ["third_party_ads_enabled", "embedding_allowed", "comments_allowed", "is_live_stream"]
ALIASES = {
    "video_title": "title",
    "video_length": "length",
    "views": "view_count",
    "time_published": "time_uploaded",
}


def reference(data: bytes) -> tuple[ReportReader, list[str], list[RejectedRow]]:
    reader = open_report(io.BytesIO(data))
    lines, rejected = [], []
    for row in reader:
        if isinstance(row, ParsedRow):
            lines.append(parsed_copy_line(row, reader.copy_columns))
        else:
            rejected.append(row)
    return reader, lines, rejected


def fast(data: bytes) -> tuple[ReportReader, list[str], list[RejectedRow]]:
    reader = open_report(io.BytesIO(data))
    rejected: list[RejectedRow] = []
    lines = list(reader.copy_lines(rejected.append))
    return reader, lines, rejected


def assert_same(data: bytes) -> int:
    """Both paths agree on lines, rejections and counters; returns the number of lines."""
    ref_reader, ref_lines, ref_rejected = reference(data)
    fast_reader, fast_lines, fast_rejected = fast(data)
    # The last field is the raw row's hash: the fast path has it, the reference path leaves it NULL.
    assert [line.rsplit("\t", 1)[0] for line in fast_lines] == [line.rsplit("\t", 1)[0] for line in ref_lines]
    assert {line.rsplit("\t", 1)[1] for line in ref_lines} <= {"\\N\n"}
    assert all(re.fullmatch(r"[0-9a-f]{32}\n|\\N\n", line.rsplit("\t", 1)[1]) for line in fast_lines)
    assert fast_rejected == ref_rejected
    assert (fast_reader.rows_parsed, fast_reader.rows_rejected, fast_reader.skipped) == (
        ref_reader.rows_parsed,
        ref_reader.rows_rejected,
        ref_reader.skipped,
    )
    assert fast_reader.copy_columns[-4:] == COPY_EXTRA_COLUMNS
    return len(fast_lines)


def random_report(seed: int, rows: int = 1500) -> bytes:
    rng = random.Random(seed)
    pools = {**POOLS, **{name: POOLS["is_short"] for name in FLAG_COLUMNS}}
    names = list(pools)
    rng.shuffle(names)
    header = [ALIASES[name] if name in ALIASES and rng.random() < 0.5 else name for name in names]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(header)
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.01:
            writer.writerow([])
        elif roll < 0.02:
            writer.writerow(header)
        elif roll < 0.03:
            writer.writerow(["Total", *[""] * (len(names) - 1)])
        elif roll < 0.04:
            writer.writerow([rng.choice(pools[name]) for name in names][: rng.randrange(len(names))])
        elif roll < 0.5:  # mostly clean rows, as real reports are
            writer.writerow([pools[name][0] for name in names])
        else:
            writer.writerow([rng.choice(pools[name]) for name in names])
    return out.getvalue().encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("seed", range(6))
def test_random_dirty_reports_give_the_same_lines_both_ways(seed: int) -> None:
    assert assert_same(random_report(seed)) > 100


READABLE_FIXTURES = [
    "cms_videos_2026-02-15.csv",
    "cms_videos_2026-03-01.csv",
    "cms_videos_2026-03-02.csv.gz",
    "cms_videos_2026-03-04_views.csv",
    "dirty_bytes.csv",
    "dirty_export.csv",
    "duplicates.csv",
    "legacy_export.csv",
    "user_columns_2026-03-05.csv",
]


@pytest.mark.parametrize("name", READABLE_FIXTURES)
def test_every_readable_fixture_gives_the_same_lines_both_ways(name: str) -> None:
    assert assert_same((FIXTURES / name).read_bytes()) >= 1


def test_a_demo_report_gives_the_same_lines_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv.gz"
    write_report(path, iter_day_one(400, seed=3))

    assert assert_same(path.read_bytes()) == 400


def test_clean_rows_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.csv"
    write_report(path, iter_day_one(300, seed=5))
    calls = []
    original = ReportReader._parse

    def counting(self: ReportReader, line: int, fields: list[str]) -> object:
        calls.append(line)
        return original(self, line, fields)

    monkeypatch.setattr(ReportReader, "_parse", counting)

    _reader, lines, rejected = fast(path.read_bytes())

    assert (len(lines), rejected) == (300, [])
    assert calls == [2]  # only the first row, which the reader parses on opening to tell an empty file


def test_copy_columns_put_video_id_first_and_each_mapped_column_once() -> None:
    data = b"views,Video ID,title,album,date\n1,vidFirst001,F,A,2026-03-01\n5,vidAlpha001,T,A,2026-03-01\n"

    reader, lines, _ = fast(data)

    assert reader.copy_columns == (
        "video_id",
        "views",
        "title",
        "line",
        "report_date",
        "completeness",
        "row_hash",
    )
    first = row_hash(reader.row_hash_salt, b"1,vidFirst001,F,A,2026-03-01")
    digest = row_hash(reader.row_hash_salt, b"5,vidAlpha001,T,A,2026-03-01")
    # The first row, read by __init__ to tell an empty report, is hashed like the others.
    assert lines == [
        f"vidFirst001\t1\tF\t2\t2026-03-01\t3\t{first}\n",
        f"vidAlpha001\t5\tT\t3\t2026-03-01\t3\t{digest}\n",
    ]
    other_header, _, _ = fast(data.replace(b"album", b"Album"))
    assert reader.row_hash_salt != other_header.row_hash_salt  # the same line under another header differs
