"""Streaming reader for CMS "Videos" CSV reports, and its rows as COPY text.

`open_report` takes a binary stream (a file, an S3 body), detects gzip by its magic bytes, decodes UTF-8
(with or without BOM) and yields one `ParsedRow` or `RejectedRow` per data row, in file order, holding
only one row in memory. Ingestion uses `ReportReader.copy_lines` instead, the same rows straight as COPY
lines through the fast path of `report_copy` (rows it does not recognise go through the path above). Structural faults raise `ReportFormatError` with a message for the user:
up front for a bad header, an empty file or a header without data rows; during iteration for gzip data
that is cut off or damaged part-way, which cannot be known earlier without reading the whole stream.

Rows skipped silently (and counted): blank lines, summary lines (`Total…` first cell, or an empty
video_id with a mostly empty row; wherever they appear, not only at the end) and repeats of the header.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO, Self

from catalog_ui.services.report_columns import (
    REPORT_COLUMNS,
    VIDEO_ID_PATTERN,
    FieldError,
    Flagged,
    Normalizer,
    normalize_header,
)
from catalog_ui.services.report_copy import (
    COPY_EXTRA_COLUMNS,
    NULL,
    RowEncoder,
    row_hash,
    row_hash_salt,
    to_copy_line,
)
from catalog_ui.services.report_sql import CSV_FIELD_LIMIT

__all__ = [
    "COPY_EXTRA_COLUMNS",
    "ParsedRow",
    "RejectedRow",
    "ReportFormatError",
    "ReportReader",
    "open_report",
    "parsed_copy_line",
    "to_copy_line",
]

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192
# A physical line longer than this means the file is not a report (and must not be read into memory).
LINE_LIMIT = 1 << 20
# Rejected rows keep this much of their text; enough to recognise the row, bounded for the error table.
RAW_LIMIT = 2000
SUMMARY_WORDS = frozenset({"total", "totals", "grand total", "summary"})

_BINARY_CONTROL = frozenset(range(32)) - {9, 10, 12, 13} | {127}


class ReportFormatError(Exception):
    """The file as a whole cannot be read as a Videos report; the message is meant for the user."""


@dataclass(frozen=True)
class ReportHeader:
    """What the header row says: outside names as written (trimmed) and where each goes.

    `mapped` holds the columns stored in `video`, `ignored` the unknown or unstored ones (album,
    claimed_by_this_owner, …); `date_column` names the report-date column, which is in neither.
    """

    columns: tuple[str, ...]
    mapped: dict[str, str]
    ignored: list[str]
    date_column: str | None


@dataclass(frozen=True)
class ParsedRow:
    """A normalized row: `values` has every mapped column (None when empty), keyed by `video` column."""

    line: int
    values: dict[str, Any]
    report_date: date | None
    completeness: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class RejectedRow:
    """A row that cannot be stored; `column` is the header as in the file, None for row-wide faults.

    `video_id` is the row's video id when its video_id cell holds a well-formed one (a user's view of the
    rejected rows leaves out those of hidden videos), else None."""

    line: int
    column: str | None
    reason: str
    raw: str
    video_id: str | None = None


@dataclass(frozen=True)
class _Cell:
    index: int
    name: str
    column: str | None
    normalize: Normalizer
    is_report_date: bool
    kind: str | None
    limit: int | None


class Chained(io.RawIOBase):
    """Bytes already read (`head`) followed by the rest of `source`, as one readable raw stream."""

    def __init__(self, head: bytes, source: Any, *, owns_source: bool) -> None:
        super().__init__()
        self._head = head
        self._source = source
        self._owns_source = owns_source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        # read1 returns what is at hand: bytes read before a damaged gzip block are not lost with it.
        read = getattr(self._source, "read1", self._source.read)
        data = read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._owns_source and not self.closed:
            self._source.close()
        super().close()


def _read_exact(stream: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _check_text(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportFormatError("The file is UTF-16 encoded; export the report as UTF-8 CSV.")
    if head.startswith(b"PK\x03\x04"):
        raise ReportFormatError("The file is a ZIP archive (an Excel workbook?), not a CSV report.")
    control = sum(1 for byte in head if byte in _BINARY_CONTROL)
    # A share, not any NUL: a stray NUL or two in one row is that row's fault (rejected), not the file's.
    if control >= 4 and control * 50 > len(head):
        raise ReportFormatError("The file is not a CSV text file (it contains binary data).")


def decompressed(stream: BinaryIO) -> tuple[io.BufferedReader, bool]:
    """The report's bytes (gunzipped when the stream starts with gzip's magic) and whether it was gzip.

    Refuses up front what is not a text file (UTF-16, ZIP, binary data) with a `ReportFormatError`.
    """
    magic = _read_exact(stream, 2)
    source: Any = io.BufferedReader(Chained(magic, stream, owns_source=False))
    gzipped = magic == GZIP_MAGIC
    if gzipped:
        source = gzip.GzipFile(fileobj=source, mode="rb")
    try:
        head = source.read(SNIFF_BYTES)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ReportFormatError(
            f"The file looks gzip-compressed but cannot be decompressed ({exc})."
        ) from None
    _check_text(head)
    return io.BufferedReader(Chained(head, source, owns_source=True)), gzipped


def text_of(binary: BinaryIO) -> io.TextIOWrapper:
    """Report bytes as text the way the reader decodes them (BOM dropped, undecodable bytes kept aside)."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def value_too_long_error(line: int) -> ReportFormatError:
    """The fault of a record with a value over CSV_FIELD_LIMIT (Python's csv refuses it): no report value
    is that long, but everything after a quote that is never closed is one value."""
    return ReportFormatError(
        f"Line {line} has a value longer than {CSV_FIELD_LIMIT:,} characters, or a quote that is never "
        "closed; the file is probably damaged."
    )


