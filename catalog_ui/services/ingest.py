"""Report ingestion: a CMS Videos report → staging table (COPY) → one set-based merge with field-level history.

The file is read as a stream and staged by `report_load` (PostgreSQL's CSV COPY and SQL normalization,
the Python reader for what they cannot take) into work tables of the ingestion's own schema
(`report_load.work_tables`), and the merge runs in the same transaction: the catalog sees a report's
effect all at once or not at all. Progress (bytes and rows read) is committed on a second connection
while the file streams, so every page sees it live; the counts of new, updated and unchanged videos
arrive with the merge.

Rules (README, "Report ingestion"):
- Several rows of one video collapse to one: the row with the latest report date (the `date` column, when
  the file has one), then the most complete row (most non-empty values), then the last one in the file.
- Only columns present in the file are compared and written; an empty cell clears the value. User-owned
  fields (hidden, administered, administered_at, notes) are never written, and videos missing from a
  report are left as they are.
- A report is as of its date: the row's `date` column, else the date in the file name
  (`…2026-01-02…`), else the time it was registered. Each video remembers the date of the report that
  last wrote it (`values_as_of`), and each field a YouTube API sync wrote the time of that fetch
  (`field_as_of`). A report older than the newest completed report adds the videos the catalog does not
  have yet but changes no existing one; and whatever the report, a video written by a later report is
  not overwritten, nor a field a sync wrote after the report's date (`_hold_back_synced`; the row's
  other fields are written). Rows that change nothing for these reasons are counted as `stale`.
- Re-ingesting the same data changes nothing and writes no history; a video changed by a report gets one
  `metadata_sync` entry with `changes` = {field: [old, new]} under the report's change set, and a new
  video one entry `{"__created__": [null, "report"]}`.
- Two workers never ingest the same report: a session advisory lock per report plus a compare-and-set of
  its status. Different reports are read and COPYed in parallel, but compared with the catalog and merged
  one after the other (a transaction advisory lock taken before the comparison that sets unchanged rows
  aside), so each sees the merges before it.

Speed: rows whose raw line is the one their video's values came from (`video.report_row_hash`) are not
even staged (`report_load`); one join of the staged rows with the catalog finds the new and the changed
ones, and the merge stores each written row's hash. A report that adds more videos than a table holds (at
least BULK_MIN_ROWS, in practice a first load) is loaded in bulk: that table's secondary indexes and
foreign keys are dropped and rebuilt within the merge's transaction, several times faster than row by row,
at the price of other sessions waiting for the commit to read the catalog; the new videos' search documents
and sort keys are then written set-based, not by the insert triggers (DERIVED_ROWS). A first load (empty
catalog) skips the staging table: the rows go straight into `video` as they are read (`_load_first`), and a
file that names a video twice is collapsed there (`_collapse_in_place`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, BinaryIO

import psycopg2.errors
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from catalog_ui.db import get_engine, local_settings
from catalog_ui.models.audit import CREATED
from catalog_ui.services import storage
from catalog_ui.services.audit import diff_sql, rows_differ_sql
from catalog_ui.services.locks import MERGE_LOCK_KEY, REPORT_LOCK_NAMESPACE
from catalog_ui.services.report_copy import COPY_EXTRA_COLUMNS, NULL
from catalog_ui.services.report_format import RejectedRow, ReportFormatError
from catalog_ui.services.report_load import (
    CountingStream,
    ReportLoader,
    WorkTables,
    parallel_plans,
    work_tables,
)
from catalog_ui.services.reports import FRESH_PROGRESS, RETRY_DUE, end_interrupted, restart_stopped
from catalog_ui.services.stopping import StopRequest, WorkerStopped
from catalog_ui.services.storage import open_object, open_path

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0
# A report that S3 failed to deliver (timeouts, dropped connections, 5xx) goes back to pending, for a scan
# after the n-th of these delays (about 3.7 hours in all, so an S3 outage of a few hours fails no report),
# then it ends in error.
STORAGE_RETRY_DELAYS_S = (120, 600, 1800, 3600, 7200)
STORAGE_RETRIES = len(STORAGE_RETRY_DELAYS_S)
MERGE_WORK_MEM = "256MB"  # hash joins and aggregates over a large report stay in memory
BULK_MIN_ROWS = 50_000  # below this, a bulk load's index rebuild is not worth it
BULK_LOCK_ATTEMPTS, BULK_LOCK_PAUSE_SECONDS = 20, 0.05  # see `_lock_for_bulk`
BULK_MAINTENANCE_WORK_MEM = "512MB"  # index builds sort in memory
# Tables that get one row per new video; `video_search` (search documents) and `video_sort` (sort keys)
# are filled by triggers.
BULK_TABLES = ("video", "metadata_sync", "video_search", "video_sort")
# The statement triggers that write a new video's search document and sort keys (migrations 011, 014),
# and the same rows written set-based for the videos after a given id. A bulk load of `video` turns the
# triggers off and runs these instead: the documents are computed in parallel, and no transition table
# holds a copy of every new row (together a third of a first load's insert time).
DERIVED_ROW_TRIGGERS = ("video_search_insert", "video_sort_insert")
DERIVED_ROWS = (
    "CREATE TEMP TABLE ingest_documents AS SELECT id AS video_pk, video_search_document(title, label, artist, channel_display_name) "
    "AS document FROM video WHERE id > :after",  # CREATE TABLE AS may run in parallel; INSERT … SELECT not
    "INSERT INTO video_search (video_pk, document) SELECT video_pk, document FROM ingest_documents",
    "DROP TABLE ingest_documents",
    "INSERT INTO video_sort (video_pk, video_id, views, updated_at, hidden) "
    "SELECT id, video_id, views, updated_at, hidden FROM video WHERE id > :after",
)
INDEX_LOOKUP_SETTINGS = {"enable_hashjoin": "off", "enable_mergejoin": "off"}  # see `_index_lookups`
# A new video's history entry: a literal, not jsonb_build_object(…), which is only stable and so would run
# once per new video (half a second per million).
CREATED_CHANGES = f"CAST('{json.dumps({CREATED: [None, 'report']}, separators=(',', ':'))}' AS jsonb)"
# A staged row's date: its `date` column, else the report's.
AS_OF = "COALESCE(CAST(s.report_date AS timestamptz), CAST(:report_as_of AS timestamptz))"
# A delta row (alias `d`) older than its video's values. A video whose values have no date (one that did
# not come from a report or a sync) takes the report's.
STALE = "(:older OR COALESCE(d.old_as_of > d.as_of, false))"


@dataclass
class IngestResult:
    """What one ingestion did; `timings` holds seconds per phase."""

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
    timings: dict[str, float] = field(default_factory=dict)


def open_report_stream(report: dict[str, Any]) -> BinaryIO:
    """The bytes of a report row: the S3 object it names, or its local file (no bucket)."""
    if report["bucket"]:
        return open_object(report["bucket"], report["filename"], etag=report.get("etag"))
    return open_path(report["filename"])


def ingest_report(
    report_id: int,
    *,
    opener: Callable[[dict[str, Any]], BinaryIO] = open_report_stream,
    engine: Engine | None = None,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    stop: StopRequest | None = None,
) -> IngestResult | None:
    """Ingest report `report_id`; None when another worker holds it, it is not pending, or `stop` was
    requested before it started.

    User errors in the file end the report in `error` with a clear message (nothing is written to the
    catalog); our own errors are logged, recorded on the report, and re-raised. When `stop` is requested
    (the worker is shutting down), the ingestion ends at its next progress checkpoint, or at once when a
    statement is in flight (it is cancelled on the server): nothing is written to the catalog, and the
    report is pending again with a note, its interruptions not counted (`reports.restart_stopped`).
    """
    engine = engine or get_engine()
    stop = stop or StopRequest()
    if stop.is_set():
        return None
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
            return _run(engine, progress, report, opener, on_progress, stop)
        finally:
            progress.execute(
                text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": REPORT_LOCK_NAMESPACE, "id": report_id}
            )


def _claim(progress: Connection, report_id: int) -> dict[str, Any] | None:
    # 'processing' is left by a dead worker, since we hold the report's lock (its message came back, before
    # a scan's recovery saw it): counted as the recovery counts it, it is pending again or ends in error.
    end_interrupted(progress, "id = :id", {"id": report_id})
    row = (
        progress.execute(
            text(
                f"""
            UPDATE report SET status = 'processing', started_at = now(), {FRESH_PROGRESS}, retry_after = NULL
            WHERE id = :id AND deleted_at IS NULL
              AND status = 'pending' AND {RETRY_DUE}
            RETURNING id, filename, source, bucket, etag, size_bytes, report_date, created_at, storage_retries
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


