"""The Videos report reader: header mapping, normalizers, dirt, structural faults, streaming, COPY."""

import csv
import gzip
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from catalog_ui.services import report_columns
from catalog_ui.services.report_columns import REPORT_COLUMNS, STORED_COLUMNS
from catalog_ui.services.report_format import (
    LINE_LIMIT,
    ParsedRow,
    RejectedRow,
    ReportFormatError,
    ReportReader,
    open_report,
    to_copy_line,
)
from catalog_ui.services.report_sql import CSV_FIELD_LIMIT

VID = "dQw4w9WgXcQ"
VID2 = "9bZkp7q19f0"


def csv_bytes(header: list[str], *rows: list[str], crlf: bool = False) -> bytes:
    """Encode a header and rows as CSV the way a spreadsheet would (quoting only where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def read(data: bytes) -> tuple[ReportReader, list[ParsedRow | RejectedRow]]:
    reader = open_report(io.BytesIO(data))
    return reader, list(reader)


def one(data: bytes) -> ParsedRow | RejectedRow:
    _reader, rows = read(data)
    assert len(rows) == 1
    return rows[0]


def value(header: str, cell: str) -> object:
    """Read a one-row report with `video_id` and `header`; return the stored value of that cell."""
    row = one(csv_bytes(["video_id", header], [VID, cell]))
    assert isinstance(row, ParsedRow), row
    (column,) = set(row.values) - {"video_id"}
    return row.values[column]


def rejection(header: str, cell: str) -> tuple[str | None, str]:
    row = one(csv_bytes(["video_id", header], [VID, cell]))
    assert isinstance(row, RejectedRow), row
    assert row.line == 2
    return row.column, row.reason


def format_error(data: bytes) -> str:
    with pytest.raises(ReportFormatError) as caught:
        read(data)
    return str(caught.value)


# --- a complete modern row -------------------------------------------------------------------------

MODERN_HEADER = [
    "video_id", "channel_id", "channel_display_name", "time_published", "video_title", "video_length",
    "views", "category", "privacy_status", "asset_id", "custom_id", "isrc", "upc", "artist", "album",
    "label", "genre", "claimed_status", "claimed_by_another_owner", "other_owners_claiming",
    "effective_policy", "third_party_ads_enabled", "display_ads_enabled", "sponsored_cards_enabled",
    "overlay_ads_enabled", "nonskippable_video_ads_enabled", "long_nonskippable_video_ads_enabled",
    "skippable_video_ads_enabled", "prerolls_enabled", "midrolls_enabled", "postrolls_enabled",
    "embedding_allowed", "ratings_allowed", "comments_allowed", "is_short", "is_live_stream", "upload_source",
]  # fmt: skip
MODERN_ROW = [
    VID, "UCuAXFkgsw1L7xaCfnd5JJOw", "  Rick Astley ", "2009-10-25T06:57:33Z", "Never Gonna Give You Up",
    "213", "1,234,567,890", "10", "Public", "A123456789012345", "CUST-1", "gbarl9300135", "886443927087",
    "Rick Astley|Rick Astley", "Whenever You Need Somebody", "RCA", "Pop, Dance", "routedForReview", "no",
    "Owner A, Owner B", "Monetize in all countries", "Yes", "yes", "TRUE", "true", "1", "Y", "No", "FALSE",
    "0", "n", "Yes", "", "false", "false", "", "web",
]  # fmt: skip
MODERN_VALUES = {
    "video_id": VID,
    "channel_id": "UCuAXFkgsw1L7xaCfnd5JJOw",
    "channel_display_name": "Rick Astley",
    "time_published": datetime(2009, 10, 25, 6, 57, 33, tzinfo=UTC),
    "title": "Never Gonna Give You Up",
    "video_length": 213,
    "views": 1234567890,
    "category": "Music",
    "privacy_status": "public",
    "asset_id": "A123456789012345",
    "custom_id": "CUST-1",
    "isrc": "GBARL9300135",
    "upc": "886443927087",
    "artist": ["Rick Astley"],
    "label": "RCA",
    "genre": ["Pop", "Dance"],
    "claimed_status": "routedForReview",
    "claimed_by_another_owner": "No",
    "other_owners_claiming": "Owner A|Owner B",
    "effective_policy": "Monetize in all countries",
    "third_party_ads_enabled": "Yes",
    "display_ads_enabled": "Yes",
    "sponsored_cards_enabled": "Yes",
    "overlay_ads_enabled": "Yes",
    "nonskippable_video_ads_enabled": "Yes",
    "long_nonskippable_video_ads_enabled": "Yes",
    "skippable_video_ads_enabled": "No",
    "prerolls_enabled": "No",
    "midrolls_enabled": "No",
    "postrolls_enabled": "No",
    "embedding_allowed": "Yes",
    "ratings_allowed": None,
    "comments_allowed": "No",
    "is_short": False,
    "is_live_stream": None,
    "upload_source": "web",
}


def test_modern_row_is_normalized_exactly() -> None:
    reader, rows = read(csv_bytes(MODERN_HEADER, MODERN_ROW))

    assert rows == [ParsedRow(2, MODERN_VALUES, None, 34, ())]
    assert reader.header.mapped == {name: name for name in MODERN_HEADER if name != "album"} | {
        "video_title": "title"
    }
    assert reader.header.ignored == ["album"]
    assert reader.header.date_column is None
    assert (reader.rows_read, reader.rows_parsed, reader.rows_rejected, reader.rows_skipped) == (1, 1, 0, 0)


def test_stored_columns_are_exactly_what_a_report_may_fill() -> None:
    never = {"hidden", "administered", "administered_at", "notes", "updated_at", "id"}
    assert set(STORED_COLUMNS) == set(MODERN_VALUES)
    assert not never & set(STORED_COLUMNS)


def test_column_order_does_not_matter() -> None:
    order = list(reversed(range(len(MODERN_HEADER))))
    shuffled = csv_bytes([MODERN_HEADER[i] for i in order], [MODERN_ROW[i] for i in order])

    row = one(shuffled)

    assert isinstance(row, ParsedRow)
    assert row.values == MODERN_VALUES


# --- header mapping --------------------------------------------------------------------------------

ALIASES = [
    ("title", "title", "Old Title", "Old Title"),
    ("username", "channel_display_name", "oldchannel", "oldchannel"),
    ("time_uploaded", "time_published", "2012/01/02 03:04:05", datetime(2012, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("length", "video_length", "4:05", 245),
    ("view_count", "views", "1 234", 1234),
    ("policy", "effective_policy", "Track in all countries", "Track in all countries"),
]


@pytest.mark.parametrize(("header", "column", "cell", "expected"), ALIASES)
def test_older_names_fill_the_same_columns(header: str, column: str, cell: str, expected: object) -> None:
    reader, rows = read(csv_bytes(["video_id", header], [VID, cell]))

    assert reader.header.mapped == {"video_id": "video_id", header: column}
    assert rows == [ParsedRow(2, {"video_id": VID, column: expected}, None, 2, ())]


def test_every_outside_name_is_covered_by_these_tests() -> None:
    covered = set(MODERN_HEADER) | {alias for alias, *_ in ALIASES} | {"claimed_by_this_owner", "date"}
    assert covered == set(REPORT_COLUMNS)


def test_headers_match_ignoring_case_and_spaces() -> None:
    reader, rows = read(csv_bytes([" Video_ID ", "VIEWS  ", "Video Title"], [VID, "7", "T"]))

    assert reader.header.columns == ("Video_ID", "VIEWS", "Video Title")
    assert reader.header.mapped == {"Video_ID": "video_id", "VIEWS": "views", "Video Title": "title"}
    assert rows == [ParsedRow(2, {"video_id": VID, "views": 7, "title": "T"}, None, 3, ())]


def test_unknown_and_unstored_columns_are_ignored_and_counted() -> None:
    header = ["video_id", "album", "claimed_by_this_owner", "Shiny New Column", ""]
    reader, rows = read(csv_bytes(header, [VID, "An Album", "Yes", "x", "y"]))

    assert reader.header.ignored == [
        "album",
        "claimed_by_this_owner",
        "Shiny New Column",
        "(unnamed column 5)",
    ]
    assert reader.header.mapped == {"video_id": "video_id"}
    assert rows == [ParsedRow(2, {"video_id": VID}, None, 1, ())]


def test_date_column_is_the_report_date_not_a_value() -> None:
    data = csv_bytes(
        ["date", "video_id", "views"], ["20240305", VID, "5"], ["2024-03-06", VID, "6"], ["", VID2, "1"]
    )
    reader, rows = read(data)

    assert reader.header.date_column == "date"
    assert reader.header.mapped == {"video_id": "video_id", "views": "views"}
    assert reader.header.ignored == []
    assert [(row.report_date, row.values) for row in rows] == [
        (date(2024, 3, 5), {"video_id": VID, "views": 5}),
        (date(2024, 3, 6), {"video_id": VID, "views": 6}),
        (None, {"video_id": VID2, "views": 1}),
    ]


def test_bad_report_date_is_rejected() -> None:
    row = one(csv_bytes(["video_id", "date"], [VID, "yesterday"]))
    assert row == RejectedRow(2, "date", "not a valid date", f"{VID},yesterday", VID)


# --- normalizers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["Yes", "yes", "YES", "TRUE", "true", "1", "Y", "y"])
def test_flag_yes_vocabulary(cell: str) -> None:
    assert value("display_ads_enabled", cell) == "Yes"
    assert value("is_short", cell) is True


@pytest.mark.parametrize("cell", ["No", "no", "FALSE", "false", "0", "N", "n"])
def test_flag_no_vocabulary(cell: str) -> None:
    assert value("comments_allowed", cell) == "No"
    assert value("is_live_stream", cell) is False


@pytest.mark.parametrize("cell", ["maybe", "2", "enabled", "Yess"])
def test_flag_outside_the_vocabulary_is_rejected(cell: str) -> None:
    assert rejection("prerolls_enabled", cell) == ("prerolls_enabled", "not a Yes/No value")
    assert rejection("is_short", cell) == ("is_short", "not a Yes/No value")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-05T14:02:11Z", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024-03-05t14:02:11z", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024-03-05T14:02:11+02:00", datetime(2024, 3, 5, 12, 2, 11, tzinfo=UTC)),
        ("2024-03-05T14:02:11.250-05:30", datetime(2024, 3, 5, 19, 32, 11, 250000, tzinfo=UTC)),
        ("2024-03-05T14:02:11.123456789Z", datetime(2024, 3, 5, 14, 2, 11, 123456, tzinfo=UTC)),
        ("2024-03-05 14:02:11", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024/03/05 14:02:11", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("2024/3/5 4:02", datetime(2024, 3, 5, 4, 2, tzinfo=UTC)),
        ("2024/03/05", datetime(2024, 3, 5, tzinfo=UTC)),
    ],
)
def test_times_become_aware_utc(cell: str, expected: datetime) -> None:
    parsed = value("time_published", cell)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("cell", ["yesterday", "2024-13-01", "2024/02/30 10:00:00", "05/03/2024", "14:02"])
def test_unparseable_time_is_rejected(cell: str) -> None:
    assert rejection("time_uploaded", cell) == ("time_uploaded", "not a valid date and time")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("0", 0), ("213", 213), ("3:21", 201), ("0:05", 5), ("1:02:03", 3723), ("75:00", 4500)],
)
def test_video_length(cell: str, expected: int) -> None:
    assert value("video_length", cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-5", "negative"),
        ("-1:00", "negative"),
        ("3.5", "not a duration (seconds, m:ss or h:mm:ss)"),
        ("three", "not a duration (seconds, m:ss or h:mm:ss)"),
        ("1:75", "not a duration (seconds, m:ss or h:mm:ss)"),
        ("1:60:00", "not a duration (seconds, m:ss or h:mm:ss)"),
        ("PT3M", "not a duration (seconds, m:ss or h:mm:ss)"),
        ("9999999999", "larger than 2147483647"),
    ],
)
def test_bad_video_length_is_rejected(cell: str, reason: str) -> None:
    assert rejection("length", cell) == ("length", reason)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("0", 0), ("42", 42), ("1,234,567", 1234567), ("1 234", 1234), ("12\u00a0345", 12345), ("-0", 0)],
)
def test_views(cell: str, expected: int) -> None:
    assert value("views", cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-3", "negative"),
        ("-1,000", "negative"),
        ("abc", "not a whole number"),
        ("12.5", "not a whole number"),
        ("1,23", "not a whole number"),
        ("1,234 567", "not a whole number"),
        ("1e6", "not a whole number"),
        (str(2**63), f"larger than {2**63 - 1}"),
    ],
)
def test_bad_views_are_rejected(cell: str, reason: str) -> None:
    assert rejection("view_count", cell) == ("view_count", reason)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("10", "Music"),
        ("20", "Gaming"),
        ("music", "Music"),
        ("Music", "Music"),
        ("Unlisted Thing", "Unlisted Thing"),
    ],
)
def test_category_ids_become_names(cell: str, expected: str) -> None:
    assert value("category", cell) == expected


def test_over_long_category_is_rejected() -> None:
    assert rejection("category", "c" * 51) == ("category", "longer than 50 characters")


@pytest.mark.parametrize(
    ("cell", "expected"), [("PUBLIC", "public"), ("Private", "private"), ("unlisted", "unlisted")]
)
def test_privacy_status(cell: str, expected: str) -> None:
    assert value("privacy_status", cell) == expected


@pytest.mark.parametrize("cell", ["hidden", "draft", "public-ish"])
def test_bad_privacy_status_is_rejected(cell: str) -> None:
    assert rejection("privacy_status", cell) == ("privacy_status", "not one of public, private, unlisted")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A|B", ["A", "B"]),
        (" A | B |", ["A", "B"]),
        ("A, B", ["A", "B"]),
        ("A, B|C", ["A, B", "C"]),
        ("B|A|B|a", ["B", "A", "a"]),
        ("Solo", ["Solo"]),
        (" | | ", None),
        (" , , ", None),
        ("A| , ", ["A", ","]),
    ],
)
def test_multi_valued_fields(cell: str, expected: list[str] | None) -> None:
    assert value("artist", cell) == expected
    assert value("genre", cell) == expected


def test_multi_valued_elements_within_their_limit() -> None:
    assert value("artist", "a" * 200 + "|b") == ["a" * 200, "b"]
    assert value("genre", "g" * 100) == ["g" * 100]
    assert rejection("artist", "ok|" + "a" * 201) == ("artist", "an entry is longer than 200 characters")
    assert rejection("genre", "g" * 101) == ("genre", "an entry is longer than 100 characters")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Owner A|Owner B", "Owner A|Owner B"),
        ("Owner A, Owner B", "Owner A|Owner B"),
        (" X |  | Y |X", "X|Y"),
    ],
)
def test_other_owners_claiming_is_pipe_joined_text(cell: str, expected: str) -> None:
    assert value("other_owners_claiming", cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("USABC2400001", "USABC2400001"),
        ("us-abc-24-00001", "USABC2400001"),
        ("US ABC 24 00001", "USABC2400001"),
    ],
)
def test_isrc_is_normalized(cell: str, expected: str) -> None:
    row = one(csv_bytes(["video_id", "isrc"], [VID, cell]))
    assert row == ParsedRow(2, {"video_id": VID, "isrc": expected}, None, 2, ())


@pytest.mark.parametrize("cell", ["usabc240000", "1SABC2400001", "US-ABC-2400X", "X"])
def test_invalid_isrc_is_kept_as_reported_and_flagged(cell: str) -> None:
    row = one(csv_bytes(["video_id", "isrc"], [VID, f" {cell} "]))
    assert row == ParsedRow(2, {"video_id": VID, "isrc": cell}, None, 2, ("isrc_invalid",))


def test_isrc_longer_than_the_column_is_rejected() -> None:
    assert rejection("isrc", "US-ABC-24-000011") == ("isrc", "longer than 12 characters")


@pytest.mark.parametrize(
    ("cell", "kept"), [("us-abc-24-0001", "USABC240001"), ("US ABC 24 0000X", "USABC240000X")]
)
def test_invalid_isrc_too_long_as_written_is_kept_compacted_and_flagged(cell: str, kept: str) -> None:
    # Hyphens make it longer than the column: compacted, it fits, and the row's other values are kept.
    row = one(csv_bytes(["video_id", "isrc", "title"], [VID, cell, "Kept"]))
    assert row == ParsedRow(2, {"video_id": VID, "isrc": kept, "title": "Kept"}, None, 3, ("isrc_invalid",))


def test_invalid_upc_too_long_as_written_is_kept_compacted_and_flagged() -> None:
    row = one(csv_bytes(["video_id", "upc"], [VID, "1234-5678-9012-3456-7X"]))
    assert row == ParsedRow(2, {"video_id": VID, "upc": "12345678901234567X"}, None, 2, ("upc_invalid",))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("886443927087", "886443927087"),
        ("0886443927087", "0886443927087"),
        ("8 86443 92708 7", "886443927087"),
    ],
)
def test_upc_is_normalized(cell: str, expected: str) -> None:
    row = one(csv_bytes(["video_id", "upc"], [VID, cell]))
    assert row == ParsedRow(2, {"video_id": VID, "upc": expected}, None, 2, ())


@pytest.mark.parametrize("cell", ["12345", "88644392708X", "8.86444E+11", "12345678901234"])
def test_invalid_upc_is_kept_as_reported_and_flagged(cell: str) -> None:
    row = one(csv_bytes(["video_id", "upc"], [VID, cell]))
    assert row == ParsedRow(2, {"video_id": VID, "upc": cell}, None, 2, ("upc_invalid",))


def test_upc_longer_than_the_column_is_rejected() -> None:
    assert rejection("upc", "1" * 21) == ("upc", "longer than 20 characters")


def test_both_flags_on_one_row() -> None:
    row = one(csv_bytes(["video_id", "upc", "isrc"], [VID, "123", "bad"]))
    assert row == ParsedRow(
        2, {"video_id": VID, "upc": "123", "isrc": "bad"}, None, 3, ("upc_invalid", "isrc_invalid")
    )


def test_empty_and_blank_cells_are_none_and_text_is_stripped() -> None:
    header = ["video_id", "video_title", "views", "artist", "claimed_status", "isrc"]
    row = one(csv_bytes(header, [f"  {VID} ", "   ", "", "", "  Appealed ", " \t "]))

    assert row == ParsedRow(
        2,
        {
            "video_id": VID,
            "title": None,
            "views": None,
            "artist": None,
            "claimed_status": "Appealed",
            "isrc": None,
        },
        None,
        2,
        (),
    )


@pytest.mark.parametrize(
    ("header", "limit"),
    [
        ("video_title", 200),
        ("channel_id", 100),
        ("channel_display_name", 100),
        ("asset_id", 50),
        ("custom_id", 100),
        ("label", 200),
        ("claimed_status", 20),
        ("upload_source", 20),
    ],
)
def test_text_limits(header: str, limit: int) -> None:
    assert value(header, "é" * limit) == "é" * limit
    assert rejection(header, "é" * (limit + 1)) == (header, f"longer than {limit} characters")


def test_text_columns_without_limit() -> None:
    assert value("effective_policy", "p" * 5000) == "p" * 5000
    assert value("other_owners_claiming", "o" * 5000) == "o" * 5000


@pytest.mark.parametrize("cell", ["dQw4w9WgXc", "dQw4w9WgXcQQ", "dQw4w9WgXc!", "dQw4w9 gXcQ", "ÄQw4w9WgXcQ"])
def test_invalid_video_id_is_rejected(cell: str) -> None:
    row = one(csv_bytes(["video_id", "views"], [cell, "1"]))
    assert row == RejectedRow(
        2, "video_id", "not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)", f"{cell},1"
    )


def test_video_id_with_dash_and_underscore_is_valid() -> None:
    assert one(csv_bytes(["video_id"], ["a-_B0c9Z-_x"])) == ParsedRow(
        2, {"video_id": "a-_B0c9Z-_x"}, None, 1, ()
    )


def test_empty_video_id_on_a_filled_row_is_rejected() -> None:
    row = one(csv_bytes(["video_id", "title", "views", "category"], ["", "A title", "12", "Music"]))
    assert row == RejectedRow(2, "video_id", "empty", ",A title,12,Music")


def test_bad_video_id_is_reported_before_other_columns() -> None:
    row = one(csv_bytes(["views", "video_id"], ["-1", "short"]))
    assert (row.column, row.reason) == (
        "video_id",
        "not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)",
    )


def test_completeness_counts_non_empty_stored_values() -> None:
    header = ["video_id", "title", "views", "album", "date"]
    _reader, rows = read(csv_bytes(header, [VID, "", "3", "ignored", "2024-01-01"], [VID, "T", "3", "", ""]))
    assert [row.completeness for row in rows] == [2, 3]


# --- dirt ------------------------------------------------------------------------------------------


def test_blank_lines_are_skipped_and_counted() -> None:
    data = f"\n\nvideo_id,views\n\n{VID},1\n,\n   \n\r\n{VID2},2\n\n".encode()
    reader, rows = read(data)

    assert [(row.line, row.values["video_id"]) for row in rows] == [(5, VID), (9, VID2)]
    assert reader.skipped == {"blank": 7, "summary": 0, "header": 0}
    assert (reader.rows_read, reader.rows_skipped) == (2, 7)


@pytest.mark.parametrize(
    "summary", ["Total,,,12345", "Totals,,,5", "TOTAL:,,,1", "Grand total,,,1", ",,,99", ",,,", "Total"]
)
def test_summary_lines_are_skipped(summary: str) -> None:
    data = f"channel_display_name,video_id,title,views\nChan,{VID},T,1\n{summary}\nChan,{VID2},U,2\n".encode()
    reader, rows = read(data)

    assert [row.line for row in rows] == [2, 4]
    assert all(isinstance(row, ParsedRow) for row in rows)
    assert reader.rows_skipped == 1
    assert reader.skipped["summary"] + reader.skipped["blank"] == 1


def test_a_channel_named_total_is_not_a_summary() -> None:
    row = one(f"channel_display_name,video_id\nTotal,{VID}\n".encode())
    assert row == ParsedRow(2, {"channel_display_name": "Total", "video_id": VID}, None, 2, ())


def test_mostly_empty_row_without_video_id_is_a_summary_line() -> None:
    header = ["video_id", "title", "views", "category", "label", "isrc", "upc", "artist"]
    reader, rows = read(
        csv_bytes(header, [VID, "T", "1", "", "", "", "", ""], ["", "", "1000", "", "", "", "", ""])
    )
    assert [row.line for row in rows] == [2]
    assert reader.skipped == {"blank": 0, "summary": 1, "header": 0}


def test_repeated_headers_of_concatenated_files_are_skipped() -> None:
    part1 = b"\xef\xbb\xbfvideo_id,views\r\n" + f"{VID},1\r\n".encode()
    part2 = b"\xef\xbb\xbfVideo_ID , Views\r\n" + f"{VID2},2\r\n".encode()
    # Concatenated gzip members are one valid gzip stream.
    reader, rows = read(gzip.compress(part1) + gzip.compress(part2))

    assert [(row.line, row.values) for row in rows] == [
        (2, {"video_id": VID, "views": 1}),
        (4, {"video_id": VID2, "views": 2}),
    ]
    assert reader.skipped == {"blank": 0, "summary": 0, "header": 1}


def test_a_repeated_header_in_another_order_is_rejected() -> None:
    reader, rows = read(f"video_id,views,title\n{VID},1,T\ntitle,video_id,views\n".encode())
    assert rows[1] == RejectedRow(
        3, None, "a repeated header row that differs from the first header", "title,video_id,views"
    )
    assert (reader.rows_rejected, reader.rows_skipped) == (1, 0)


@pytest.mark.parametrize(
    ("row_text", "found"), [(f"{VID},1", 2), (f"{VID},1,T,extra", 4), (f"{VID},1,T,", 4)]
)
def test_wrong_column_count_is_rejected(row_text: str, found: int) -> None:
    data = f"video_id,views,title\n{row_text}\n{VID2},2,U\n".encode()
    _reader, rows = read(data)

    assert rows[0] == RejectedRow(2, None, f"expected 3 columns, found {found}", row_text, VID)
    assert rows[1] == ParsedRow(3, {"video_id": VID2, "views": 2, "title": "U"}, None, 3, ())


def test_line_numbers_count_newlines_inside_quoted_fields() -> None:
    data = (
        f'video_id,title,views\n{VID},"two\nlines",1\n"{VID2}","three\r\nline\ntitle",x\n'
        f'aaaaaaaaaaa,"end",-1\n\nbbbbbbbbbbb,ok,3\n'
    ).encode()
    _reader, rows = read(data)

    assert rows == [
        ParsedRow(2, {"video_id": VID, "title": "two\nlines", "views": 1}, None, 3, ()),
        RejectedRow(4, "views", "not a whole number", f'{VID2},"three\r\nline\ntitle",x', VID2),
        RejectedRow(7, "views", "negative", "aaaaaaaaaaa,end,-1", "aaaaaaaaaaa"),
        ParsedRow(9, {"video_id": "bbbbbbbbbbb", "title": "ok", "views": 3}, None, 3, ()),
    ]


def test_crlf_bom_and_gzip_read_the_same_as_plain() -> None:
    rows = [[VID, "Title, with comma", "1"], [VID2, 'Say "hi"', "bad"]]
    plain = csv_bytes(["video_id", "title", "views"], *rows)
    crlf = b"\xef\xbb\xbf" + csv_bytes(["video_id", "title", "views"], *rows, crlf=True)

    expected = [
        ParsedRow(2, {"video_id": VID, "title": "Title, with comma", "views": 1}, None, 3, ()),
        RejectedRow(3, "views", "not a whole number", f'{VID2},"Say ""hi""",bad', VID2),
    ]
    for data in (plain, crlf, gzip.compress(plain), gzip.compress(crlf)):
        reader, parsed = read(data)
        assert parsed == expected
        assert reader.header.columns == ("video_id", "title", "views")
        assert reader.gzipped == data.startswith(b"\x1f\x8b")


