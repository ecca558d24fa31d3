"""The staged rows of a report are the same whether PostgreSQL's CSV COPY + SQL normalization or the Python
reader takes them: every value, line number, rejection and counter, on files full of tricky cells and dirt.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from typing import Any

import pytest
from sqlalchemy.engine import Connection, Engine

from catalog_ui.services import report_format, report_load
from catalog_ui.services.report_copy import COPY_EXTRA_COLUMNS
from catalog_ui.services.report_format import ReportFormatError, open_report
from catalog_ui.services.report_load import ReportLoader

ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
ENTRIES = ["A", "A|B", "Ab|Cd", "A|A", "A | B", "A,B", "A, B", "|A", "A||B", "A|B|C", "", " ", "x" * 101,
           "x" * 201, "Ünï|Çø", "A|\u00a0B", "A\t|B", '"Quoted, Name"', "A|b"]  # fmt: skip
POOLS: dict[str, list[str]] = {
    "title": [
        "Song (Official Video)",
        "Hello, world",
        'He said "hi"',
        "café 🎵 日本",
        " padded ",
        "\u00a0nbsp\u00a0",
        "t" * 200,
        "t" * 201,
        "",
        "   ",
        "tab\tinside",
        "back\\slash \\N",
        "NULL",
    ],
    "time": [
        "2024-01-20T02:14:42Z",
        "2023-12-31T23:59:59Z",
        "2024-13-01T00:00:00Z",
        "2024-02-29T10:00:00Z",
        "2023-02-29T10:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-31T24:00:00Z",
        "2024/03/05 14:02:11",
        "2024/03/05",
        "2024-03-05",
        "2024-03-05T14:02:11.5Z",
        "2024-03-05T14:02:11+02:00",
        "",
        "yesterday",
        " 2024-01-20T02:14:42Z ",
        "0000-01-01T00:00:00Z",
        "2024-1-5T1:02:03Z",
        "2024/3/5 4:02:11",
    ],
    "length": [
        "149",
        "0",
        "000123",
        "2:05",
        "1:02:03",
        "75:30",
        "1:5",
        "-3",
        "1:75",
        "",
        "999999999",
        "1234567890",
        "9999999999",
        "abc",
        "12:34:56:78",
        "0:00",
    ],
    "views": [
        "822",
        "0",
        "007",
        "1,234",
        "1 234",
        "1,234,567",
        "-5",
        "-0",
        "lots",
        "",
        "123456789012345678",
        "9999999999999999999",
        "1.5",
        "  42  ",
    ],
    "category": [
        "Music",
        "10",
        "music",
        "MUSIC",
        "Gaming",
        "20",
        "99",
        "010",
        "Unknown Cat",
        "Kategorie ü",
        "",
        "x" * 51,
        "Film & Animation",
        "1",
    ],
    "privacy": ["public", "Public", "PUBLIC", "pUblic", "private", "unlisted", "Unlisted", "secret", ""],
    "isrc": [
        "USABC2400001",
        "usabc2400001",
        "US-ABC-24-00001",
        "US ABC 24 00001",
        "xx-1",
        "1234567890123",
        "",
        "USABC240000",
        "US\tABC2400001",
        "ÜSABC2400001",
        "gbaye0000001",
    ],
    "upc": ["123456789012", "1234567890123", "999", "12345-67890-12", "", "abc", "1" * 21, "1234 5678 9012"],
    "flag": ["Yes", "No", "yes", "no", "TRUE", "false", "y", "N", "1", "0", "maybe", "", "YeS", " Yes "],
    "date": ["2026-01-02", "2026/01/02", "20260102", "bad", "", "2024-02-29", "2026-02-30"],
    "text": ["UCnuFnqucvs4vdVR20dKwRZw", "Neon Sound", "", " x ", "y" * 51, "z" * 101],
    "status": ["active", "routedForReview", "upload", "", " x ", "y" * 21],
}
MODERN = [
    ("video_id", "id"), ("channel_id", "text"), ("channel_display_name", "text"), ("time_published", "time"),
    ("video_title", "title"), ("video_length", "length"), ("views", "views"), ("category", "category"),
    ("privacy_status", "privacy"), ("asset_id", "text"), ("custom_id", "text"), ("isrc", "isrc"), ("upc", "upc"),
    ("artist", "entries"), ("album", "text"), ("label", "title"), ("genre", "entries"),
    ("claimed_status", "status"), ("claimed_by_another_owner", "flag"), ("other_owners_claiming", "entries"),
    ("effective_policy", "title"), ("display_ads_enabled", "flag"), ("embedding_allowed", "flag"),
    ("is_short", "flag"), ("is_live_stream", "flag"), ("upload_source", "status"),
]  # fmt: skip
LEGACY = [
    ("views", "views"), ("Video ID", "id"), ("username", "text"), ("time_uploaded", "time"), ("title", "title"),
    ("length", "length"), ("view_count_extra", "text"), ("policy", "title"), ("date", "date"),
    ("claimed_by_this_owner", "flag"), ("genre", "entries"), ("ISRC", "isrc"),
]  # fmt: skip


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(ID_CHARS) for _ in range(11))


def _cell(rng: random.Random, pool: str) -> str:
    if pool == "id":
        return rng.choice([_id(rng)] * 100 + [" " + _id(rng), "bad-id", "", "video_title", _id(rng)[:10]])
    if pool == "entries":
        return ENTRIES[0] if rng.random() < 0.9 else rng.choice(ENTRIES)
    # Mostly the common, clean value; the rest of the pool often enough to meet every shape.
    values = POOLS[pool]
    return values[0] if rng.random() < 0.97 else rng.choice(values)


def _dirt(rng: random.Random, header: list[str], width: int) -> list[str]:
    """Raw CSV lines (without the line break) that are not plain rows."""
    row = [_cell(rng, "text") for _ in range(width)]
    return rng.choice(
        [
            [""],  # a blank line
            [",".join(row[: width - 2])],  # too few columns
            [",".join([*row, "extra"])],  # too many
            ["Total," + "," * (width - 2)],  # a summary line
            [",".join(header)],  # a repeated header
            [",".join([_id(rng), '"Multi'] + [""] * 0) + "\nline title" + '"' + "," * (width - 2)],
            ["\\."],  # COPY's end-of-data marker, alone on a line
            [_id(rng) + ",nul\x00here" + "," * (width - 2)],
            [_id(rng) + ",caf\udcffe" + "," * (width - 2)],  # an undecodable byte
        ]
    )


def _report(seed: int, columns: list[tuple[str, str]], rows: int, newline: str) -> bytes:
    rng = random.Random(seed)
    header = [name for name, _ in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for index in range(rows):
        if index % 300 == 13:
            for line in _dirt(rng, header, len(header)):
                out.write(line + newline)
        writer.writerow([_cell(rng, pool) for _, pool in columns])
    if rng.random() < 0.5:
        out.write(newline)  # a trailing blank line
    return out.getvalue().encode("utf-8", "surrogateescape")


def _rows(conn: Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY line")
    return cursor.fetchall()


def _python_stage(conn: Connection, data: bytes) -> tuple[list, list, dict[str, int]]:
    reader = open_report(io.BytesIO(data))
    stored = [c for c in reader.copy_columns if c not in COPY_EXTRA_COLUMNS]
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.execute(
        f"CREATE TEMP TABLE python_stage AS SELECT {', '.join(stored)}, 0::int AS line, "
        "NULL::date AS report_date, 0::int AS completeness, NULL::uuid AS row_hash FROM video WITH NO DATA"
    )
    rejected: list = []
    lines = "".join(reader.copy_lines(rejected.append))
    cursor.copy_expert(f"COPY python_stage ({', '.join(reader.copy_columns)}) FROM STDIN", io.StringIO(lines))
    counts = {"read": reader.rows_read, "rejected": reader.rows_rejected, "skipped": reader.rows_skipped}
    return _rows(conn, "python_stage", list(reader.copy_columns)), rejected, counts


def _stage_both_ways(
    engine: Engine, data: bytes, columns: list[str], *, at_once: bool = False, catalog_empty: bool = False
) -> tuple[list, list, dict[str, int], list[tuple[Any, ...]], ReportLoader]:
    """`data` staged by the Python reader alone (its rows, rejections and counts) and by a ReportLoader (its
    staged `columns`, and the loader), in one transaction rolled back; `at_once`: one COPY tried first."""
    with engine.connect() as conn:
        transaction = conn.begin()
        expected, expected_rejected, counts = _python_stage(conn, data)
        reopen = (lambda: io.BytesIO(data)) if at_once else None
        with ReportLoader(io.BytesIO(data), reopen=reopen) as loader:
            loader.stage(conn, lambda: None, catalog_empty=catalog_empty)
            staged = _rows(conn, "ingest_stage", columns)
        transaction.rollback()
    return expected, expected_rejected, counts, staged, loader


@pytest.mark.parametrize("at_once", [False, True], ids=["pieces", "at-once-first"])
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("columns", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_sql_and_python_stage_the_same_rows(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, columns: list, newline: str, gzipped: bool, at_once: bool
) -> None:
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 16 << 10)  # many pieces: clean ones and dirty ones
    monkeypatch.setattr(report_load, "READ_BYTES", 4 << 10)
    data = _report(len(columns) + len(newline), columns, 4000, newline)
    payload = gzip.compress(data) if gzipped else data
    with engine.connect() as conn:
        transaction = conn.begin()
        expected, expected_rejected, counts = _python_stage(conn, data)
        # With a way to reopen the file, one COPY is tried first; the dirt makes it start again piece by piece.
        reopen = (lambda: io.BytesIO(payload)) if at_once else None
        with ReportLoader(io.BytesIO(payload), reopen=reopen) as loader:
            loader.stage(conn, lambda: None)
            staged = _rows(conn, "ingest_stage", list(loader.copy_columns))
            assert loader.rows_fast > 1000  # many rows took the SQL path
            assert loader.reader.rows_parsed > 100  # and plenty the Python one
            assert {
                "read": loader.rows_read,
                "rejected": loader.rows_rejected,
                "skipped": loader.rows_skipped,
            } == (counts)
            assert sorted(loader.rejections, key=lambda r: r.line) == expected_rejected
        transaction.rollback()
    assert len(staged) == len(expected)
    hashes = 0
    for got, want in zip(staged, expected, strict=True):
        assert got[:-1] == want[:-1]
        # Both paths hash a plain row the same way (Python leaves NULL where its reference path parsed).
        if got[-1] is not None and want[-1] is not None:
            assert got[-1] == want[-1]
            hashes += 1
    assert hashes > 2000


@pytest.mark.parametrize("at_once", [False, True], ids=["pieces", "at-once-first"])
def test_quotes_inside_unquoted_values_are_read_as_the_python_reader_reads_them(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, at_once: bool
) -> None:
    # PostgreSQL's CSV COPY would drop these quotes (or join two values): their pieces go the Python way.
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 2 << 10)
    monkeypatch.setattr(report_load, "READ_BYTES", 1 << 10)
    lines = ["video_id,video_title,views"] + [f"vid{n:08d},Title {n},{n}" for n in range(1000)]
    lines[100] = 'vidQuote001,Song "Live" Version,10'
    lines[500] = 'vidQuote002,12" vinyl, 7" single,5'  # one column too many for Python
    lines[900] = 'vidQuote003, "spaced",7'
    data = ("\n".join(lines) + "\n").encode()
    expected, expected_rejected, _, staged, loader = _stage_both_ways(
        engine, data, ["video_id", "title", "views", "line"], at_once=at_once
    )
    rejected = [(r.line, r.reason) for r in loader.rejections]
    assert loader.rows_fast > 600 and loader.reader.rows_parsed > 0  # both paths at work
    titles = {row[0]: row[1] for row in staged}
    assert (titles["vidQuote001"], titles["vidQuote003"]) == ('Song "Live" Version', '"spaced"')
    assert "vidQuote002" not in titles
    assert (
        rejected == [(r.line, r.reason) for r in expected_rejected] == [(501, "expected 3 columns, found 4")]
    )
    assert len(staged) == len(expected) == 999


@pytest.mark.parametrize("at_once", [False, True], ids=["pieces", "at-once-first"])
def test_a_piece_ends_where_the_python_reader_ends_a_record(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, at_once: bool
) -> None:
    # Counting quotes, the literal one of `12" vinyl` made the open quote of the next row look closed: a
    # piece could end inside its two-line title, and each half was rejected.
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 2 << 10)
    monkeypatch.setattr(report_load, "READ_BYTES", 1 << 10)
    lines = ["video_id,video_title,views"] + [f"vid{n:08d},Title {n},{n}" for n in range(1000)]
    for n in range(10, 1000, 37):
        lines[n] = f'vidVinyl{n:03d},12" vinyl,{n}'
        lines[n + 1] = f'vidLines{n:03d},"Two'
        lines[n + 2] = f'lines",{n}'
    data = ("\n".join(lines) + "\n").encode()
    expected, expected_rejected, _, staged, loader = _stage_both_ways(
        engine, data, ["video_id", "title", "views", "line"], at_once=at_once
    )
    assert loader.rejections == expected_rejected == []
    assert staged == [(row[0], row[1], row[2], row[-4]) for row in expected]
    assert [row[1] for row in staged if row[0].startswith("vidLines")] == ["Two\nlines"] * 27


UNCLOSED = "a quoted value is never closed"
SWALLOWED = (
    "a quoted value closes only on line 5, before text rather than a comma: probably a quote never closed, "
    "which took in the rows of lines 4–5 (not read)"
)


@pytest.mark.parametrize(
    ("tail", "rejected"),
    [
        ('abcdefghijk,"12', (3, "views", UNCLOSED, 'abcdefghijk,"12')),
        ('abcdefghijk,"12\n', (3, "views", UNCLOSED, 'abcdefghijk,"12')),
        (
            'abcdefghijk,"12\nvidCharl003,3\n',
            (
                3,
                "views",
                f"{UNCLOSED}: it takes in the rest of the file (line 4), whose rows are not read",
                'abcdefghijk,"12\nvidCharl003,3',
            ),
        ),
        (
            'abcdefghijk,"12\nvidCharl003,3\nvidDelta004,"4"x\nvidEcho0005,5\n',
            (3, "views", SWALLOWED, 'abcdefghijk,"12\nvidCharl003,3\nvidDelta004,"4"x'),
        ),
    ],
    ids=["last-line", "last-line-lf", "mid-file-to-the-end", "mid-file-to-a-quote"],
)
@pytest.mark.parametrize("path", ["python", "pieces", "at-once-first"])
def test_a_quote_never_closed_rejects_its_row_on_every_path(
    engine: Engine, path: str, tail: str, rejected: tuple
) -> None:
    # Python's csv (not strict) ends a value whose quote is never closed with the file: `"12` was read as
    # 12 and abcdefghijk stored as a new video. A quote left open mid-file takes the lines after it into
    # its value, up to the next quote (which then stands before text): that row is rejected, and says so.
    data = ("video_id,views\nvidAlpha001,1\n" + tail).encode()
    expected, expected_rejected, counts, staged, loader = _stage_both_ways(
        engine,
        data,
        ["video_id", "views", "line"],
        at_once=path == "at-once-first",
        catalog_empty=path == "python",
    )
    got_counts = {"read": loader.rows_read, "rejected": loader.rows_rejected}
    got_rejected = [(r.line, r.column, r.reason, r.raw, r.video_id) for r in loader.rejections]
    rest = [("vidEcho0005", 5, 6)] if "vidEcho0005" in tail else []
    assert staged == [(row[0], row[1], row[-4]) for row in expected] == [("vidAlpha001", 1, 2), *rest]
    assert got_rejected == [(*rejected, "abcdefghijk")]
    assert expected_rejected == loader.rejections
    assert got_counts == {"read": counts["read"], "rejected": 1} == {"read": 2 + len(rest), "rejected": 1}


def test_a_report_of_blank_rows_only_has_no_data(engine: Engine) -> None:
    with engine.connect() as conn, ReportLoader(io.BytesIO(b"video_id,views\n\n,\n\n")) as loader:
        transaction = conn.begin()
        with pytest.raises(ReportFormatError, match="header but no data rows"):
            loader.stage(conn, lambda: None)
        transaction.rollback()


def test_a_bare_cr_file_is_read_by_the_python_reader(engine: Engine) -> None:
    data = b"video_id,views\rvidAlpha001,5\rvidBravo002,-1\r"
    with engine.connect() as conn, ReportLoader(io.BytesIO(data)) as loader:
        transaction = conn.begin()
        loader.stage(conn, lambda: None)
        assert _rows(conn, "ingest_stage", ["video_id", "views", "line"]) == [("vidAlpha001", 5, 2)]
        assert [(r.line, r.column, r.reason) for r in loader.rejections] == [(3, "views", "negative")]
        assert loader.rows_fast == 0
        transaction.rollback()


def _stage_reopenable(engine: Engine, payload: bytes) -> tuple[ReportLoader, list, int]:
    """Stage `payload` with a loader that may reopen it; returns it, the staged rows and the reopenings."""
    opened: list[int] = []

    def reopen() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(payload)

    with engine.connect() as conn, ReportLoader(io.BytesIO(payload), reopen=reopen) as loader:
        transaction = conn.begin()
        loader.stage(conn, lambda: None)
        rows = _rows(conn, "ingest_stage", ["video_id", "title", "views", "line"])
        transaction.rollback()
    return loader, rows, len(opened)


def test_a_clean_file_is_loaded_by_one_copy(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 4 << 10)
    monkeypatch.setattr(report_load, "READ_BYTES", 1 << 10)
    lines = ["video_id,video_title,views"] + [f"vid{n:08d},Title {n},{n}" for n in range(2000)]

    loader, rows, reopened = _stage_reopenable(engine, ("\n".join(lines) + "\n").encode())

    assert (loader.rows_fast, loader.reader.rows_parsed, reopened) == (2000, 0, 0)
    assert rows[-1] == ("vid00001999", "Title 1999", 1999, 2001)


class _CountedBytes(io.BytesIO):
    """A file that counts the bytes read from it (every copy opened adds to one tally)."""

    def __init__(self, payload: bytes, tally: list[int]) -> None:
        super().__init__(payload)
        self._tally = tally

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._tally[0] += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self._tally[0] += len(data)
        return data


def test_a_line_too_long_for_a_report_ends_it_without_reading_the_rest(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A few hundred kB of gzip can hold a line of hundreds of MB: the loader must give up once the line is
    # too long for a report, not carry it whole through COPY first (minutes of work per upload).
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 4 << 10)
    monkeypatch.setattr(report_load, "READ_BYTES", 1 << 10)
    monkeypatch.setattr(report_load, "LINE_BYTES_LIMIT", 4 * (16 << 10))
    monkeypatch.setattr(report_format, "LINE_LIMIT", 16 << 10)
    payload = b"video_id,video_title,views\nvidAlpha001,ok,1\nvidBravo002," + b"x" * (4 << 20)
    read = [0]

    with (
        engine.connect() as conn,
        ReportLoader(_CountedBytes(payload, read), reopen=lambda: _CountedBytes(payload, read)) as loader,
    ):
        transaction = conn.begin()
        with pytest.raises(ReportFormatError, match=f"A line is longer than {16 << 10} characters"):
            loader.stage(conn, lambda: None)
        transaction.rollback()
    assert read[0] < 1 << 20  # of 4 MiB, the file read twice (one COPY, then piece by piece)


def test_one_copy_gives_way_to_pieces_when_a_value_holds_a_line_break(engine: Engine) -> None:
    payload = b'video_id,video_title,views\nvidAlpha001,"Two\nlines",1\nvidBravo002,Plain,2\n'

    _, rows, reopened = _stage_reopenable(engine, payload)

    assert reopened == 1
    assert rows == [("vidAlpha001", "Two\nlines", 1, 2), ("vidBravo002", "Plain", 2, 4)]


def test_a_stage_normalized_in_one_statement_keeps_the_catalogs_column_types(engine: Engine) -> None:
    """A clean file's normalized rows become the stage themselves (no second copy), typed like `video`."""
    header = "video_id,video_title,views,artist,time_published,video_length,is_short"
    rows = [f"vid{n:08d},Title {n},{n},Ann|Bo,2024-01-20T02:14:42Z,2:05,No" for n in range(50)]
    with (
        engine.connect() as conn,
        ReportLoader(io.BytesIO("\n".join([header, *rows]).encode() + b"\n")) as loader,
    ):
        transaction = conn.begin()
        loader.stage(conn, lambda: None)
        types = conn.exec_driver_sql(
            "SELECT s.attname, format_type(s.atttypid, s.atttypmod), format_type(v.atttypid, v.atttypmod) "
            "FROM pg_attribute s LEFT JOIN pg_attribute v ON v.attrelid = 'video'::regclass AND v.attname = s.attname "
            "WHERE s.attrelid = 'ingest_stage'::regclass AND s.attnum > 0 AND NOT s.attisdropped ORDER BY s.attnum"
        ).all()
        staged = _rows(conn, "ingest_stage", ["video_id", "artist", "video_length", "is_short"])
        transaction.rollback()
    assert loader.rows_fast == 50
    stored = [(name, kind) for name, kind, in_video in types if in_video is not None]
    assert stored == [(name, in_video) for name, _, in_video in types if in_video is not None]
    assert sorted(name for name, _ in stored) == [
        "artist",
        "is_short",
        "time_published",
        "title",
        "video_id",
        "video_length",
        "views",
    ]
    assert [(name, kind) for name, kind, in_video in types if in_video is None] == [
        ("line", "integer"),
        ("report_date", "date"),
        ("completeness", "integer"),
        ("row_hash", "uuid"),
        ("fast", "boolean"),
    ]
    assert staged[0] == ("vid00000000", ["Ann", "Bo"], 125, False)