class _Progress:
    """Publishes bytes and rows read on the autocommit connection, at most once a second; each call is a
    checkpoint where a requested stop ends the ingestion (WorkerStopped)."""

    def __init__(
        self,
        progress: Connection,
        report_id: int,
        stream: CountingStream,
        callback: Callable[[dict[str, int]], None] | None,
        stop: StopRequest,
    ) -> None:
        self._progress = progress
        self._stop = stop
        self._report_id = report_id
        self._stream = stream  # until the loader exists (it may reopen the file)
        self._callback = callback
        self._last = 0.0
        self.reader: ReportLoader | None = None

    def counts(self) -> dict[str, int]:
        reader = self.reader
        return {
            "bytes_read": reader.bytes_read if reader else self._stream.count,
            "rows_read": reader.rows_read if reader else 0,
            "rows_rejected": reader.rows_rejected if reader else 0,
            "rows_skipped": reader.rows_skipped if reader else 0,
        }

    def __call__(self, force: bool = False) -> None:
        self._stop.check()
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        counts = self.counts()
        self._progress.execute(
            text(
                "UPDATE report SET bytes_read = :bytes_read, rows_read = :rows_read, "
                "rows_rejected = :rows_rejected, rows_skipped = :rows_skipped WHERE id = :id"
            ),
            {**counts, "id": self._report_id},
        )
        if self._callback:
            self._callback(counts)