def test_non_utf8_bytes_reject_the_row_with_its_column() -> None:
    data = (
        b"video_id,title,album,views\n"
        + VID.encode()
        + b",Caf\xe9,x,1\n"
        + VID2.encode()
        + b",ok,Alb\xff,2\n"
    )
    reader, rows = read(data)

    assert rows[0] == RejectedRow(2, "title", "not valid UTF-8", f"{VID},Caf\ufffd,x,1", VID)
    # Bad bytes in a column we do not store do not cost the row.
    assert rows[1] == ParsedRow(3, {"video_id": VID2, "title": "ok", "views": 2}, None, 3, ())
    assert (reader.rows_parsed, reader.rows_rejected) == (1, 1)


def test_nul_character_rejects_the_row() -> None:
    row = one(b"video_id,title\n" + VID.encode() + b",a\x00b\n")
    assert row == RejectedRow(2, "title", "contains a NUL character", f"{VID},a\ufffdb", VID)


def test_raw_text_of_a_rejected_row_is_bounded() -> None:
    row = one(csv_bytes(["video_id", "effective_policy", "views"], [VID, "p" * 5000, "x"]))
    assert isinstance(row, RejectedRow)
    assert row.raw == f"{VID},{'p' * 5000},x"[:2000]


# --- structural faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n", gzip.compress(b""), gzip.compress(b"\n")]
)
def test_file_without_header_is_an_error(data: bytes) -> None:
    assert format_error(data) == "The file is empty: there is no header row."