def foreign_header_error(header_line: int, row_line: int) -> ReportFormatError:
    """The fault of data rows (the first on `row_line`) under a repeated header, on `header_line`, that
    names other columns or the same in another order: read by the first header's positions, their values
    would land in the wrong columns, so the report is refused whole rather than half-read."""
    return ReportFormatError(
        f"Line {header_line} repeats the header with other columns or in another order, and data rows "
        f"follow it (from line {row_line}): they would be read into the wrong columns. Split the file at "
        f"line {header_line} and ingest each part."
    )


def open_report(stream: BinaryIO) -> ReportReader:
    """Open a Videos report (plain or gzip CSV) for streaming; reads the header and the first data row."""
    binary, gzipped = decompressed(stream)
    text = text_of(binary)
    try:
        return ReportReader(text, gzipped=gzipped)
    except BaseException:
        text.close()
        raise


def _physical_lines(text: io.TextIOBase) -> Iterator[str]:
    while True:
        line = text.readline(LINE_LIMIT)
        if not line:
            return
        if len(line) >= LINE_LIMIT and line[-1] not in "\r\n":
            raise ReportFormatError(
                f"A line is longer than {LINE_LIMIT} characters; the file is probably not a CSV report."
            )
        yield line


def _is_utf8(cell: str) -> bool:
    if cell.isascii():
        return True
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw(fields: Sequence[str]) -> str:
    out = io.StringIO()
    # The terminator's characters are what the writer quotes; it is cut off again below.
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return _storable(out.getvalue()[:-2])


def _storable(raw: str) -> str:
    """A rejected record's text as the rejections table keeps it: at most RAW_LIMIT characters."""
    raw = raw[:RAW_LIMIT]
    # Rejected text is stored too, so it must itself be valid UTF-8 without NULs.
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "\ufffd")