def _run(
    engine: Engine,
    progress: Connection,
    report: dict[str, Any],
    opener: Callable[[dict[str, Any]], BinaryIO],
    on_progress: Callable[[dict[str, int]], None] | None,
    stop: StopRequest,
) -> IngestResult:
    result = IngestResult(report_id=report["id"], status="processing")
    stream: CountingStream | None = None
    publish: _Progress | None = None
    try:
        source = opener(report)
    except Exception as exc:  # a missing file or object, a bucket we may not read: the user can act on it
        if storage.unavailable(exc):
            return _retry_later(progress, report, result, exc, None)
        log.warning("cannot open report %s (%s): %s", report["id"], report["filename"], exc)
        return _fail(progress, report["id"], result, f"The report file cannot be opened: {exc}", None)
    try:
        stream = CountingStream(source)
        publish = _Progress(progress, report["id"], stream, on_progress, stop)
        started = time.perf_counter()
        with ReportLoader(stream, reopen=lambda: opener(report)) as loader:
            publish.reader = loader
            # A stop request cancels the statement in flight (a COPY, the merge, an index build); the
            # transaction is then rolled back. The cancelling ends before the commit.
            with engine.begin() as conn, stop.cancelling(conn.connection.dbapi_connection.cancel):
                conn.execute(text(f"SET LOCAL work_mem = '{MERGE_WORK_MEM}'"))
                # JIT compiling the wide comparison and diff expressions costs seconds and saves nothing here.
                conn.execute(text("SET LOCAL jit = off"))
                # Asked on the autocommit connection, so the question leaves no lock on `video` for the rest
                # of this transaction (one that the bulk load of another report would have to wait for).
                catalog_empty = _bounded_count(progress, "video", 1) == 0
                if not (catalog_empty and _load_first(conn, report, loader, result, publish)):
                    with work_tables(conn) as work:
                        loader.stage(
                            conn,
                            publish,
                            catalog_empty=catalog_empty,
                            before_comparing=lambda: _merge_turn(conn),
                            tables=work,
                        )
                        publish(force=True)
                        result.timings["read"] = time.perf_counter() - started
                        _merge(conn, report, loader, result, work)
        result.status = "completed"
        log.info(
            "report %s (%s): %s rows read, %s new, %s updated, %s unchanged, %s stale, %s rejected in %s",
            report["id"],
            report["filename"],
            result.rows_read,
            result.rows_inserted,
            result.rows_updated,
            result.rows_unchanged,
            result.rows_stale,
            result.rows_rejected,
            ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in result.timings.items()),
        )
        return result
    except Exception as exc:
        # Whatever the stop left behind (WorkerStopped at a checkpoint, a statement cancelled on the server,
        # or the COPY psycopg2 ended because its source raised), the transaction was rolled back.
        if isinstance(exc, WorkerStopped) or stop.is_set():
            return _stopped(progress, report, result, publish)
        if storage.unavailable(exc):  # the merge's transaction was rolled back: nothing is half-written
            return _retry_later(progress, report, result, exc, publish)
        if isinstance(exc, ReportFormatError):
            return _fail(progress, report["id"], result, str(exc), publish)
        if isinstance(exc, UnicodeError):
            return _fail(progress, report["id"], result, f"The file is not UTF-8 text: {exc}", publish)
        log.exception("ingestion of report %s (%s) failed", report["id"], report["filename"])
        message = (
            f"An error on the server stopped the ingestion ({type(exc).__name__}: {exc}); nothing was written to "
            "the catalog. Retry it; if it fails again, the workers' log has the details."
        )
        _fail(progress, report["id"], result, message, publish)
        raise
    finally:
        if stream is not None:
            stream.close()


def _stopped(
    progress: Connection, report: dict[str, Any], result: IngestResult, publish: _Progress | None
) -> IngestResult:
    """The worker was asked to stop: the report is pending again for the next worker, interruption not
    counted (its file did nothing wrong)."""
    rows = publish.counts()["rows_read"] if publish else 0
    result.error_message = restart_stopped(progress, report["id"], rows)
    result.status = "pending"
    result.rows_read = rows
    log.warning("report %s: the worker is stopping; ingestion stopped after %s rows", report["id"], rows)
    return result


def _retry_later(
    progress: Connection,
    report: dict[str, Any],
    result: IngestResult,
    exc: BaseException,
    publish: _Progress | None,
) -> IngestResult:
    """S3 did not deliver the file (a timeout, a dropped connection, a 5xx): the report goes back to pending
    for a scan after a growing delay (STORAGE_RETRY_DELAYS_S) to send again, STORAGE_RETRIES times; then it
    ends in error, naming the problem."""
    retries = report["storage_retries"]
    read = publish.counts()["bytes_read"] if publish else 0
    problem = (
        f"stopped after {read / 1e6:.1f} MB of s3://{report['bucket']}/{report['filename']} "
        f"({type(exc).__name__}: {exc})"
    )
    if retries >= STORAGE_RETRIES:
        message = (
            f"S3 failed to deliver the report {retries + 1} times; the last time it {problem}. Check that S3 "
            "answers (S3_ENDPOINT_URL, the network), then retry the report."
        )
        log.error("report %s: %s", report["id"], message)
        return _fail(progress, report["id"], result, message, publish)
    retry_after = progress.execute(
        text(
            f"UPDATE report SET status = 'pending', started_at = NULL, {FRESH_PROGRESS}, "
            "storage_retries = storage_retries + 1, retry_after = now() + make_interval(secs => :delay) "
            "WHERE id = :id RETURNING retry_after"
        ),
        {"id": report["id"], "delay": STORAGE_RETRY_DELAYS_S[retries]},
    ).scalar_one()
    message = (
        f"S3 {problem}; the report is pending again, for the first scan after "
        f"{retry_after.astimezone(UTC):%H:%M} UTC (retry {retries + 1} of {STORAGE_RETRIES})."
    )
    # Shown under the report's status until the next try starts, so the page says why it waits.
    progress.execute(
        text("UPDATE report SET error_message = :message WHERE id = :id"),
        {"id": report["id"], "message": message},
    )
    progress.execute(text("DELETE FROM report_rejection WHERE report_id = :id"), {"id": report["id"]})
    log.warning("report %s: %s", report["id"], message)
    result.status = "pending"
    result.error_message = message
    return result