@pytest.mark.parametrize(
    "data", [b"video_id,views\n", b"video_id,views", b"video_id,views\n\n\nTotal,5\nvideo_id,views\n"]
)
def test_header_without_data_rows_is_an_error(data: bytes) -> None:
    assert format_error(data) == "The report has a header but no data rows."
    assert format_error(gzip.compress(data)) == "The report has a header but no data rows."


def test_a_file_of_rejected_rows_is_not_empty() -> None:
    reader, rows = read(b"video_id\nnope\n")
    assert rows == [
        RejectedRow(2, "video_id", "not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)", "nope")
    ]
    assert reader.rows_read == 1


@pytest.mark.parametrize(
    "data", [b"\x1f\x8bnot really gzip at all", b"\x1f\x8b", gzip.compress(b"video_id\n")[:12]]
)
def test_unreadable_gzip_is_an_error(data: bytes) -> None:
    assert format_error(data).startswith("The file looks gzip-compressed but cannot be decompressed (")


def test_gzip_cut_off_part_way_fails_during_iteration() -> None:
    lines = ["video_id,views"] + [f"{i:011d},{i}" for i in range(20000)]
    data = gzip.compress("\n".join(lines).encode())
    reader = open_report(io.BytesIO(data[: len(data) // 2]))
    seen = 0
    with pytest.raises(ReportFormatError, match=r"^The gzip data is damaged or cut off near line \d+ "):
        for _row in reader:
            seen += 1
    assert 0 < seen < 20000


def test_gzip_with_bad_checksum_fails_during_iteration() -> None:
    body = "".join(f"{i:011d},title {i * 7919 % 10007}\n" for i in range(5000))
    data = bytearray(gzip.compress(f"video_id,title\n{body}".encode()))
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    reader = open_report(io.BytesIO(bytes(data)))
    with pytest.raises(ReportFormatError, match=r"^The gzip data is damaged or cut off near line"):
        list(reader)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(256)) * 8, "The file is not a CSV text file (it contains binary data)."),
        (
            b"video_id,views\n" + b"\x01\x02\x03\x04" * 100,
            "The file is not a CSV text file (it contains binary data).",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00", "The file is a ZIP archive (an Excel workbook?), not a CSV report."),
        ("video_id,views\n".encode("utf-16"), "The file is UTF-16 encoded; export the report as UTF-8 CSV."),
    ],
)
def test_binary_content_is_an_error(data: bytes, message: str) -> None:
    assert format_error(data) == message
    assert format_error(gzip.compress(data)) == message


