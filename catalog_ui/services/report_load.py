"""Staging a report for the merge: PostgreSQL's own CSV parser for clean pieces, the Python reader for the rest.

Every staged row carries the XXH3-128 hash of its raw line (`row_hash`, under a salt of the header), which
the merge stores in `video.report_row_hash`. A daily report mostly repeats yesterday's lines, so a row whose hash is
still its video's needs no parsing, normalizing or comparing at all: it is set aside (`rows_known`).

Into a non-empty catalog, the report's bytes (gunzipped, by a read-ahead thread) are cut at record
boundaries into pieces of about CHUNK_BYTES, each line given its hash as one more field, and each piece is
COPYed as CSV into `ingest_raw` (text columns; `ord` is the line each row starts on) under a savepoint. A
piece PostgreSQL refuses (a row with the wrong column count, a blank line, bytes that are not UTF-8, a
NUL) or that holds line breaks inside quoted values is rolled back and read by the Python reader instead,
which knows every rule of the format and rejects rows with their line, column and reason; so dirt costs
time in proportion to its size, never correctness. One statement (`report_sql`) then leaves out the known
rows and turns the others into typed `ingest_stage` rows; the rows it cannot normalize exactly go through
the Python normalizers as well. `ingest_stage` ends with exactly what the Python reader alone would have
staged (`tests/integration/test_report_load.py`).

Into an empty catalog every row is new and must be normalized: the Python reader streams the whole file
(its fast path, `report_copy`) while PostgreSQL stores what it has sent, which keeps both cores busy; a
first load sends the rows straight into `video` (`copy_into_video`). So do files whose lines end in a bare
carriage return.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import queue
import re
import sys
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO

import psycopg2
import psycopg2.errors
import xxhash
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError

from catalog_ui.db import local_settings
from catalog_ui.services.report_copy import COPY_EXTRA_COLUMNS, NULL
from catalog_ui.services.report_format import (
    LINE_LIMIT,
    Chained,
    RejectedRow,
    ReportFormatError,
    ReportReader,
    decompressed,
    foreign_header_error,
    text_of,
    value_too_long_error,
)
from catalog_ui.services.report_sql import (
    CSV_FIELD_LIMIT,
    RawCell,
    known_row_sql,
    normalize_select,
    raw_column,
)
from catalog_ui.services.stopping import WorkerStopped

log = logging.getLogger(__name__)

CHUNK_BYTES = 2 << 20  # one COPY (and, when it fails, one Python pass) per piece of this size
READ_BYTES = 64 << 10
MAX_PENDING_BYTES = 64 << 20  # no record boundary in this much: the rest goes the Python way
# No line break in this much: a line the Python reader refuses (LINE_LIMIT characters of up to 4 bytes).
LINE_BYTES_LIMIT = 4 * LINE_LIMIT
COPY_BATCH_ROWS = 2000  # rows handed to a Python COPY per read() call
SLOW_BATCH_ROWS = 5000  # raw rows fetched at once for the Python normalizers
PREFETCH_PIECES = 2  # pieces read and hashed ahead of the COPY
MAX_STORED_REJECTIONS = 10_000  # all are counted; the first ones are kept for the detail view
STAGE = "ingest_stage"
RAW = "ingest_raw"
WORK_SCHEMA_PREFIX = "ingest_work_"  # + a random suffix: see `work_tables`
# Planner costs for the set-based statements over a whole report, so their scans and joins use the second
# core (`parallel_plans`).
PARALLEL_SETTINGS = {"parallel_setup_cost": "0", "parallel_tuple_cost": "0.01"}
HASH_COLUMN = "h"  # the raw table's last column: the row hash the loader adds to each line
# The stage's columns after the report's `video` columns (COPY_EXTRA_COLUMNS, then `fast`: normalized in SQL).
STAGE_EXTRA_COLUMNS = (
    ("line", "integer"),
    ("report_date", "date"),
    ("completeness", "integer"),
    ("row_hash", "uuid"),
    ("fast", "boolean DEFAULT true"),
)


def parallel_plans(execute: Callable[[str], Any]) -> AbstractContextManager[None]:
    """PARALLEL_SETTINGS for the statements run within (through `execute`, one SQL string), then the defaults."""
    return local_settings(execute, PARALLEL_SETTINGS)


@dataclass(frozen=True)
class WorkTables:
    """How one ingestion creates its work tables (`ingest_raw`, `ingest_stage`, `ingest_delta`, …):
    `UNLOGGED` tables of a schema of its own (`work_tables`), or the session's `TEMP` tables."""

    kind: str

    def create(self, name: str) -> str:
        """The start of the statement that creates work table `name`: `CREATE <kind> TABLE <name>`."""
        return f"CREATE {self.kind} TABLE {name}"