def _fail(
    progress: Connection, report_id: int, result: IngestResult, message: str, publish: _Progress | None
) -> IngestResult:
    counts = (
        publish.counts()
        if publish
        else {"bytes_read": 0, "rows_read": 0, "rows_rejected": 0, "rows_skipped": 0}
    )
    progress.execute(
        text(
            "UPDATE report SET status = 'error', error_message = :message, processed_at = now(), "
            "bytes_read = :bytes_read, rows_read = :rows_read, rows_rejected = :rows_rejected, "
            "rows_skipped = :rows_skipped, rows_inserted = 0, rows_updated = 0, rows_unchanged = 0, "
            "rows_stale = 0 WHERE id = :id"
        ),
        {**counts, "id": report_id, "message": message[:4000]},
    )
    # The rows rejected before the fault are kept, as the count says: they help find what else is wrong.
    if publish is not None and publish.reader is not None:
        _store_rejections(progress, report_id, publish.reader.rejections)
    result.status = "error"
    result.error_message = message
    result.rows_read = counts["rows_read"]
    result.rows_rejected = counts["rows_rejected"]
    result.rows_skipped = counts["rows_skipped"]
    return result


class _Laps:
    """Seconds per phase into `result.timings`, each lap from the end of the one before."""

    def __init__(self, result: IngestResult) -> None:
        self._timings = result.timings
        self._clock = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self._timings[phase] = now - self._clock
        self._clock = now


def _merge(
    conn: Connection,
    report: dict[str, Any],
    reader: ReportLoader,
    result: IngestResult,
    work: WorkTables,
) -> None:
    """Merge `ingest_stage` into the catalog (see the module docstring for the rules); `work` says how
    its work tables are created."""
    lap = _Laps(result)
    _merge_turn(conn)
    lap("wait")
    columns = tuple(c for c in reader.copy_columns if c not in COPY_EXTRA_COLUMNS)
    params = _merge_params(conn, report)
    # Statistics of the join and grouping keys only (the row count comes with them): the plans need no more.
    conn.execute(
        text(f"ANALYZE ingest_stage ({'video_id, channel_id' if 'channel_id' in columns else 'video_id'})")
    )
    _collapse_duplicates(conn)
    staged = conn.execute(text("SELECT count(*) FROM ingest_stage")).scalar_one()
    lap("collapse")
    if "channel_id" in columns:
        name = "s.channel_display_name" if "channel_display_name" in columns else "NULL::varchar"
        _upsert_channels(
            conn, f"SELECT s.channel_id, {name} AS name, {AS_OF} AS as_of, s.line FROM ingest_stage s", params
        )
    params["cs"] = _open_change_set(conn, params)
    lap("channels")
    # Into an empty catalog every row is new; otherwise one join finds the new and the changed rows.
    catalog_empty = _bounded_count(conn, "video", 1) == 0
    if catalog_empty:
        new_rows, new_source = staged, "ingest_stage s"
        updated, stale, field_counts = 0, 0, {}
    else:
        _hold_back_synced(conn, columns, params)
        with _index_lookups(conn):
            new_rows = _stage_delta(conn, columns, params, work)
            updated, stale, field_counts = _update_changed(conn, columns, params)
        new_source = "ingest_delta s WHERE s.video_pk IS NULL"
    lap("update")
    with ExitStack() as bulk:
        tables = _bulk_tables(conn, new_rows)
        if tables and not _lock_for_bulk(conn, tables):
            tables = []
        for table in tables:
            bulk.enter_context(_deferred_indexes(conn, table))
        if "video" in tables:
            with _derived_rows_set_based(conn):
                inserted = _insert_new(conn, columns, new_source, params, on_conflict="")
        else:
            inserted = _insert_new(conn, columns, new_source, params)
        lap("insert")
    _complete(conn, report, reader, result, params, lap, inserted, updated, stale, field_counts, staged)


