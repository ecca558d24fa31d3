"""`to_copy_line` round-trips exactly through PostgreSQL `COPY … FROM STDIN` (text format)."""

import gzip
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import psycopg2
import pytest

from catalog_ui.services.report_format import ParsedRow, open_report, to_copy_line

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
COLUMNS = ("id", "txt", "arr", "flag", "big", "num", "ts")

NASTY_TEXTS = [
    "tab\there",
    "line\nbreak and\r\ncrlf and lone\rcr",
    "back\\slash \\N \\t \\\\ trailing\\",
    "double \"quotes\" and 'single'",
    "commas, {braces}, [brackets], (parens)",
    "NULL",
    "\\N",
    "",
    " leading and trailing spaces ",
    "unicode: ünïcødé — 日本語 🎵 \u200b",
    "a\u2028b\u00a0c",
]
NASTY_ARRAYS = [
    ["plain", "with space", "with,comma", "with{brace}", 'with"quote', "with\\backslash"],
    ["NULL", "null", "\\N", "tab\tin", "new\nline", "cr\rhere"],
    ['\\"', '"\\', "{}", "{a,b}", "ünï 🎸"],
    ["single"],
    [],
    None,
    ["x", None, "y"],
]


@pytest.fixture
def cursor() -> Iterator:
    connection = psycopg2.connect(DSN)
    try:
        with connection.cursor() as cur:
            # A non-UTC session proves the encoded offsets are honoured.
            cur.execute("SET TIME ZONE 'America/Sao_Paulo'")
            cur.execute(
                "CREATE TEMP TABLE copy_check (id int primary key, txt text, arr varchar(200)[], flag bool,"
                " big bigint, num int, ts timestamptz)"
            )
            yield cur
    finally:
        connection.rollback()
        connection.close()


def _copy(cur, rows: list[dict], columns: tuple[str, ...]) -> None:
    data = "".join(to_copy_line(row, columns) for row in rows)
    cur.copy_expert(f"COPY copy_check ({', '.join(columns)}) FROM STDIN", io.StringIO(data))


def _fetch(cur, columns: tuple[str, ...]) -> list[dict]:
    cur.execute(f"SELECT {', '.join(columns)} FROM copy_check ORDER BY id")
    return [dict(zip(columns, record, strict=True)) for record in cur.fetchall()]


def test_nasty_values_round_trip(cursor) -> None:
    times = [
        datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
        datetime(2024, 3, 5, 14, 2, 11, 123456, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
    ]
    rows = []
    for index in range(max(len(NASTY_TEXTS), len(NASTY_ARRAYS))):
        rows.append(
            {
                "id": index,
                "txt": NASTY_TEXTS[index % len(NASTY_TEXTS)],
                "arr": NASTY_ARRAYS[index % len(NASTY_ARRAYS)],
                "flag": (True, False, None)[index % 3],
                "big": (0, 2**63 - 1, 9_876_543_210, None)[index % 4],
                "num": (0, 2**31 - 1, 201, None)[index % 4],
                "ts": times[index % len(times)],
            }
        )
    rows.append({"id": 100, "txt": None, "arr": None, "flag": None, "big": None, "num": None, "ts": None})

    _copy(cursor, rows, COLUMNS)

    assert _fetch(cursor, COLUMNS) == rows


def test_every_nasty_text_in_every_position(cursor) -> None:
    rows = [{"id": i, "txt": text, "arr": [text, text + "!"]} for i, text in enumerate(NASTY_TEXTS)]

    _copy(cursor, rows, ("id", "txt", "arr"))

    assert _fetch(cursor, ("id", "txt", "arr")) == rows


def test_parsed_report_rows_round_trip(cursor) -> None:
    report = (
        "video_id,title,artist,is_short,views,video_length,time_published\n"
        'dQw4w9WgXcQ,"Tab\there, ""quoted"" \\ back\nslash","Ä|B, \\""|NULL",TRUE,"1,234,567",1:02:03,'
        "2024-03-05T14:02:11+02:00\n"
        "aaaaaaaaaaa,NULL,,no,0,0,2024/03/05\n"
    ).encode()
    reader = open_report(io.BytesIO(gzip.compress(report)))
    parsed = [row for row in reader if isinstance(row, ParsedRow)]
    assert len(parsed) == 2
    rows = [
        {
            "id": index,
            "txt": row.values["title"],
            "arr": row.values["artist"],
            "flag": row.values["is_short"],
            "big": row.values["views"],
            "num": row.values["video_length"],
            "ts": row.values["time_published"],
        }
        for index, row in enumerate(parsed)
    ]

    _copy(cursor, rows, COLUMNS)

    fetched = _fetch(cursor, COLUMNS)
    assert fetched == rows
    assert fetched[0]["txt"] == 'Tab\there, "quoted" \\ back\nslash'
    assert fetched[0]["arr"] == ["Ä", 'B, \\"', "NULL"]
    assert fetched[0]["ts"] == datetime(2024, 3, 5, 12, 2, 11, tzinfo=UTC)
    assert fetched[1]["txt"] == "NULL"
    assert fetched[1]["arr"] is None