def test_missing_video_id_column_is_an_error() -> None:
    assert (
        format_error(b"id,title,views\nx,y,1\n")
        == "The report has no video_id column (its columns are: id, title, views)."
    )
    html = b"<html><head><title>Sign in</title></head><body>nope</body></html>\n"
    assert format_error(html).startswith("The report has no video_id column")


@pytest.mark.parametrize(("separator", "called"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_report_saved_with_another_separator_says_so(separator: str, called: str) -> None:
    # Excel where the decimal mark is a comma saves ';'; the message named a column 'video_id;title;views'.
    data = f"Video ID{separator}title{separator}views\nvidAlpha001{separator}x{separator}1\n".encode()
    assert format_error(data) == (
        f"The report's columns are separated by {called}, not commas (a spreadsheet may save it so): export "
        "it again as a comma-separated CSV, as YouTube delivers it."
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("video_id,title,video_title",
         "The columns 'title' and 'video_title' both fill 'title'; keep only one."),
        ("video_id,views,view_count",
         "The columns 'views' and 'view_count' both fill 'views'; keep only one."),
        ("video_id,username,channel_display_name",
         ("The columns 'username' and 'channel_display_name' both fill 'channel_display_name';"
          " keep only one.")),
        ("video_id,views,Views", "The column 'Views' appears twice."),
        ("video_id,video_id", "The column 'video_id' appears twice."),
        ("date,video_id,Date", "The columns 'date' and 'Date' are both the date."),
    ],
)  # fmt: skip
def test_duplicate_mapped_columns_are_an_error(header: str, message: str) -> None:
    assert format_error(f"{header}\n{VID},1,2\n".encode()) == message


def test_duplicate_ignored_columns_are_fine() -> None:
    reader, _rows = read(f"video_id,album,album\n{VID},a,b\n".encode())
    assert reader.header.ignored == ["album", "album"]


def test_header_with_invalid_utf8_is_an_error() -> None:
    message = format_error(b"video_id,t\xeftle\n" + VID.encode() + b",x\n")
    assert message == "The header row is not valid UTF-8; export the report as UTF-8 CSV."


def test_a_line_without_end_is_an_error_not_a_memory_hog() -> None:
    data = b"video_id,title\n" + VID.encode() + b"," + b"x" * (LINE_LIMIT + 10)
    assert (
        format_error(data)
        == f"A line is longer than {LINE_LIMIT} characters; the file is probably not a CSV report."
    )


def test_unclosed_quote_is_an_error_with_its_line() -> None:
    lines = [f'{VID},"never closed'] + [f"{VID2},row {i}" for i in range(20000)]
    data = ("video_id,title\n" + "\n".join(lines)).encode()
    with pytest.raises(
        ReportFormatError, match=r"^Line 2 has a value longer than 131,072 characters, or a quote"
    ):
        read(data)


def test_the_sql_paths_value_limit_is_the_csv_modules() -> None:
    assert csv.field_size_limit() == CSV_FIELD_LIMIT


# --- streaming -------------------------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """A readable stream that records how many bytes were taken from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._inner = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = self._inner.readinto(buffer)
        self.consumed += size
        return size


def test_first_row_of_a_large_gzip_report_is_read_without_reading_the_rest() -> None:
    lines = ["video_id,title,views,artist"]
    lines += [
        f"{i:011d},Title number {i * 7919 % 100003},{i * 31},Artist {i % 977}|Other {i % 13}"
        for i in range(200_000)
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    stream = CountingStream(data)

    reader = open_report(stream)
    first = next(reader)

    assert first == ParsedRow(
        2,
        {"video_id": "00000000000", "title": "Title number 0", "views": 0, "artist": ["Artist 0", "Other 0"]},
        None,
        4,
        (),
    )
    # Room for a few read-ahead buffers (gzip reads 128 KiB at a time from Python 3.12 on), no more.
    assert stream.consumed < 300_000 < len(data) // 10
    second = next(reader)
    assert second.values["video_id"] == "00000000001"
    assert stream.consumed < 300_000
    assert not stream.closed


def test_reader_close_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO(f"video_id\n{VID}\n".encode())
    with open_report(stream) as reader:
        assert [row.values for row in reader] == [{"video_id": VID}]
    assert not stream.closed


# --- COPY text encoding ----------------------------------------------------------------------------


def test_copy_line_scalars() -> None:
    values = {
        "a": None,
        "b": True,
        "c": False,
        "d": 0,
        "e": -12,
        "f": 2**63 - 1,
        "g": datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
        "h": datetime(2024, 3, 5, 14, 2, 11, 5, tzinfo=timezone(timedelta(hours=-3))),
        "i": date(2024, 3, 5),
        "j": "plain",
        "k": "",
    }
    assert to_copy_line(values, list(values)) == (
        "\\N\tt\tf\t0\t-12\t9223372036854775807\t2024-03-05T14:02:11+00:00\t2024-03-05T14:02:11.000005-03:00"
        "\t2024-03-05\tplain\t\n"
    )


def test_copy_line_escapes_text() -> None:
    text = "tab\tnl\ncr\rback\\slash \\N NULL é"
    assert to_copy_line({"t": text}, ["t"]) == "tab\\tnl\\ncr\\rback\\\\slash \\\\N NULL é\n"


def test_copy_line_arrays() -> None:
    values = {
        "a": ["x", 'q"uote', "b\\s", "t\tab", "NULL", "{,}"],
        "b": [],
        "c": ("one",),
        "d": ["x", None, 3],
    }
    assert to_copy_line(values, ["a", "b", "c", "d"]) == (
        '{"x","q\\\\"uote","b\\\\\\\\s","t\\tab","NULL","{,}"}\t{}\t{"one"}\t{"x",NULL,3}\n'
    )


def test_copy_line_takes_columns_in_the_given_order_and_requires_them() -> None:
    assert to_copy_line({"a": 1, "b": "x", "unused": 9}, ["b", "a"]) == "x\t1\n"
    with pytest.raises(KeyError):
        to_copy_line({"a": 1}, ["a", "b"])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (datetime(2024, 3, 5), ValueError),
        ("a\x00b", ValueError),
        (["a\x00"], ValueError),
        (1.5, TypeError),
        ({"a": 1}, TypeError),
        ([["nested"]], TypeError),
        ([True], TypeError),
    ],
)
def test_copy_line_refuses_what_it_cannot_encode_faithfully(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_copy_line({"x": bad}, ["x"])


def test_normalizers_report_stable_reasons() -> None:
    with pytest.raises(report_columns.FieldError) as caught:
        report_columns.views("-7")
    assert caught.value.reason == "negative"
    assert report_columns.isrc("bad") == report_columns.Flagged("bad", "isrc_invalid")