def _merge_turn(conn: Connection) -> None:
    """Wait for this transaction's turn to compare with the catalog and merge (MERGE_LOCK_KEY, held to the
    commit; taking it again is free)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})


def _load_first(
    conn: Connection,
    report: dict[str, Any],
    loader: ReportLoader,
    result: IngestResult,
    publish: _Progress,
) -> bool:
    """A first load: into a catalog found empty, the rows go straight into `video` (`copy_into_video`) with the
    bulk load's deferred indexes and without its unique `video_id` key (`_drop_video_keys`); videos named
    more than once are collapsed in place, then the rows get their channels, `__created__` entries and
    derived rows.

    False, with nothing written, when the catalog is not empty or the file needs the staging table (a video
    named twice while the `video_id` key could not be dropped): the caller stages and merges it."""
    lap = _Laps(result)
    # Under the merge lock no other report can add videos; `video` then stays locked until the commit.
    # While another report merges, this one is staged meanwhile (and merged after it) as usual.
    locked = conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
    if not locked.scalar_one() or _bounded_count(conn, "video", 1):
        return False
    tables = [t for t in BULK_TABLES if _table_exists(conn, t)]
    # When the file turns out to need the staging table, everything since is rolled back, locks included:
    # no index is rebuilt over the dead rows of the abandoned COPY (which also left the planner taking the
    # table the staged load fills for empty: its derived rows were walked by index, not in parallel).
    attempt = conn.begin_nested()
    if not _lock_for_bulk(conn, tables):
        attempt.rollback()
        return False
    params = _merge_params(conn, report)
    as_of = params["report_as_of"]
    try:
        with ExitStack() as bulk:
            for table in tables:
                bulk.enter_context(_deferred_indexes(conn, table))
            keys = _drop_video_keys(conn)
            bulk.enter_context(_derived_rows_set_based(conn))
            # In a file with dates, a row without one is as of the report, but loses the collapse to a
            # dated row: until the collapse it says NULL.
            dated = loader.has_report_date
            inserted = loader.copy_into_video(conn, publish, NULL if dated else as_of.isoformat())
            if inserted is None:
                raise _StagingNeeded
            publish(force=True)
            lap("read")
            inserted -= _restore_video_keys(conn, keys, loader)
            if dated:
                conn.execute(
                    text("UPDATE video SET values_as_of = :as_of WHERE values_as_of IS NULL"),
                    {"as_of": as_of},
                )
            if "channel_id" in loader.copy_columns:
                _upsert_channels(
                    conn,
                    "SELECT channel_id, channel_display_name AS name, values_as_of AS as_of, id AS line FROM video",
                    params,
                )
            params["cs"] = _open_change_set(conn, params)
            conn.execute(
                text(
                    "INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes, "
                    f"change_set_id) SELECT video_id, channel_display_name, title, now(), {CREATED_CHANGES}, :cs "
                    "FROM video"
                ),
                params,
            )
            lap("insert")
    except _StagingNeeded:
        attempt.rollback()
        loader.read_again()
        return False
    attempt.commit()
    _complete(conn, report, loader, result, params, lap, inserted, 0, 0, {}, inserted)
    return True


@dataclass(frozen=True)
class _VideoKeys:
    """`video`'s unique secondary indexes (its `video_id`) and the other tables' foreign keys on them, as
    the statements that create them."""

    indexes: list[str]
    foreign_keys: list[str]


def _drop_video_keys(conn: Connection) -> _VideoKeys:
    """Drop `video`'s unique secondary indexes and the foreign keys that reference them, for a first load.

    A file may name a video twice (one row per asset): without the unique index its rows all go in, and
    `_restore_video_keys` finds and collapses them, instead of a failed COPY that only ends once the whole
    file has been sent and must then be read again. The bulk tables' own foreign keys are already dropped
    (`_deferred_indexes`, entered before)."""
    unique = (
        "SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = CAST('video' AS regclass) AND i.indisunique "
        "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "AND k.conrelid = i.indrelid)"  # an index of a constraint stays
    )
    indexes = conn.execute(
        text(
            f"SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid IN ({unique})"
        )
    ).all()
    foreign_keys = conn.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE contype = 'f' AND conindid IN ({unique}) ORDER BY conrelid, conname"
        )
    ).all()
    # Dropping a foreign key locks its table (the task queue, the history archive) until the commit. Never
    # by waiting (see `_lock_for_bulk`): while one is busy, the keys stay, and a repeated video makes the
    # file go through the staging table.
    referencing = sorted({table for table, _, _ in foreign_keys})
    if referencing and not _lock_for_bulk(conn, referencing):
        return _VideoKeys(indexes=[], foreign_keys=[])
    restore_foreign_keys = _drop_foreign_keys(conn, foreign_keys)
    for name, _ in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    return _VideoKeys(indexes=[definition for _, definition in indexes], foreign_keys=restore_foreign_keys)


def _restore_video_keys(conn: Connection, keys: _VideoKeys, loader: ReportLoader) -> int:
    """Create `keys` again after a first load's COPY; returns the rows removed by collapsing the videos the
    file names more than once (`_collapse_in_place`)."""
    removed = 0
    try:
        with conn.begin_nested():
            for definition in keys.indexes:
                conn.execute(text(definition))
    except IntegrityError as exc:
        if not isinstance(exc.orig, psycopg2.errors.UniqueViolation):
            raise
        removed = _collapse_in_place(conn, [c for c in loader.copy_columns if c not in COPY_EXTRA_COLUMNS])
        for definition in keys.indexes:
            conn.execute(text(definition))
    for statement in keys.foreign_keys:
        conn.execute(text(statement))
    return removed


def _collapse_in_place(conn: Connection, columns: list[str]) -> int:
    """Keep one row of each video a first load's file names more than once (`_keep_one_row_per_video`): its
    date is `values_as_of` (NULL for a row without one, see `_load_first`), its completeness the non-empty
    stored `columns`, its line the id. Returns the rows removed."""
    return _keep_one_row_per_video(conn, "video", "id", "values_as_of", f"num_nonnulls({', '.join(columns)})")


class _StagingNeeded(Exception):
    """A first load's file needs the staging table after all (see `_load_first`)."""


def _merge_params(conn: Connection, report: dict[str, Any]) -> dict[str, Any]:
    """The merge's parameters: the report, the date it is as of, and whether it is `older` than the newest
    completed one."""
    params: dict[str, Any] = {
        "report_id": report["id"],
        "report_as_of": report["report_date"] or report["created_at"],
    }
    params["older"] = conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM report WHERE status = 'completed' AND id <> :report_id "
            "AND COALESCE(report_date, created_at) > :report_as_of)"
        ),
        params,
    ).scalar_one()
    # The time of the report's history entries (and of the videos' `updated_at`): the clock once the merge's
    # turn has come, not `now()`, the transaction's start, before the file was read. An edit, task or
    # rollback that committed meanwhile wrote the values this merge compares with: its entries must sort
    # before this merge's, or a timeline would show the overwritten value as the current one.
    params["stamp"] = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    return params