TEMP_TABLES = WorkTables("TEMP")
WORK_TABLE_NAMES = (RAW, STAGE, "ingest_normalized", "ingest_delta")


@contextmanager
def work_tables(conn: Connection) -> Iterator[WorkTables]:
    """Where the work tables of one ingestion's transaction go, for the block; they are dropped at its end.

    Unlogged tables of a schema of its own, first on the search path: parallel workers can read those (not
    a session's temporary tables), so the normalization, the comparison with the catalog and the diff use
    both cores. The schema keeps the names of concurrent ingestions apart and, created within the
    transaction, goes with a rollback too. A role that may not create a schema (no CREATE on the database)
    gets temporary tables instead: the same result, on one core."""
    name = WORK_SCHEMA_PREFIX + uuid.uuid4().hex[:12]
    try:
        with conn.begin_nested():
            conn.execute(text(f"CREATE SCHEMA {name}"))
    except ProgrammingError as exc:
        if not isinstance(exc.orig, psycopg2.errors.InsufficientPrivilege):
            raise
        log.warning("no CREATE on the database: the ingestion's work tables are temporary (one core)")
        yield TEMP_TABLES
        conn.execute(text(f"DROP TABLE IF EXISTS {', '.join(f'pg_temp.{t}' for t in WORK_TABLE_NAMES)}"))
        return
    search_path = conn.execute(text("SELECT current_setting('search_path')")).scalar_one()
    conn.execute(text("SELECT set_config('search_path', :path, true)"), {"path": f"{name}, {search_path}"})
    yield WorkTables("UNLOGGED")
    conn.execute(text("SELECT set_config('search_path', :path, true)"), {"path": search_path})
    conn.execute(text(f"DROP SCHEMA {name} CASCADE"))


@dataclass(frozen=True)
class _Chunk:
    """Whole records of the data, starting on line `first_line` and spanning `lines` physical lines."""

    data: bytes
    first_line: int
    lines: int
    hashed: bytes  # `data` with each line's row hash appended (`with_row_hashes`)
    quotes_alike: bool  # PostgreSQL's COPY reads its quotes as the Python reader does (`quotes_read_alike`)

    @property
    def for_copy(self) -> bool:
        """Whether PostgreSQL's CSV COPY may take this piece (else the Python reader does)."""
        # `\.` alone on a line would end a CSV COPY early without an error.
        return self.quotes_alike and b"\\." not in self.data


@dataclass(frozen=True)
class _Tail:
    """The rest of the data from line `first_line` on, for the Python reader."""

    stream: BinaryIO
    first_line: int


def line_breaks(data: bytes) -> int:
    """Line breaks in `data` as the Python reader counts them: `\\n`, `\\r\\n` and a bare `\\r` are one each."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def physical_lines(data: bytes) -> int:
    """Physical lines in `data` (the last one may lack its line break)."""
    return line_breaks(data) + (0 if not data or data.endswith((b"\n", b"\r")) else 1)


def record_end(data: bytes) -> int | None:
    """The end of the last whole CSV record in `data` (just after a newline outside quotes), or None.

    Outside quotes means an even number of `"` before the newline: a doubled quote inside a quoted value
    counts twice, so it never changes the parity.
    """
    end = len(data)
    quotes = data.count(b'"')
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return None
        quotes -= data.count(b'"', newline, end)
        if quotes % 2 == 0:
            return newline + 1
        end = newline


def python_record_end(data: bytes) -> int | None:
    """The end of the last whole CSV record of `data` as the Python reader reads it (just after a line
    break that ends a record), or None.

    `record_end` counts quotes, as PostgreSQL's COPY reads them; a quote inside an unquoted value
    (`12" vinyl`) is a literal character to Python, so where such quotes are, that count can end a piece
    inside a value Python reads as quoted (the rest of it then starting the next piece)."""
    lines = data.splitlines(keepends=True)  # \n, \r\n and a bare \r, as the Python reader splits lines
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        lines.pop()  # not a whole line yet
    ended = False

    def source() -> Iterator[str]:
        nonlocal ended
        for line in lines:
            yield line.decode("utf-8", "surrogateescape")
        ended = True

    reader = csv.reader(source())
    whole = 0  # lines of the whole records read so far
    try:
        for _ in reader:
            if ended:  # the record ran into the end of `lines`: a quote is still open
                break
            whole = reader.line_num
    except csv.Error:  # a value too long: the Python reader says so when it gets there
        pass
    return sum(len(line) for line in lines[:whole]) or None


def piece_end(data: bytes) -> tuple[int | None, bool | None]:
    """Where to end a piece of `data`: after its last whole record, as both parsers read it (`record_end`),
    or as the Python reader does (`python_record_end`) when the piece's quotes would go its way; and
    whether that piece's quotes read alike (`quotes_read_alike`), when known."""
    cut = record_end(data)
    if cut is None:
        return None, None
    if quotes_read_alike(data[:cut]):
        return cut, True
    return python_record_end(data), None


