"""The loader's helpers that need no database: read-ahead, row hashes on raw lines, record boundaries."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from catalog_ui.services.report_copy import row_hash
from catalog_ui.services.report_load import (
    physical_lines,
    piece_end,
    prefetched,
    quotes_read_alike,
    record_end,
    with_row_hashes,
)

SALT = 12345


def test_prefetched_keeps_the_order_and_ends() -> None:
    assert list(prefetched(iter(range(50)), 2)) == list(range(50))


def test_prefetched_raises_the_producers_error_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("damaged")

    seen: list[int] = []
    with pytest.raises(ValueError, match="damaged"):
        for item in prefetched(items(), 1):
            seen.append(item)
    assert seen == [1, 2]


def test_a_consumer_that_stops_early_stops_the_reader_thread() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for number in range(1000):
            produced.append(number)
            yield number

    before = threading.active_count()
    reader = prefetched(items(), 2)
    assert next(reader) == 0
    reader.close()  # the consumer gives up (an error while COPYing, say)
    assert threading.active_count() == before
    assert len(produced) < 10


def test_row_hashes_are_those_of_the_raw_lines_whatever_the_line_break() -> None:
    lf = with_row_hashes(b"a,b\nc,d\n", SALT)
    crlf = with_row_hashes(b"a,b\r\nc,d\r\n", SALT)
    assert (
        lf
        == crlf
        == (b"a,b," + row_hash(SALT, b"a,b").encode() + b"\nc,d," + row_hash(SALT, b"c,d").encode() + b"\n")
    )
    # The last line of a file may have no line break.
    assert with_row_hashes(b"a,b\nc,d", SALT) == lf


def test_record_boundaries_respect_quotes() -> None:
    assert record_end(b'a,"b\nc"\nd,e') == 8
    assert record_end(b'a,"b\nc') is None
    assert record_end(b'a,"x""y"\nb') == 9
    assert physical_lines(b"a\r\nb\rc\n") == 3
    assert physical_lines(b"a\nb") == 2


def test_a_piece_with_quotes_read_as_text_ends_where_the_python_reader_ends_a_record() -> None:
    # Counting quotes, the literal one of `12" vinyl` makes the open `"Two` look closed: the piece would
    # end inside Two\nlines, the value Python reads as quoted (and each half would be rejected).
    data = b'a,12" vinyl,1\nb,"Two\nlines",2\nc,x,3\n'
    assert record_end(data) == data.index(b"lines")
    assert piece_end(data) == (len(data), None)
    assert piece_end(data[:-2]) == (data.index(b"c,x"), None)  # not a whole line yet
    assert piece_end(b'a,12" vinyl,1\nb,"Two\n') == (len(b'a,12" vinyl,1\n'), None)
    assert piece_end(b'a"b,"c\n') == (None, None)  # even quotes, but Python reads "c as open: no whole record
    assert piece_end(b'a,"b\nc"\nd,e') == (8, True)  # quotes read alike: counted as before


@pytest.mark.parametrize(
    ("data", "alike"),
    [
        (b"a,b,c\nd,e,f\n", True),
        (b'a,"b, c",d\n"x ""y"" z",,""\n', True),
        (b'a,"multi\nline",c\r\nd,e,f\r\n', True),
        (b'a,"""quoted""",c\n', True),
        (b'a,Song "Live" Version,10\n', False),  # quotes inside an unquoted value
        (b'a,12" vinyl,5\n', False),
        (b'a, "x",5\n', False),  # a space before the opening quote
        (b'a,"x" y,5\n', False),  # text after the closing quote
        (b'a,b",5\nc,d",6\n', False),  # a quote at the end of an unquoted value
        (b'a,b""c,5\n', False),
        (b'a,"open,5\n', False),  # never closed
    ],
)
def test_quotes_read_alike_only_for_values_quoted_whole(data: bytes, alike: bool) -> None:
    assert quotes_read_alike(data) is alike