def _open_change_set(conn: Connection, params: dict[str, Any]) -> int:
    """The report's change set, named after its file."""
    return conn.execute(
        text(
            "INSERT INTO change_set (kind, label, report_id, user_id) "
            # a local file is named by its base name (its folder means nothing to the team); S3 keys whole
            "SELECT 'report', left(CASE WHEN source = 'path' THEN regexp_replace(filename, '^.*/', '') "
            "ELSE filename END, 255), id, uploaded_by FROM report WHERE id = :report_id RETURNING id"
        ),
        params,
    ).scalar_one()


def _complete(
    conn: Connection,
    report: dict[str, Any],
    reader: ReportLoader,
    result: IngestResult,
    params: dict[str, Any],
    lap: _Laps,
    inserted: int,
    updated: int,
    stale: int,
    field_counts: dict[str, int],
    staged: int,
) -> None:
    """Record the merge's counts on the report (completed), its rejections and its change set's size."""
    if inserted >= BULK_MIN_ROWS:
        conn.execute(text("ANALYZE video (video_id)"))  # the next merge's plans; autovacuum does the rest
    lap("indexes")

    result.rows_read = reader.rows_read
    result.rows_rejected = reader.rows_rejected
    result.rows_skipped = reader.rows_skipped
    result.rows_inserted = inserted
    result.rows_updated = updated
    result.rows_stale = stale
    result.rows_unchanged = staged - inserted - updated - stale + reader.rows_known
    if inserted + updated:
        conn.execute(
            text("UPDATE change_set SET video_count = :n WHERE id = :cs"),
            {"n": inserted + updated, "cs": params["cs"]},
        )
    else:  # a report that changed nothing leaves no trace in the history
        conn.execute(text("DELETE FROM change_set WHERE id = :cs"), {"cs": params["cs"]})
    _store_rejections(conn, report["id"], reader.rejections)
    conn.execute(
        text(
            """
            UPDATE report SET status = 'completed', processed_at = clock_timestamp(), rows_read = :rows_read,
                rows_inserted = :rows_inserted, rows_updated = :rows_updated, rows_unchanged = :rows_unchanged,
                rows_stale = :rows_stale, rows_rejected = :rows_rejected, rows_skipped = :rows_skipped,
                columns_ignored = CAST(:ignored AS jsonb), field_counts = CAST(:field_counts AS jsonb),
                bytes_read = GREATEST(bytes_read, COALESCE(size_bytes, 0))
            WHERE id = :id
            """
        ),
        {
            "id": report["id"],
            "rows_read": result.rows_read,
            "rows_inserted": result.rows_inserted,
            "rows_updated": result.rows_updated,
            "rows_unchanged": result.rows_unchanged,
            "rows_stale": result.rows_stale,
            "rows_rejected": result.rows_rejected,
            "rows_skipped": result.rows_skipped,
            "ignored": json.dumps(reader.header.ignored),
            "field_counts": json.dumps({**({CREATED: inserted} if inserted else {}), **field_counts}),
        },
    )
    lap("finish")


def _bounded_count(conn: Connection, table: str, limit: int) -> int:
    """Rows in `table`, counted up to `limit` (cheap on a large table)."""
    return conn.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT :limit) counted"), {"limit": limit}
    ).scalar_one()


def _index_lookups(conn: Connection) -> AbstractContextManager[None]:
    """Plans that find each staged row's video through an index for the statements run within.

    A daily report stages a fraction of the catalog (its changed and new rows): looking each one up costs
    less than hashing every video, the plan the row estimates lead to (about a second per million videos).
    """
    return local_settings(lambda sql: conn.execute(text(sql)), INDEX_LOOKUP_SETTINGS)


def _bulk_tables(conn: Connection, new_rows: int) -> list[str]:
    """The tables this merge adds more rows to than they hold (at least BULK_MIN_ROWS).

    Loading that much, rebuilding a table's indexes and checking its foreign keys once afterwards is
    several times faster than maintaining them row by row. Each new video adds one row to each of
    BULK_TABLES that exists (a video, its `__created__` history entry, its search document).
    """
    if new_rows < BULK_MIN_ROWS:
        return []
    return [
        table
        for table in BULK_TABLES
        if _table_exists(conn, table) and _bounded_count(conn, table, new_rows) < new_rows
    ]


def _table_exists(conn: Connection, table: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table}).scalar_one()


def _lock_for_bulk(conn: Connection, tables: list[str]) -> bool:
    """Lock `tables` for a bulk load; False, with nothing locked, when another transaction keeps a lock on
    one through BULK_LOCK_ATTEMPTS.

    Never by waiting: until a long read of the catalog (an export, say) finished, every page's queries
    would queue behind the waiting lock. Readers hold their locks for milliseconds, so one of the attempts
    finds the tables free; a long reader makes this merge go row by row instead. Other ingestions never
    stand in the way: one that reads its file takes no lock on `video` (`report_load._create_stage`), and
    one must take the merge lock, which this merge holds, before it compares or merges."""
    for attempt in range(BULK_LOCK_ATTEMPTS):
        if attempt:
            time.sleep(BULK_LOCK_PAUSE_SECONDS)
        try:
            with conn.begin_nested():
                conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE NOWAIT"))
            return True
        except OperationalError as exc:
            if not isinstance(exc.orig, psycopg2.errors.LockNotAvailable):
                raise
    return False