class _Lines(io.TextIOBase):
    """A file-like object for psycopg2's copy_expert: batches of COPY lines from an iterator.

    An exception raised while producing lines is kept in `error` (psycopg2 reports it as a cancelled
    COPY) so the caller can raise the original.
    """

    def __init__(self, lines: Iterator[str], on_batch: Callable[[], None]) -> None:
        super().__init__()
        self._lines = lines
        self._on_batch = on_batch
        self.error: Exception | None = None

    def read(self, size: int | None = -1) -> str:
        # copy_expert sends whatever one call returns, so a batch need not match `size`.
        try:
            batch = "".join(islice(self._lines, COPY_BATCH_ROWS))
            self._on_batch()
        except Exception as exc:
            self.error = exc
            raise
        return batch

    def readline(self, size: int | None = -1) -> str:
        return self.read(size)


# A quoted CSV value: its quotes, and doubled quotes inside (the unrolled form scans fast).
_QUOTED_VALUE = re.compile(rb'"[^"]*(?:""[^"]*)*"')


def quotes_read_alike(data: bytes) -> bool:
    """Whether every `"` of `data` belongs to a value quoted from one field boundary to the next.

    Those are the only quotes PostgreSQL's CSV COPY and Python's csv module read alike. A quote inside an
    unquoted value (`12" vinyl`, `Song "Live" Version`), or text after a closing quote, is a literal
    character to Python, but PostgreSQL opens a quoted section there and drops the quotes: such a piece
    goes the Python way.
    """
    if b'"' not in data:
        return True
    size, quotes = len(data), 0
    for match in _QUOTED_VALUE.finditer(data):
        start, end = match.span()
        if (start and data[start - 1] not in b",\n") or (end < size and data[end] not in b",\r\n"):
            return False
        quotes += data.count(b'"', start, end)
    return quotes == data.count(b'"')


def with_row_hashes(data: bytes, salt: int) -> bytes:
    """Each line of `data` with its row hash (`report_copy.row_hash`) as one more CSV field; line breaks
    become `\\n`. A line that is not a whole record gets a meaningless hash, but such a piece never
    stays on the fast path (one row per line is checked after its COPY)."""
    digest = xxhash.xxh3_128_hexdigest
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    last = lines.pop()  # b"" when `data` ends with a line break
    if last:
        lines.append(last)
    out = [b"%s,%s" % (line, digest(line, seed=salt).encode()) for line in lines]
    out.append(b"")
    return b"\n".join(out)