class ReportReader:
    """Iterates a report's data rows as `ParsedRow`/`RejectedRow`, once, in file order.

    Counters cover what has been read so far: `rows_read` data rows (= `rows_parsed` + `rows_rejected`),
    `rows_skipped` blank, summary and repeated header rows (by kind in `skipped`).
    """

    def __init__(self, text: io.TextIOBase, *, gzipped: bool = False, header_only: bool = False) -> None:
        """Read the header from a decoded text stream (opened with newline="") and the first data row.

        With `header_only` the stream holds just the header (and blank lines before it): the data rows
        come later, in pieces, through `copy_lines_from` and `copy_line_of`.
        """
        self.gzipped = gzipped
        self.rows_parsed = 0
        self.rows_rejected = 0
        self.skipped: dict[str, int] = {"blank": 0, "summary": 0, "header": 0}
        # Lines of repeated headers: those that differ from the first, and those equal to it.
        self.foreign_headers: list[int] = []
        self.header_lines: list[int] = []
        self._foreign_header: int | None = None  # the differing header the rows now read come under
        self._text = text
        self._lines = _Tracked(_physical_lines(text))
        self._reader = csv.reader(self._lines)
        self.header = self._read_header()
        self._header_keys = [normalize_header(name) for name in self.header.columns]
        self._header_key_set = frozenset(self._header_keys)
        if header_only:
            return
        # The raw line of the last row `_events` gave (None: a record of several lines).
        self._event_raw: str | None = None
        events = self._events()
        first = next(events, None)
        if first is None:
            raise ReportFormatError("The report has a header but no data rows.")
        self._iterator = self._chain(first, events)

    @property
    def rows_read(self) -> int:
        """Data rows read so far, parsed or rejected."""
        return self.rows_parsed + self.rows_rejected

    @property
    def rows_skipped(self) -> int:
        """Blank, summary and repeated header rows skipped so far."""
        return sum(self.skipped.values())

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ParsedRow | RejectedRow:
        return next(self._iterator)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the decoding buffers; the stream given to `open_report` is left open."""
        self._text.close()

    @staticmethod
    def _chain(first: ParsedRow | RejectedRow, rest: Iterator[ParsedRow | RejectedRow]) -> Iterator:
        yield first
        yield from rest

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        return _numbered_records(self._reader, self._lines, 0)

    def _read_header(self) -> ReportHeader:
        self._rows = self._records()
        for _line, fields, _raw, _quote_fault in self._rows:
            if any(cell.strip() for cell in fields):
                break
            self.skipped["blank"] += 1
        else:
            raise ReportFormatError("The file is empty: there is no header row.")
        if not all(_is_utf8(cell) for cell in fields):
            raise ReportFormatError("The header row is not valid UTF-8; export the report as UTF-8 CSV.")
        columns = tuple(cell.replace("\ufeff", "").strip() for cell in fields)
        mapped: dict[str, str] = {}
        ignored: list[str] = []
        filled_by: dict[str, str] = {}
        date_column: str | None = None
        cells: list[_Cell] = []
        for index, name in enumerate(columns):
            spec = REPORT_COLUMNS.get(normalize_header(name))
            if spec is not None and spec.is_report_date:
                if date_column is not None:
                    raise ReportFormatError(f"The columns '{date_column}' and '{name}' are both the date.")
                date_column = name
            elif spec is None or spec.column is None:
                ignored.append(name or f"(unnamed column {index + 1})")
                continue
            else:
                if spec.column in filled_by:
                    other = filled_by[spec.column]
                    raise ReportFormatError(
                        f"The column '{name}' appears twice."
                        if normalize_header(other) == normalize_header(name)
                        else f"The columns '{other}' and '{name}' both fill '{spec.column}'; keep only one."
                    )
                filled_by[spec.column] = name
                mapped[name] = spec.column
            cells.append(
                _Cell(index, name, spec.column, spec.normalize, spec.is_report_date, spec.kind, spec.limit)
            )
        if "video_id" not in filled_by:
            shown = ", ".join(columns[:10]) + (", …" if len(columns) > 10 else "")
            for separator, called in ((";", "semicolons"), ("\t", "tabs")):
                # A spreadsheet saves ';' where the decimal mark is a comma; a copy from one gives tabs.
                if len(columns) == 1 and "video_id" in map(normalize_header, columns[0].split(separator)):
                    raise ReportFormatError(
                        f"The report's columns are separated by {called}, not commas (a spreadsheet may save "
                        "it so): export it again as a comma-separated CSV, as YouTube delivers it."
                    )
            raise ReportFormatError(f"The report has no video_id column (its columns are: {shown}).")
        self._video_id_index = next(cell.index for cell in cells if cell.column == "video_id")
        # video_id first, so a row with a bad id is reported for its id rather than another column.
        self._cells = sorted(cells, key=lambda cell: cell.column != "video_id")
        self.row_hash_salt = row_hash_salt(columns)
        self._encoder = RowEncoder(cells)
        return ReportHeader(columns, mapped, ignored, date_column)

    def _events(self) -> Iterator[ParsedRow | RejectedRow]:
        for line, fields, raw, quote_fault in self._rows:
            row = self._event(line, fields, quote_fault)
            if row is not None:
                self._event_raw = raw
                yield row

    def _event(
        self, line: int, fields: list[str], quote_fault: _QuoteFault | None = None
    ) -> ParsedRow | RejectedRow | None:
        """One record as a parsed or rejected row, or None when it is skipped; counts it. A record that a
        quote never closed has misread (`quote_fault`, see `_numbered_records`) is rejected."""
        if quote_fault is not None:
            self.rows_rejected += 1
            index = quote_fault.index
            column = self.header.columns[index] if index < len(self.header.columns) else None
            raw = _storable(quote_fault.text.rstrip("\r\n"))
            return RejectedRow(line, column, quote_fault.reason, raw, self._readable_id(fields))
        kind = self._skip_kind(fields)
        if kind == "different header":
            self._foreign_header = line
            self.foreign_headers.append(line)
            self.rows_rejected += 1
            return RejectedRow(
                line,
                None,
                "a repeated header row that differs from the first header",
                _raw(fields),
                self._readable_id(fields),
            )
        if kind == "header":
            self._foreign_header = None
            self.header_lines.append(line)
        if kind:
            self.skipped[kind] += 1
            return None
        if self._foreign_header is not None:
            raise foreign_header_error(self._foreign_header, line)
        row = self._parse(line, fields)
        if isinstance(row, ParsedRow):
            self.rows_parsed += 1
        else:
            self.rows_rejected += 1
        return row

    @property
    def copy_columns(self) -> tuple[str, ...]:
        """The columns of `copy_lines`' output, in order: the mapped columns, then COPY_EXTRA_COLUMNS."""
        return self._encoder.columns

    @property
    def header_keys(self) -> tuple[str, ...]:
        """The header's names in their matching form (`normalize_header`), in file order."""
        return tuple(self._header_keys)

    @property
    def cells(self) -> tuple[_Cell, ...]:
        """The header cells that are stored or give the report date (video_id first)."""
        return tuple(self._cells)

    def copy_lines(self, on_rejected: Callable[[RejectedRow], None]) -> Iterator[str]:
        """The data rows as `COPY … FROM STDIN` text lines of `copy_columns`; rejected rows go to `on_rejected`.

        A line holds the same text `to_copy_line` gives for the ParsedRow that iterating the reader
        yields, only much faster (see `report_copy`). Use either this or plain iteration, not both.
        """
        # The first row was read by __init__; its hash is that of its raw line, like every other row's.
        digest = _line_digest(self.row_hash_salt, self._event_raw)
        first = self._reference_line(next(self._iterator), on_rejected, digest)
        if first is not None:
            yield first
        yield from self._copy_lines(self._rows, on_rejected)

    def copy_lines_from(
        self, text: io.TextIOBase, first_line: int, on_rejected: Callable[[RejectedRow], None]
    ) -> Iterator[str]:
        """Like `copy_lines`, for a piece of the report's data rows that starts at line `first_line`."""
        lines = _Tracked(_physical_lines(text))
        records = _numbered_records(csv.reader(lines), lines, first_line - 1)
        yield from self._copy_lines(records, on_rejected)

    def copy_line_of(
        self, line: int, fields: list[str], digest: str | None, on_rejected: Callable[[RejectedRow], None]
    ) -> str | None:
        """The COPY line of one record read elsewhere, with its row hash (None when skipped or rejected)."""
        return next(self._copy_lines([(line, fields, None, None)], on_rejected, digest), None)

    def _reference_line(
        self, row: ParsedRow | RejectedRow | None, on_rejected: Callable[[RejectedRow], None], digest: str
    ) -> str | None:
        if isinstance(row, ParsedRow):
            return parsed_copy_line(row, self.copy_columns, digest)
        if row is not None:
            on_rejected(row)
        return None

    def _copy_lines(
        self,
        records: Iterable[tuple[int, list[str], str | None, _QuoteFault | None]],
        on_rejected: Callable[[RejectedRow], None],
        digest: str | None = None,
    ) -> Iterator[str]:
        """COPY lines of `records` (line, fields, raw line or None). Each row's hash is `digest` when given,
        else that of its raw line (a record spanning several lines gets none)."""
        salt = self.row_hash_salt
        ncols = len(self.header.columns)
        vid_index = self._video_id_index
        header_keys = self._header_key_set
        valid_id = VIDEO_ID_PATTERN.fullmatch
        encode = self._encoder.encode
        for line, fields, raw, quote_fault in records:
            row_digest = digest if digest is not None else _line_digest(salt, raw)
            # The fast path takes plain data rows; anything else, and any row with a cell the fast
            # encoders refuse, goes through the reference path, which skips, parses or rejects it.
            if len(fields) == ncols and self._foreign_header is None and quote_fault is None:
                vid = fields[vid_index]
                if valid_id(vid) and vid.lower() not in header_keys:
                    text = encode(line, fields, row_digest)
                    if text is not None:
                        self.rows_parsed += 1
                        yield text
                        continue
            text = self._reference_line(self._event(line, fields, quote_fault), on_rejected, row_digest)
            if text is not None:
                yield text

    def _skip_kind(self, fields: list[str]) -> str | None:
        if not any(cell.strip() for cell in fields):
            return "blank"
        vid_index = self._video_id_index
        vid = fields[vid_index].strip() if vid_index < len(fields) else ""
        if normalize_header(vid) in self._header_key_set:
            keys = [normalize_header(cell) for cell in fields]
            if keys == self._header_keys:
                return "header"
            if 2 * sum(key in self._header_key_set for key in keys) > len(self._header_keys):
                return "different header"
        if VIDEO_ID_PATTERN.fullmatch(vid):
            return None
        if fields[0].strip().rstrip(":").strip().lower() in SUMMARY_WORDS:
            return "summary"
        filled = sum(1 for cell in fields if cell.strip())
        if not vid and filled <= max(1, len(self.header.columns) // 4):
            return "summary"
        return None

    def _readable_id(self, fields: list[str]) -> str | None:
        """The record's video_id cell when it holds a well-formed id (also in a row of the wrong length)."""
        vid = fields[self._video_id_index].strip() if self._video_id_index < len(fields) else ""
        return vid if VIDEO_ID_PATTERN.fullmatch(vid) else None

    def _parse(self, line: int, fields: list[str]) -> ParsedRow | RejectedRow:
        if len(fields) != len(self.header.columns):
            reason = f"expected {len(self.header.columns)} columns, found {len(fields)}"
            return RejectedRow(line, None, reason, _raw(fields), self._readable_id(fields))
        values: dict[str, Any] = {}
        flags: list[str] = []
        report_date: date | None = None
        joined = "".join(fields)
        # Whole-row checks first: almost every row is plain ASCII without NULs.
        check_utf8 = not joined.isascii()
        check_nul = "\x00" in joined
        for cell in self._cells:
            raw_value = fields[cell.index]
            value: Any = None
            try:
                if check_utf8 and not _is_utf8(raw_value):
                    raise FieldError("not valid UTF-8")
                if check_nul and "\x00" in raw_value:
                    raise FieldError("contains a NUL character")
                stripped = raw_value.strip()
                if stripped:
                    value = cell.normalize(stripped)
                elif cell.column == "video_id":
                    raise FieldError("empty")
            except FieldError as exc:
                return RejectedRow(line, cell.name, exc.reason, _raw(fields), self._readable_id(fields))
            if isinstance(value, Flagged):
                flags.append(value.flag)
                value = value.value
            if cell.is_report_date:
                report_date = value
            else:
                values[cell.column] = value
        completeness = sum(1 for value in values.values() if value is not None)
        return ParsedRow(line, values, report_date, completeness, tuple(flags))


def _line_digest(salt: int, raw: str | None) -> str:
    """The row hash of a record's raw line (its line break left out); `\\N` (none) for a record of several
    lines."""
    return NULL if raw is None else row_hash(salt, raw.rstrip("\r\n").encode("utf-8", "surrogateescape"))


class _Tracked:
    """An iterator of lines that remembers the lines it gave since `record` was last cleared, and whether
    it was asked past its end."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.record: list[str] = []
        self.exhausted = False

    def __iter__(self) -> _Tracked:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise
        self.record.append(line)
        return line


@dataclass(frozen=True)
class _QuoteFault:
    """A record misread because of a quote (`_quote_fault`): the index of the value it spoils, why, and
    the record's text as the file has it."""

    index: int
    reason: str
    text: str


def _quote_fault(fields: list[str], start: int, end: int, text: str, open_end: bool) -> _QuoteFault | None:
    """The fault of a record over lines `start`..`end` (its `text`) that a quote never closed has misread,
    if any. The csv module (not strict) ends a value whose quote is never closed with the data (`open_end`);
    and a quote left open in the middle of the file takes the lines after it into its value up to the
    next quote, which then stands before text (`"Hello, world"` read as `…,Hello" world"`), not before a
    comma or the line's end: a misreading of several lines that a strict reader refuses."""
    taken = f"line {end}" if end == start + 1 else f"lines {start + 1}–{end}"
    if open_end:
        reason = "a quoted value is never closed"
        if end > start:
            reason += f": it takes in the rest of the file ({taken}), whose rows are not read"
        return _QuoteFault(len(fields) - 1, reason, text)
    if end == start:
        return None
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error:
        index = next((i for i, f in enumerate(fields) if "\n" in f or "\r" in f), len(fields) - 1)
        reason = (
            f"a quoted value closes only on line {end}, before text rather than a comma: probably a quote "
            f"never closed, which took in the rows of {taken} (not read)"
        )
        return _QuoteFault(index, reason, text)
    return None


def _numbered_records(
    reader: Any, lines: _Tracked, offset: int
) -> Iterator[tuple[int, list[str], str | None, _QuoteFault | None]]:
    """(first line, fields, raw line, quote fault) of each CSV record of `reader` (reading `lines`); line
    numbers shifted by `offset`; the raw line is None for a record spanning several lines, the quote fault
    None but for a record that a quote never closed has misread (`_quote_fault`)."""
    while True:
        lines.record.clear()
        start = reader.line_num + 1 + offset
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise value_too_long_error(start) from None
            raise ReportFormatError(f"Line {start} cannot be read as CSV ({exc}).") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ReportFormatError(
                f"The gzip data is damaged or cut off near line {start} ({exc})."
            ) from None
        end = reader.line_num + offset
        if end == start and not lines.exhausted:
            yield start, fields, lines.record[0], None
            continue
        # A whole record never asks for a line past the last one: with `exhausted`, a quote is open.
        fault = _quote_fault(fields, start, end, "".join(lines.record), lines.exhausted)
        yield start, fields, None, fault
        if lines.exhausted:
            return


def parsed_copy_line(row: ParsedRow, columns: Sequence[str], digest: str = NULL) -> str:
    """A ParsedRow as a COPY line of `columns`, which may name the COPY_EXTRA_COLUMNS too (the row hash
    is `digest`, COPY text)."""
    values = dict(row.values)
    values["line"] = row.line
    values["report_date"] = row.report_date
    values["completeness"] = row.completeness
    values["row_hash"] = None if digest == NULL else digest
    return to_copy_line(values, columns)