@contextmanager
def _deferred_indexes(conn: Connection, table: str) -> Iterator[None]:
    """Drop `table`'s secondary indexes and foreign keys for the block; recreate them after it.

    Everything happens in the merge's transaction: other sessions never see the table without them, but
    wait for the commit to read it (a bulk load only happens while the catalog is small).
    """
    indexes = conn.execute(
        text(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = CAST(:table AS regclass) AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY c.relname
            """
        ),
        {"table": table},
    ).all()
    foreign_keys = conn.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f' ORDER BY conname"
        ),
        {"table": table},
    ).all()
    conn.execute(text(f"SET LOCAL maintenance_work_mem = '{BULK_MAINTENANCE_WORK_MEM}'"))
    restore_foreign_keys = _drop_foreign_keys(conn, foreign_keys)
    for name, _ in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))
    yield
    for definition in [definition for _, definition in indexes] + restore_foreign_keys:
        conn.execute(text(definition))


def _drop_foreign_keys(conn: Connection, foreign_keys: Sequence[Any]) -> list[str]:
    """Drop `foreign_keys` (rows of table, name, definition); returns the statements that add them again."""
    for table, name, _ in foreign_keys:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]


def _collapse_duplicates(conn: Connection) -> None:
    """Keep one staged row per video (`_keep_one_row_per_video`)."""
    _keep_one_row_per_video(conn, "ingest_stage", "line", "report_date", "completeness")


def _keep_one_row_per_video(conn: Connection, table: str, row_key: str, date: str, completeness: str) -> int:
    """Delete all but one row of each video `table` holds more than once, by the collapse rule: the latest
    `date` (NULL last), then the most complete (`completeness`, the non-empty values), then the last in the
    file (the highest `row_key`, unique). Returns the rows deleted."""
    return conn.execute(
        text(
            f"""
            DELETE FROM {table} t USING (
                SELECT {row_key} AS row_key FROM (
                    SELECT {row_key}, row_number() OVER (
                        PARTITION BY video_id ORDER BY {date} DESC NULLS LAST, {completeness} DESC, {row_key} DESC
                    ) AS rank
                    FROM {table}
                    WHERE video_id IN (SELECT video_id FROM {table} GROUP BY video_id HAVING count(*) > 1)
                ) ranked WHERE rank > 1
            ) losers
            WHERE t.{row_key} = losers.row_key
            """
        )
    ).rowcount


def _upsert_channels(conn: Connection, rows: str, params: dict[str, Any]) -> None:
    """Insert the report's channels; a report not older than the newest one also renames known ones.

    `rows` (a SELECT of channel_id, name, as_of, line) gives each row's channel; a channel is named as
    its latest row says (the row's date, then its line)."""
    conn.execute(
        text(
            f"""
            INSERT INTO channel (channel_id, name)
            SELECT DISTINCT ON (channel_id) channel_id, name FROM (
                SELECT channel_id, name, max(as_of) AS as_of, max(line) AS line
                FROM ({rows}) r WHERE channel_id IS NOT NULL GROUP BY 1, 2
            ) named
            ORDER BY channel_id, as_of DESC, line DESC
            ON CONFLICT (channel_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, channel.name), updated_at = now()
            WHERE NOT :older AND channel.name IS DISTINCT FROM COALESCE(EXCLUDED.name, channel.name)
            """
        ),
        params,
    )


def _hold_back_synced(conn: Connection, columns: tuple[str, ...], params: dict[str, Any]) -> None:
    """Give the staged rows the catalog's value of each field a YouTube sync wrote after the row's date
    (`video.field_as_of`), and mark them `held`: the merge then writes only their other fields, and stores
    no row hash for them (their video's values are no longer the line's, so the next report reads it).

    A column `held` is added to `ingest_stage` in any case (false); nothing is read when no video has
    synced fields."""
    conn.execute(text("ALTER TABLE ingest_stage ADD COLUMN held boolean NOT NULL DEFAULT false"))
    updatable = [c for c in columns if c != "video_id"]
    synced = conn.execute(text("SELECT EXISTS (SELECT 1 FROM video WHERE field_as_of IS NOT NULL)")).scalar()
    if not updatable or not synced:
        return
    newer = {c: f"CAST(v.field_as_of ->> '{c}' AS timestamptz) > {AS_OF}" for c in updatable}
    kept = ", ".join(
        f"{c} = CASE WHEN {condition} THEN v.{c} ELSE s.{c} END" for c, condition in newer.items()
    )
    conn.execute(
        text(
            f"UPDATE ingest_stage s SET {kept}, row_hash = NULL, held = true FROM video v "
            f"WHERE v.video_id = s.video_id AND v.field_as_of IS NOT NULL AND ({' OR '.join(newer.values())})"
        ),
        params,
    )


def _stage_delta(conn: Connection, columns: tuple[str, ...], params: dict[str, Any], work: WorkTables) -> int:
    """Keep in `ingest_delta` the staged rows that are new, differ from their video, or say the same in
    other words (their row hash is not the video's: `differs` false); returns the new ones.

    A matched row carries the video's key, its name and title before the report, `changes`, and whether it
    is `stale` (STALE). In a work schema (`work`), the comparison and the diff run in parallel.
    """
    updatable = tuple(c for c in columns if c != "video_id")
    differs = rows_differ_sql(updatable)
    with parallel_plans(lambda sql: conn.execute(text(sql))):
        conn.execute(
            text(
                f"""
                {work.create("ingest_delta")} AS
                SELECT d.*, {STALE} AS stale FROM (
                    SELECT s.*, {AS_OF} AS as_of, v.id AS video_pk, v.values_as_of AS old_as_of,
                           v.channel_display_name AS old_channel, v.title AS old_title, {differs} AS differs,
                           CASE WHEN v.id IS NOT NULL THEN {diff_sql(updatable)} END AS changes
                    FROM ingest_stage s LEFT JOIN video v ON v.video_id = s.video_id
                    WHERE v.id IS NULL OR {differs} OR s.held
                       OR (s.row_hash IS NOT NULL AND v.report_row_hash IS DISTINCT FROM s.row_hash)
                ) d
                """
            ),
            params,
        )
    conn.execute(text("ANALYZE ingest_delta (video_pk)"))
    return conn.execute(text("SELECT count(*) FROM ingest_delta WHERE video_pk IS NULL")).scalar_one()


def _update_changed(
    conn: Connection, columns: tuple[str, ...], params: dict[str, Any]
) -> tuple[int, int, dict[str, int]]:
    """Update the videos of `ingest_delta` whose values differ, with one history entry each.

    Returns (updated, stale, {field: videos changed}).
    """
    updatable = tuple(c for c in columns if c != "video_id")
    if not updatable:
        return 0, 0, {}
    assignments = ", ".join(f"{c} = d.{c}" for c in updatable)
    channel = (
        "COALESCE(d.channel_display_name, d.old_channel)"
        if "channel_display_name" in columns
        else "d.old_channel"
    )
    title = "COALESCE(d.title, d.old_title)" if "title" in columns else "d.old_title"
    # The same values in other words (`1234` for `1,234`): only the row hash, so the next report with
    # this text sets the row aside unread. Not history: nothing the catalog shows has changed.
    conn.execute(
        text(
            "UPDATE video v SET report_row_hash = d.row_hash FROM ingest_delta d "
            "WHERE v.id = d.video_pk AND NOT d.differs AND NOT d.stale AND NOT d.held"
        )
    )
    # Each statement reads `ingest_delta` by itself: a shared (materialized) CTE would copy every row once more.
    changed = "d.video_pk IS NOT NULL AND d.differs"
    row = conn.execute(
        text(
            f"""
            WITH updated AS (
                UPDATE video v SET {assignments}, updated_at = GREATEST(v.updated_at, :stamp), values_as_of = d.as_of,
                    report_row_hash = d.row_hash
                FROM ingest_delta d WHERE v.id = d.video_pk AND {changed} AND NOT d.stale
            ), history AS (
                -- names the video as this report leaves it, like every other source of change
                INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                           change_set_id)
                SELECT d.video_id, {channel}, {title}, :stamp, d.changes, :cs
                FROM ingest_delta d WHERE {changed} AND NOT d.stale
            )
            -- stale: a row older than its video (all of it), or whose every change a newer sync holds back
            SELECT count(*) FILTER (WHERE d.differs AND NOT d.stale), count(*) FILTER (WHERE d.stale OR NOT d.differs),
                   (SELECT jsonb_object_agg(field, videos) FROM (
                        SELECT field, count(*) AS videos FROM ingest_delta d, jsonb_object_keys(d.changes) AS field
                        WHERE {changed} AND NOT d.stale GROUP BY field) counted)
            FROM ingest_delta d WHERE d.video_pk IS NOT NULL AND (d.differs OR d.held)
            """
        ),
        params,
    ).one()
    return row[0], row[1], row[2] or {}


@contextmanager
def _derived_rows_set_based(conn: Connection) -> Iterator[None]:
    """For a bulk load of `video` in the block: the search documents and sort keys of the videos it adds
    are written set-based at its end (DERIVED_ROWS), not by the insert triggers (DERIVED_ROW_TRIGGERS).

    The bulk load holds `video` locked (its indexes are being rebuilt), so no other writer adds a video
    meanwhile."""
    after = conn.execute(text("SELECT COALESCE(max(id), 0) FROM video")).scalar_one()
    for trigger in DERIVED_ROW_TRIGGERS:
        conn.execute(text(f"ALTER TABLE video DISABLE TRIGGER {trigger}"))
    yield
    with parallel_plans(lambda sql: conn.execute(text(sql))):
        for statement in DERIVED_ROWS:
            conn.execute(text(statement), {"after": after})
    for trigger in DERIVED_ROW_TRIGGERS:
        conn.execute(text(f"ALTER TABLE video ENABLE TRIGGER {trigger}"))


def _insert_new(
    conn: Connection,
    columns: tuple[str, ...],
    source: str,
    params: dict[str, Any],
    on_conflict: str = "ON CONFLICT (video_id) DO NOTHING",
) -> int:
    """Insert the new videos of `source` (a FROM clause, alias `s`), each with a `__created__` history entry."""
    return conn.execute(
        text(
            f"""
            WITH new_videos AS (
                INSERT INTO video ({", ".join(columns)}, values_as_of, report_row_hash, updated_at)
                SELECT {", ".join(f"s.{c}" for c in columns)}, {AS_OF}, s.row_hash, :stamp FROM {source}
                {on_conflict}
                RETURNING video_id, channel_display_name, title
            ), history AS (
                INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                           change_set_id)
                SELECT video_id, channel_display_name, title, :stamp, {CREATED_CHANGES}, :cs
                FROM new_videos
            )
            SELECT count(*) FROM new_videos
            """
        ),
        params,
    ).scalar_one()


def _store_rejections(conn: Connection, report_id: int, rejections: list[RejectedRow]) -> None:
    if not rejections:
        return
    conn.execute(
        text(
            'INSERT INTO report_rejection (report_id, line, "column", reason, raw, video_id) '
            "VALUES (:report_id, :line, :column, :reason, :raw, :video_id)"
        ),
        [
            {
                "report_id": report_id,
                "line": r.line,
                "column": r.column,
                "reason": r.reason[:255],
                "raw": r.raw,
                "video_id": r.video_id,
            }
            for r in rejections
        ],
    )