def prefetched(items: Iterator[Any], depth: int) -> Iterator[Any]:
    """`items`, produced by a background thread up to `depth` ahead of the consumer.

    Reading and hashing the next piece (gunzip, xxh3) then overlaps the COPY of this one, whose wait for
    the server releases the GIL. An exception of `items` is raised to the consumer in order; a consumer
    that stops early stops the thread at its next item.
    """
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(message: tuple[str, Any]) -> bool:
        """Queue `message` unless the consumer has stopped; False when it has."""
        while not stop.is_set():
            try:
                ready.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
            offer(("end", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(("error", exc))

    thread = threading.Thread(target=produce, name="report-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


class CountingStream(io.RawIOBase):
    """Wraps a binary stream and counts the bytes read from it (the progress bar's numerator)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = getattr(self._inner, "read1", self._inner.read)
        data = read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def close(self) -> None:
        self._inner.close()
        super().close()


class _NotForOneCopy(Exception):
    """A piece that one COPY of the whole file cannot take (see `ReportLoader._copy_at_once`)."""


class _PieceStream(io.RawIOBase):
    """The hashed pieces as one stream for a single COPY; counts their lines as it goes."""

    def __init__(self, pieces: Iterator[_Chunk | _Tail], on_piece: Callable[[int], None]) -> None:
        super().__init__()
        self._pieces = pieces
        self._on_piece = on_piece
        self.lines = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            piece = next(self._pieces, None)
            if piece is None:
                return b""
            if isinstance(piece, _Tail) or not piece.for_copy:
                raise _NotForOneCopy
            self.lines += piece.lines
            self._on_piece(self.lines)
        except BaseException as exc:
            self.error = exc
            raise
        return piece.hashed

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()
        super().close()


def _video_line(line: str, values_as_of: str) -> str:
    """A stage COPY line (ending in COPY_EXTRA_COLUMNS) as a `video` line: its stored values, then
    `values_as_of` (the row's report date, else the given one) and `report_row_hash`."""
    values, _line, report_date, _completeness, row_hash = line.rsplit("\t", 4)
    as_of = values_as_of if report_date == NULL else report_date
    return f"{values}\t{as_of}\t{row_hash}"


def _blank(line: bytes) -> bool:
    fields = next(csv.reader([line.decode("utf-8", "replace")]), [])
    return not any(field.strip() for field in fields)


def _column_types(cursor: Any, table: str) -> dict[str, str]:
    """{column: SQL type} of `table`, read from the system catalog (which takes no lock on the table)."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = CAST(%s AS regclass) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (table,),
    )
    return dict(cursor.fetchall())


def _create_stage(cursor: Any, stored: Sequence[str], tables: WorkTables) -> None:
    """Create the empty stage: the `stored` columns typed like `video`'s, then STAGE_EXTRA_COLUMNS.

    Not by `CREATE TABLE … AS SELECT … FROM video`: that would hold a lock on `video` while the file is
    read, and a first load of another report running meanwhile could then not take the catalog for its
    bulk load (`ingest._lock_for_bulk`): it would insert its rows one by one instead, many times slower.
    """
    types = _column_types(cursor, "video")
    columns = [f"{name} {types[name]}" for name in stored] + [f"{n} {t}" for n, t in STAGE_EXTRA_COLUMNS]
    cursor.execute(f"{tables.create(STAGE)} ({', '.join(columns)})")


def _replace_stage(cursor: Any, select: str, tables: WorkTables) -> int:
    """Make the rows of `select` the (empty) stage, by one CREATE TABLE AS typed like it (no second copy of
    the rows); returns their number."""
    typed = ", ".join(
        f"CAST(n.{name} AS {kind}) AS {name}" for name, kind in _column_types(cursor, STAGE).items()
    )
    cursor.execute(f"DROP TABLE {STAGE}")
    cursor.execute(f"{tables.create(STAGE)} AS SELECT {typed} FROM ({select}) n")
    return cursor.rowcount


class ReportLoader:
    """One report on its way into `ingest_stage`: open it, then `stage` it on the merge's connection.

    Counters (`rows_read`, `rows_rejected`, `rows_skipped`) cover what has been staged so far, like the
    reader's, so progress can be published while the file streams.
    """

    def __init__(self, stream: BinaryIO, reopen: Callable[[], BinaryIO] | None = None) -> None:
        """Open the report (gzip or plain) and read its header; structural faults raise ReportFormatError.

        With `reopen` (a way to read the file again from the start) a clean file is loaded by one COPY.
        """
        self._stream = stream if isinstance(stream, CountingStream) else CountingStream(stream)
        self._reopen = reopen
        binary, gzipped = decompressed(self._stream)
        self._binary = binary
        self._gzipped = gzipped
        self._header, self._fast = self._read_header_block(binary)
        if self._fast:
            self.reader = ReportReader(text_of(io.BytesIO(self._header)), gzipped=gzipped, header_only=True)
        else:  # the Python reader takes the whole file
            self._read_all_in_python()
        self._first_data_line = physical_lines(self._header) + 1
        self.rejections: list[RejectedRow] = []
        self.rows_copied = 0  # rows COPYed raw so far; some may still turn out skipped or rejected
        self.rows_fast = 0  # rows normalized in SQL, known once `stage` returns
        self.rows_known = 0  # rows set aside unread: the same raw text their video's values came from
        self._on_progress: Callable[[], None] = lambda: None

    # -- what the ingestion reads ----------------------------------------------------------------------

    @property
    def bytes_read(self) -> int:
        """Bytes of the file (as stored: compressed) read so far."""
        return self._stream.count

    @property
    def header(self) -> Any:
        """The report's header (`ReportHeader`)."""
        return self.reader.header

    @property
    def copy_columns(self) -> tuple[str, ...]:
        """The staged columns: the mapped `video` columns, then COPY_EXTRA_COLUMNS."""
        return self.reader.copy_columns

    @property
    def rows_read(self) -> int:
        """Data rows read so far (parsed or rejected)."""
        return self.reader.rows_read + self.rows_copied + self.rows_fast + self.rows_known

    @property
    def rows_rejected(self) -> int:
        """Rows rejected so far."""
        return self.reader.rows_rejected

    @property
    def rows_skipped(self) -> int:
        """Blank, summary and repeated header rows skipped so far."""
        return self.reader.rows_skipped

    def close(self) -> None:
        """Release the decompression buffers and close the file."""
        self._binary.close()
        self._stream.close()

    def __enter__(self) -> ReportLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- staging ---------------------------------------------------------------------------------------

    def _read_all_in_python(self) -> None:
        stream = Chained(self._header, self._binary, owns_source=False)
        self.reader = ReportReader(text_of(stream), gzipped=self._gzipped)
        self._fast = False

    def stage(
        self,
        conn: Connection,
        on_progress: Callable[[], None],
        *,
        catalog_empty: bool = False,
        before_comparing: Callable[[], None] = lambda: None,
        tables: WorkTables = TEMP_TABLES,
    ) -> None:
        """Fill a new `ingest_stage` (a work table of the kind `tables` says, see `work_tables`) with the
        report's rows; rejected rows are kept in `rejections`. Raises ReportFormatError for a fault found
        part-way and for a report without data.

        Into an empty catalog every row must be normalized anyway, and the Python reader does that while
        PostgreSQL stores the rows (two cores at work); otherwise the SQL path sets aside the rows whose
        raw text has not changed since their video's values were taken from it (`rows_known`), once
        `before_comparing` has returned: the merge's turn, so that no other merge changes a video between
        that comparison and this report's merge."""
        self._on_progress = on_progress
        if catalog_empty and self._fast:
            self._read_all_in_python()
        cursor = conn.connection.dbapi_connection.cursor()
        _create_stage(cursor, [c for c in self.copy_columns if c not in COPY_EXTRA_COLUMNS], tables)
        if self._fast:
            self._stage_raw(conn, cursor, before_comparing, tables)
        else:
            self._copy_lines(cursor, self.reader.copy_lines(self._reject))
        self._require_rows()

    def _require_rows(self) -> None:
        if self.rows_read == 0:
            raise ReportFormatError("The report has a header but no data rows.")

    def copy_into_video(
        self, conn: Connection, on_progress: Callable[[], None], values_as_of: str
    ) -> int | None:
        """A first load: the rows straight into an empty `video` by one COPY (no staging table) while the
        Python reader normalizes them (the merge's insert would copy every row a second time); each video
        gets its row hash and the date of its values (the row's `date`, else `values_as_of`, COPY text).

        Returns the rows written, or None when the file cannot be read again or a unique key of `video`
        refuses a row (the caller normally drops them, see `ingest._drop_video_keys`): nothing is then
        written, and after `read_again` `stage` takes the file from the start. Raises ReportFormatError
        like `stage`."""
        if self._reopen is None:
            return None
        self._on_progress = on_progress
        if self._fast:
            self._read_all_in_python()
        stored = [c for c in self.copy_columns if c not in COPY_EXTRA_COLUMNS]
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute("SAVEPOINT ingest_into_video")
        try:
            self._copy_lines(
                cursor,
                (_video_line(line, values_as_of) for line in self.reader.copy_lines(self._reject)),
                table="video",
                columns=[*stored, "values_as_of", "report_row_hash"],
            )
        except psycopg2.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT ingest_into_video")
            return None
        copied = cursor.rowcount
        cursor.execute("RELEASE SAVEPOINT ingest_into_video")
        self._require_rows()
        return copied

    @property
    def has_report_date(self) -> bool:
        """Whether the file has a `date` column (each row's report date)."""
        return any(cell.is_report_date for cell in self.reader.cells)

    def read_again(self) -> None:
        """After a straight load into `video` was given up: forget its rejections and open the file again
        from the start for `stage` (nothing to do when `copy_into_video` refused before reading)."""
        if self._reopen is None:
            return
        self.rejections = []
        self._reopen_file()

    def _stage_raw(
        self, conn: Connection, cursor: Any, before_comparing: Callable[[], None], tables: WorkTables
    ) -> None:
        """The fast path: the data into a raw table by COPY (at once, else piece by piece), then typed."""
        ncols = len(self.header.columns)
        columns = ", ".join(f"{raw_column(i)} text" for i in range(ncols))
        cursor.execute(
            f"{tables.create(RAW)} (ord bigint GENERATED BY DEFAULT AS IDENTITY, "
            f"{columns}, {HASH_COLUMN} text)"
        )
        cursor.execute(f"SELECT pg_get_serial_sequence('{RAW}', 'ord')")
        self._sequence = cursor.fetchone()[0]
        raw_columns = ", ".join([*(raw_column(i) for i in range(ncols)), HASH_COLUMN])
        self._raw_copy = f"COPY {RAW} ({raw_columns}) FROM STDIN (FORMAT csv)"
        if self._reopen is None or not self._copy_at_once(cursor):
            for piece in prefetched(self._pieces(), PREFETCH_PIECES):
                if isinstance(piece, _Chunk):
                    self._copy_chunk(cursor, piece)
                else:
                    self._copy_python(cursor, text_of(piece.stream), piece.first_line)
                self._on_progress()
        before_comparing()
        self._normalize(conn, cursor, tables)
        self._refuse_rows_under_foreign_headers(cursor)
        cursor.execute(f"DROP TABLE {RAW}")

    def _refuse_rows_under_foreign_headers(self, cursor: Any) -> None:
        """Raise the reader's fault for rows staged under a repeated header in another order (the Python
        reader raises it for the rows it reads there; those COPYed were typed by position meanwhile)."""
        for start in self.reader.foreign_headers:
            end = min((line for line in self.reader.header_lines if line > start), default=None)
            cursor.execute(
                f"SELECT min(line) FROM {STAGE} WHERE line > %s AND (line < %s OR %s IS NULL)",
                (start, end, end),
            )
            first = cursor.fetchone()[0]
            if first is not None:
                raise foreign_header_error(start, first)

    def _read_header_block(self, binary: io.BufferedReader) -> tuple[bytes, bool]:
        """The bytes up to the end of the header record (blank lines before it included), and whether the
        rest can take the fast path (lines end in LF or CRLF)."""
        block = b""
        while True:
            line = binary.readline(LINE_LIMIT)
            block += line
            if not line or not line.endswith(b"\n"):
                return block, False  # no data, a bare-CR file, or an overlong line: the reader decides
            if b"\r" in line[:-2]:
                return block, False
            if block.count(b'"') % 2 == 0 and not _blank(line):
                return block, True

    def _pieces(self) -> Iterator[_Chunk | _Tail]:
        line = self._first_data_line
        parts: list[bytes] = []
        size = 0
        search_at = CHUNK_BYTES  # look for the last record's end once this much is pending
        while True:
            try:
                data = self._binary.read1(READ_BYTES)
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                # Stage the whole records read before the damage (progress shows them), then give up.
                pending = b"".join(parts)
                cut = record_end(pending) or 0
                if cut:
                    yield self._chunk(pending[:cut], line)
                near = line + physical_lines(pending[:cut]) + line_breaks(pending[cut:])
                raise ReportFormatError(
                    f"The gzip data is damaged or cut off near line {near} ({exc})."
                ) from None
            if data:
                parts.append(data)
                size += len(data)
                if size < search_at:
                    continue
            pending = b"".join(parts)
            cut, alike = (len(pending), None) if not data else piece_end(pending)
            if cut is None:
                if size > MAX_PENDING_BYTES or len(pending) - pending.rfind(b"\n") > LINE_BYTES_LIMIT:
                    # The Python reader takes the rest: it knows a line too long to be a report's (and
                    # says so at once), and a record that long is no report's either.
                    yield _Tail(Chained(pending, self._binary, owns_source=False), line)
                    return
                # Searched again only once as much more has come: a record without an end in sight
                # (a quote never closed, a huge line) is not re-read at every read.
                parts, size, search_at = [pending], len(pending), len(pending) + CHUNK_BYTES
                continue
            search_at = CHUNK_BYTES
            if cut:
                chunk = self._chunk(pending[:cut], line, alike)
                yield chunk
                line += chunk.lines
            rest = pending[cut:]
            parts, size = ([rest], len(rest)) if rest else ([], 0)
            if not data:
                return

    def _copy_at_once(self, cursor: Any) -> bool:
        """COPY the whole data in one statement, PostgreSQL parsing while a thread reads and hashes ahead.

        Most files are clean, and then this is the fastest way. When PostgreSQL refuses a piece, or a value
        holds a line break (rows and lines differ), everything is rolled back, the file is opened again and
        False returned: the caller goes piece by piece. A fault of the file itself (damaged gzip) is raised.
        """
        cursor.execute("SAVEPOINT ingest_at_once")
        cursor.execute("SELECT setval(%s, %s, false)", (self._sequence, self._first_data_line))

        def on_piece(lines: int) -> None:
            self.rows_copied = lines
            self._on_progress()

        source = _PieceStream(prefetched(self._pieces(), PREFETCH_PIECES), on_piece)
        try:
            cursor.copy_expert(self._raw_copy, source, size=CHUNK_BYTES)
            copied = cursor.rowcount
        except psycopg2.Error:
            if isinstance(source.error, ReportFormatError | WorkerStopped):
                raise source.error from None
            if source.error is None and not isinstance(sys.exc_info()[1], psycopg2.DataError):
                raise
            copied = -1
        finally:
            source.close()
        if copied == source.lines:
            cursor.execute("RELEASE SAVEPOINT ingest_at_once")
            self.rows_copied = copied
            return True
        cursor.execute("ROLLBACK TO SAVEPOINT ingest_at_once")
        self.rows_copied = 0
        self._reopen_file()
        return False

    def _reopen_file(self) -> None:
        """Read the file again from the start (`reopen`), as `__init__` does."""
        assert self._reopen is not None
        self._binary.close()
        self._stream.close()
        self._stream = CountingStream(self._reopen())
        self._binary, _ = decompressed(self._stream)
        _, self._fast = self._read_header_block(self._binary)
        if not self._fast:
            self._read_all_in_python()

    def _chunk(self, data: bytes, first_line: int, alike: bool | None = None) -> _Chunk:
        """The piece `data` (`alike`: whether its quotes read alike, when known)."""
        hashed = with_row_hashes(data, self.reader.row_hash_salt)
        alike = quotes_read_alike(data) if alike is None else alike
        return _Chunk(data, first_line, physical_lines(data), hashed, alike)

    def _copy_chunk(self, cursor: Any, chunk: _Chunk) -> None:
        if chunk.for_copy:
            cursor.execute("SAVEPOINT ingest_chunk")
            cursor.execute("SELECT setval(%s, %s, false)", (self._sequence, chunk.first_line))
            try:
                cursor.copy_expert(self._raw_copy, io.BytesIO(chunk.hashed), size=len(chunk.hashed))
                copied = cursor.rowcount
            except psycopg2.DataError:
                copied = -1
            if copied == chunk.lines:  # one row per line: no line breaks inside values, `ord` is the line
                cursor.execute("RELEASE SAVEPOINT ingest_chunk")
                self.rows_copied += copied
                return
            cursor.execute("ROLLBACK TO SAVEPOINT ingest_chunk")
        text = io.TextIOWrapper(
            io.BytesIO(chunk.data), encoding="utf-8", errors="surrogateescape", newline=""
        )
        self._copy_python(cursor, text, chunk.first_line)

    def _copy_python(self, cursor: Any, text: io.TextIOBase, first_line: int) -> None:
        """Stage the records of `text` (starting at `first_line`) through the Python reader."""
        self._copy_lines(cursor, self.reader.copy_lines_from(text, first_line, self._reject))

    def _copy_lines(
        self, cursor: Any, lines: Iterator[str], table: str = STAGE, columns: Sequence[str] = ()
    ) -> None:
        """COPY `lines` into `table` (its `columns`; by default the stage's `copy_columns`)."""
        source = _Lines(lines, self._on_progress)
        names = ", ".join(columns or self.copy_columns)
        try:
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", source)
        except Exception:
            if source.error is not None:
                raise source.error from None
            raise

    def _reject(self, row: RejectedRow) -> None:
        if len(self.rejections) < MAX_STORED_REJECTIONS:
            self.rejections.append(row)

    def _normalize(self, conn: Connection, cursor: Any, tables: WorkTables) -> None:
        """Typed rows from `ingest_raw` in one statement; the rows it cannot take go through Python."""
        cells = [RawCell(c.index, c.column, c.kind, c.limit, c.is_report_date) for c in self.reader.cells]
        vid = raw_column(next(cell.index for cell in cells if cell.kind == "video_id"))
        known = known_row_sql(vid, HASH_COLUMN)

        def stage_rows(where: str) -> int:
            # CREATE TABLE AS may run in parallel (INSERT … SELECT may not). Into an empty stage, it becomes
            # the stage (typed like it); otherwise its rows join the stage.
            select, columns = normalize_select(
                cells, RAW, self.reader.header_keys, hash_column=HASH_COLUMN, where=where
            )
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGE})")
            if not cursor.fetchone()[0]:
                return _replace_stage(cursor, select, tables)
            cursor.execute(f"{tables.create('ingest_normalized')} AS {select}")
            count = cursor.rowcount
            names = ", ".join(columns)
            cursor.execute(f"INSERT INTO {STAGE} ({names}) SELECT {names} FROM ingest_normalized")
            cursor.execute("DROP TABLE ingest_normalized")
            return count

        with parallel_plans(cursor.execute):
            normalized = stage_rows(f"NOT {known}")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGE})")
            if normalized < self.rows_copied and cursor.fetchone()[0]:
                # A video with several rows in the report needs them all in the collapse: its known rows
                # (those not staged yet) join its staged ones, whichever way those came (SQL or, for a
                # piece PostgreSQL refused, the Python reader). Known rows alone need nothing: each is the
                # very line its video's values came from.
                normalized += stage_rows(
                    f"h.{vid} IN (SELECT video_id FROM {STAGE}) "
                    f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.line = h.ord)"
                )
        self.rows_known = self.rows_copied - normalized
        cursor.execute(
            f"CREATE TEMP TABLE ingest_slow ON COMMIT DROP AS SELECT line FROM {STAGE} WHERE NOT fast"
        )
        slow = cursor.rowcount
        self.rows_fast, self.rows_copied = normalized - slow, 0
        if not slow:
            return
        cursor.execute(f"DELETE FROM {STAGE} WHERE NOT fast")
        # The slow rows are usually a few scattered among a million: fetch them by line, not by a scan.
        cursor.execute(f"CREATE INDEX ON {RAW} (ord)")
        cursor.execute("ANALYZE ingest_slow")
        ncols = len(self.header.columns)
        raw = ", ".join(f"r.{raw_column(i)}" for i in range(ncols))
        # A server-side cursor keeps memory flat however many rows need Python; COPY runs between fetches.
        rows = conn.connection.dbapi_connection.cursor(name="ingest_slow_rows")
        rows.execute(
            f"SELECT r.ord, r.{HASH_COLUMN}, {raw} FROM {RAW} r JOIN ingest_slow s ON s.line = r.ord "
            "ORDER BY r.ord"
        )
        while batch := rows.fetchmany(SLOW_BATCH_ROWS):
            lines = []
            for ord_, digest, *cells in batch:
                fields = ["" if cell is None else cell for cell in cells]
                if any(len(field) > CSV_FIELD_LIMIT for field in fields):
                    raise value_too_long_error(int(ord_))  # as the Python reader's csv module would
                line = self.reader.copy_line_of(int(ord_), fields, digest, self._reject)
                if line is not None:
                    lines.append(line)
            self._copy_lines(cursor, iter(lines))
        rows.close()
