"""Report ingestion: a CMS Videos report → staging table (COPY) → one set-based merge with field-level history.

The whole merge is one transaction: the catalog sees a report's effect all at once or not at all. Progress
(bytes and rows read) is committed on a second connection while the file streams, so every page sees it live.

Rules (README, "Report ingestion"):
- several rows of one video collapse to one: the latest report date, then the most complete row, then the
  last in the file;
- only columns present in the file are compared and written; user-owned fields never are;
- a report dated before the newest completed report adds new videos but changes no existing one, and a
  video changed by a newer source (a task's API sync, a newer report) is not overwritten: such rows are
  counted as stale;
- two workers never ingest the same report (a session advisory lock per report plus a compare-and-set on
  its status), and merges of different reports run one after the other (a transaction advisory lock).
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from catalog_ui.db import get_engine
from catalog_ui.models.audit import CREATED
from catalog_ui.services.audit import diff_sql, rows_differ_sql
from catalog_ui.services.report_columns import STORED_COLUMNS
from catalog_ui.services.report_format import (
    ParsedRow,
    RejectedRow,
    ReportFormatError,
    ReportReader,
    open_report,
    to_copy_line,
)
from catalog_ui.services.storage import open_object, open_path

log = logging.getLogger(__name__)

REPORT_LOCK_NAMESPACE = 7301  # pg_advisory_lock(namespace, report_id): one worker per report
MERGE_LOCK_KEY = 7302  # pg_advisory_xact_lock(key): merges one after the other
PROGRESS_EVERY_ROWS = 20_000
PROGRESS_EVERY_SECONDS = 1.0
MAX_STORED_REJECTIONS = 10_000  # all are counted; the first ones are kept for the detail view
STAGE_EXTRA = ("line", "report_date", "completeness")


@dataclass
class IngestResult:
    """What one ingestion did."""

    report_id: int
    status: str
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_stale: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    error_message: str | None = None


class _CountingStream(io.RawIOBase):
    """Wraps a binary stream and counts the bytes read from it (the progress bar's numerator)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def close(self) -> None:
        self._inner.close()
        super().close()


class _CopySource:
    """A file-like object for psycopg2's copy_expert: COPY lines of the parsed rows, rejections set aside."""

    def __init__(
        self, reader: ReportReader, columns: tuple[str, ...], on_progress: Callable[[], None]
    ) -> None:
        self._rows = self._lines(reader, columns)
        self._on_progress = on_progress
        self._buffer = ""
        self.rejections: list[RejectedRow] = []

    def _lines(self, reader: ReportReader, columns: tuple[str, ...]) -> Iterator[str]:
        for count, row in enumerate(reader, start=1):
            if isinstance(row, ParsedRow):
                values = dict(row.values)
                values["line"] = row.line
                values["report_date"] = row.report_date
                values["completeness"] = row.completeness
                yield to_copy_line(values, columns)
            elif len(self.rejections) < MAX_STORED_REJECTIONS:
                self.rejections.append(row)
            if count % 1000 == 0:
                self._on_progress()

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = "".join(line for _, line in zip(range(200), self._rows, strict=False))
            if not chunk:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, ""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> str:
        return self.read(size)


def open_report_stream(report: dict[str, Any]) -> BinaryIO:
    """The bytes of a report row: a local path, or the S3 object it names."""
    if report["source"] == "path":
        return open_path(report["filename"])
    return open_object(report["bucket"], report["filename"])


def ingest_report(
    report_id: int,
    *,
    opener: Callable[[dict[str, Any]], BinaryIO] = open_report_stream,
    engine: Engine | None = None,
    on_progress: Callable[[dict[str, int]], None] | None = None,
) -> IngestResult | None:
    """Ingest report `report_id`; None when another worker holds it or it is not pending.

    User errors in the file end the report in `error` with a clear message (nothing is written to the
    catalog); our own errors are logged, recorded on the report, and re-raised.
    """
    engine = engine or get_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as progress:
        locked = progress.execute(
            text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": REPORT_LOCK_NAMESPACE, "id": report_id}
        ).scalar()
        if not locked:
            return None
        try:
            report = _claim(progress, report_id)
            if report is None:
                return None
            return _run(engine, progress, report, opener, on_progress)
        finally:
            progress.execute(
                text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": REPORT_LOCK_NAMESPACE, "id": report_id}
            )


def _claim(progress: Connection, report_id: int) -> dict[str, Any] | None:
    # 'processing' is claimable too: we hold the report's lock, so that state is left by a dead worker.
    row = (
        progress.execute(
            text(
                """
            UPDATE report SET status = 'processing', started_at = now(), processed_at = NULL,
                error_message = NULL, bytes_read = 0, rows_read = 0, rows_inserted = 0, rows_updated = 0,
                rows_unchanged = 0, rows_stale = 0, rows_rejected = 0, rows_skipped = 0
            WHERE id = :id AND status IN ('pending', 'processing')
            RETURNING id, filename, source, bucket, size_bytes, report_date, created_at
            """
            ),
            {"id": report_id},
        )
        .mappings()
        .first()
    )
    if row is not None:
        progress.execute(text("DELETE FROM report_rejection WHERE report_id = :id"), {"id": report_id})
    return dict(row) if row else None


def _run(
    engine: Engine,
    progress: Connection,
    report: dict[str, Any],
    opener: Callable[[dict[str, Any]], BinaryIO],
    on_progress: Callable[[dict[str, int]], None] | None,
) -> IngestResult:
    result = IngestResult(report_id=report["id"], status="processing")
    reader: ReportReader | None = None
    stream: _CountingStream | None = None
    last_flush = [0.0]

    def publish(force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - last_flush[0] < PROGRESS_EVERY_SECONDS:
            return
        last_flush[0] = now
        counts = {
            "bytes_read": stream.count if stream else 0,
            "rows_read": reader.rows_read if reader else 0,
            "rows_rejected": reader.rows_rejected if reader else 0,
            "rows_skipped": reader.rows_skipped if reader else 0,
        }
        progress.execute(
            text(
                "UPDATE report SET bytes_read = :bytes_read, rows_read = :rows_read, "
                "rows_rejected = :rows_rejected, rows_skipped = :rows_skipped WHERE id = :id"
            ),
            {**counts, "id": report["id"]},
        )
        if on_progress:
            on_progress(counts)

    try:
        stream = _CountingStream(opener(report))
        with engine.begin() as conn:
            reader = open_report(stream)
            columns = tuple(c for c in STORED_COLUMNS if c in set(reader.header.mapped.values()))
            _stage(conn, reader, columns, publish)
            publish(force=True)
            _merge(conn, report, columns, reader, result)
        result.status = "completed"
        return result
    except ReportFormatError as exc:
        return _fail(progress, report["id"], result, str(exc), reader, stream)
    except UnicodeError as exc:
        return _fail(progress, report["id"], result, f"The file is not UTF-8 text: {exc}", reader, stream)
    except Exception as exc:
        log.exception("ingestion of report %s (%s) failed", report["id"], report["filename"])
        _fail(progress, report["id"], result, f"Internal error while ingesting: {exc}", reader, stream)
        raise
    finally:
        if stream is not None:
            stream.close()


def _fail(
    progress: Connection,
    report_id: int,
    result: IngestResult,
    message: str,
    reader: ReportReader | None,
    stream: _CountingStream | None,
) -> IngestResult:
    progress.execute(
        text(
            "UPDATE report SET status = 'error', error_message = :message, processed_at = now(), "
            "bytes_read = :bytes_read, rows_read = :rows_read, rows_rejected = :rows_rejected, "
            "rows_skipped = :rows_skipped, rows_inserted = 0, rows_updated = 0, rows_unchanged = 0, "
            "rows_stale = 0 WHERE id = :id"
        ),
        {
            "id": report_id,
            "message": message[:4000],
            "bytes_read": stream.count if stream else 0,
            "rows_read": reader.rows_read if reader else 0,
            "rows_rejected": reader.rows_rejected if reader else 0,
            "rows_skipped": reader.rows_skipped if reader else 0,
        },
    )
    result.status = "error"
    result.error_message = message
    return result


def _stage(
    conn: Connection, reader: ReportReader, columns: tuple[str, ...], publish: Callable[[], None]
) -> _CopySource:
    column_list = ", ".join(columns)
    conn.execute(
        text(
            f"CREATE TEMP TABLE ingest_stage ON COMMIT DROP AS "
            f"SELECT {column_list}, 0::int AS line, NULL::date AS report_date, 0::int AS completeness "
            f"FROM video WITH NO DATA"
        )
    )
    source = _CopySource(reader, (*columns, *STAGE_EXTRA), publish)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(
        f"COPY ingest_stage ({column_list}, {', '.join(STAGE_EXTRA)}) FROM STDIN", source, size=65536
    )
    conn.info["rejections"] = source.rejections
    return source


def _merge(
    conn: Connection,
    report: dict[str, Any],
    columns: tuple[str, ...],
    reader: ReportReader,
    result: IngestResult,
) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
    report_id = report["id"]
    updatable = tuple(c for c in columns if c != "video_id")
    col_list = ", ".join(columns)
    s_cols = ", ".join(f"s.{c}" for c in columns)
    report_as_of = "COALESCE(CAST(:report_date AS timestamptz), CAST(:created_at AS timestamptz))"
    params = {
        "report_date": report["report_date"],
        "created_at": report["created_at"],
        "report_id": report_id,
    }

    conn.execute(
        text(
            f"""
            CREATE TEMP TABLE ingest_rows ON COMMIT DROP AS
            SELECT DISTINCT ON (video_id) {col_list},
                   COALESCE(CAST(report_date AS timestamptz), {report_as_of}) AS as_of
            FROM ingest_stage
            ORDER BY video_id, report_date DESC NULLS LAST, completeness DESC, line DESC
            """
        ),
        params,
    )
    conn.execute(text("ANALYZE ingest_rows"))

    # An older report than the newest one applied only adds videos (see the module docstring).
    older = conn.execute(
        text(
            f"""
            SELECT EXISTS (SELECT 1 FROM report WHERE status = 'completed' AND id <> :report_id
                           AND COALESCE(report_date, created_at) > {report_as_of})
            """
        ),
        params,
    ).scalar()

    if "channel_id" in columns:
        name = "s.channel_display_name" if "channel_display_name" in columns else "NULL"
        conn.execute(
            text(
                f"""
                INSERT INTO channel (channel_id, name)
                SELECT DISTINCT ON (s.channel_id) s.channel_id, {name}
                FROM ingest_rows s WHERE s.channel_id IS NOT NULL
                ORDER BY s.channel_id, s.as_of DESC
                ON CONFLICT (channel_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, channel.name),
                    updated_at = now()
                WHERE channel.name IS DISTINCT FROM COALESCE(EXCLUDED.name, channel.name)
                """
            )
        )

    change_set_id = conn.execute(
        text(
            "INSERT INTO change_set (kind, label, report_id, user_id) "
            "SELECT 'report', left(filename, 255), id, uploaded_by FROM report WHERE id = :report_id RETURNING id"
        ),
        params,
    ).scalar_one()

    conn.execute(
        text(
            f"""
            CREATE TEMP TABLE ingest_changed ON COMMIT DROP AS
            SELECT v.video_id, ({diff_sql(updatable)}) AS changes,
                   (v.values_as_of IS NOT NULL AND v.values_as_of > s.as_of) OR :older AS stale
            FROM ingest_rows s JOIN video v ON v.video_id = s.video_id
            WHERE {rows_differ_sql(updatable)}
            """
        ),
        {"older": bool(older)},
    )
    conn.execute(
        text(
            """
            INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                       change_set_id)
            SELECT c.video_id, v.channel_display_name, v.title, now(), c.changes, :cs
            FROM ingest_changed c JOIN video v ON v.video_id = c.video_id
            WHERE NOT c.stale
            """
        ),
        {"cs": change_set_id},
    )
    # After the history insert, which names videos as they were before this report.
    assignments = ", ".join(f"{c} = s.{c}" for c in updatable)
    updated = conn.execute(
        text(
            f"""
            UPDATE video v SET {assignments}{", " if assignments else ""}updated_at = now(), values_as_of = s.as_of
            FROM ingest_rows s JOIN ingest_changed c ON c.video_id = s.video_id
            WHERE v.video_id = s.video_id AND NOT c.stale
            """
        )
    ).rowcount
    stale = conn.execute(text("SELECT count(*) FROM ingest_changed WHERE stale")).scalar_one()
    inserted = conn.execute(
        text(
            f"""
            WITH new_videos AS (
                INSERT INTO video ({col_list}, values_as_of)
                SELECT {s_cols}, s.as_of FROM ingest_rows s
                WHERE NOT EXISTS (SELECT 1 FROM video v WHERE v.video_id = s.video_id)
                ON CONFLICT (video_id) DO NOTHING
                RETURNING video_id, channel_display_name, title
            ), history AS (
                INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                           change_set_id)
                SELECT video_id, channel_display_name, title, now(),
                       jsonb_build_object('{CREATED}', jsonb_build_array(NULL, 'report')), :cs
                FROM new_videos
            )
            SELECT count(*) FROM new_videos
            """
        ),
        {"cs": change_set_id},
    ).scalar_one()
    distinct_rows = conn.execute(text("SELECT count(*) FROM ingest_rows")).scalar_one()

    result.rows_read = reader.rows_read
    result.rows_rejected = reader.rows_rejected
    result.rows_skipped = reader.rows_skipped
    result.rows_inserted = inserted
    result.rows_updated = updated
    result.rows_stale = stale
    result.rows_unchanged = distinct_rows - inserted - updated - stale
    conn.execute(
        text("UPDATE change_set SET video_count = :n WHERE id = :cs"),
        {"n": result.rows_inserted + result.rows_updated, "cs": change_set_id},
    )
    _store_rejections(conn, report_id, conn.info.pop("rejections", []))
    conn.execute(
        text(
            """
            UPDATE report SET status = 'completed', processed_at = now(), rows_read = :rows_read,
                rows_inserted = :rows_inserted, rows_updated = :rows_updated, rows_unchanged = :rows_unchanged,
                rows_stale = :rows_stale, rows_rejected = :rows_rejected, rows_skipped = :rows_skipped,
                columns_ignored = CAST(:ignored AS jsonb), bytes_read = GREATEST(bytes_read, COALESCE(size_bytes, 0))
            WHERE id = :id
            """
        ),
        {
            "id": report_id,
            "rows_read": result.rows_read,
            "rows_inserted": result.rows_inserted,
            "rows_updated": result.rows_updated,
            "rows_unchanged": result.rows_unchanged,
            "rows_stale": result.rows_stale,
            "rows_rejected": result.rows_rejected,
            "rows_skipped": result.rows_skipped,
            "ignored": _json_list(reader.header.ignored),
        },
    )


def _json_list(items: list[str]) -> str:
    return json.dumps(items)


def _store_rejections(conn: Connection, report_id: int, rejections: list[RejectedRow]) -> None:
    if not rejections:
        return
    conn.execute(
        text(
            'INSERT INTO report_rejection (report_id, line, "column", reason, raw) '
            "VALUES (:report_id, :line, :column, :reason, :raw)"
        ),
        [
            {
                "report_id": report_id,
                "line": r.line,
                "column": r.column,
                "reason": r.reason[:255],
                "raw": r.raw,
            }
            for r in rejections
        ],
    )
