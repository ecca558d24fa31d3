"""The report lifecycle: register files (S3 scan, upload, local path), list them, retry, delete, recover.

A report row is one file: an S3 object (identity: key and ETag), a browser upload (kept in S3 when S3 is
configured, else under DATA_DIR/uploads) or a local path. Registering the same object twice gives one row.
Deleting a report keeps its row as a tombstone (`deleted_at`): it leaves the pages, and a later scan of the
bucket does not register the same file again. Scans skip the `uploads/` folder under the prefix, whose
files are registered when they are uploaded. Ingestion itself is `services.ingest.ingest_report`; the
detail views read the rejected rows and the history entries the report's change set wrote.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, func, or_, select, text, union_all
from sqlmodel import Session

from catalog_ui.models import (
    ChangeSet,
    MetadataSync,
    MetadataSyncArchive,
    Report,
    ReportRejection,
    User,
    Video,
)
from catalog_ui.models.report import REPORT_STATUSES
from catalog_ui.services import storage
from catalog_ui.services.change_sets import entries_sql
from catalog_ui.services.export import csv_cell
from catalog_ui.services.storage import StoredObject
from catalog_ui.services.visibility import not_hidden
from catalog_ui.settings import get_settings

_DATE_IN_NAME = re.compile(r"(20\d{2})-?([01]\d)-?([0-3]\d)")
# Letters and digits of any script are kept (`\w` is Unicode-aware): a Japanese or accented file name was
# reduced to underscores, and one with no ASCII letter ("レポート.csv") to "csv", refused as not a report.
_UNSAFE_NAME = re.compile(r"[^\w.-]+")
REPORT_SUFFIXES = (".csv", ".csv.gz", ".gz", ".txt")
FILENAME_LIMIT = 255
REJECTIONS_CSV_HEADER = ("line", "column", "reason", "row")


_live = Report.deleted_at.is_(None)
# A report S3 failed to deliver is sent again once its back-off has passed (`ingest.STORAGE_RETRY_DELAYS_S`):
# the scan's query and the ingestion's claim ask the same.
RETRY_DUE = "(report.retry_after IS NULL OR report.retry_after <= now())"


log = logging.getLogger(__name__)

# A report's progress as before any attempt: an attempt starts from it (the claim), and so do a retry and a
# recovery while they wait, so the list shows no duration or counts of the attempt that ended.
FRESH_COUNTS = (
    "bytes_read = 0, rows_read = 0, rows_inserted = 0, rows_updated = 0, rows_unchanged = 0, rows_stale = 0, "
    "rows_rejected = 0, rows_skipped = 0, columns_ignored = NULL, field_counts = NULL"
)
FRESH_PROGRESS = f"processed_at = NULL, error_message = NULL, {FRESH_COUNTS}"

# A report whose worker stopped (killed, out of memory, restarted) before it ended starts again from the
# beginning; at the MAX_INTERRUPTIONS-th such stop it ends in error instead: a file that kills its worker
# every time would otherwise go from processing to pending and back forever (migration 027).
MAX_INTERRUPTIONS = 3
_ROWS_SO_FAR = "to_char(rows_read, 'FM999,999,999,990')"
_RESTARTING = (
    "format('The worker ingesting this report stopped after %s rows; it starts again from the beginning "
    f"(try %s of %s).', {_ROWS_SO_FAR}, interruptions + 2, :max_interruptions)"
)
_GAVE_UP = (
    "format('The worker ingesting this report stopped before it finished, %s times in a row (the last time "
    "after %s rows): the file may be too large for the workers'' memory, or they were restarted meanwhile. "
    "Nothing of it was written to the catalog. Retry it when the workers are less busy, or split the file.', "
    f"interruptions + 1, {_ROWS_SO_FAR})"
)


class ReportError(ValueError):
    """A user-facing problem with a report action (unknown report, wrong state, bad file name)."""


def report_date_from_name(name: str) -> datetime | None:
    """The date a report's file name carries (`…2026-01-02…` or `…20260102…`), as UTC midnight."""
    match = _DATE_IN_NAME.search(Path(name).name)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


def register(
    session: Session,
    *,
    filename: str,
    source: str,
    etag: str | None,
    size: int | None,
    bucket: str | None = None,
    uploaded_by: int | None = None,
    report_date: datetime | None = None,
) -> tuple[Report, bool]:
    """Insert a pending report once per (filename, etag); returns the row and whether it is new.

    A known one is looked up first: an INSERT that finds its row would still take an id from the
    sequence, and a scan registers every object of the bucket again every minute."""
    known = _registered(session, filename, etag)
    if known is not None:
        return known, False
    inserted = session.execute(
        text(
            """
            INSERT INTO report (filename, status, source, bucket, etag, size_bytes, uploaded_by, report_date)
            VALUES (:filename, 'pending', :source, :bucket, :etag, :size, :uploaded_by, :report_date)
            ON CONFLICT (filename, etag) DO NOTHING
            RETURNING id
            """
        ),
        {
            "filename": filename,
            "source": source,
            "bucket": bucket,
            "etag": etag,
            "size": size,
            "uploaded_by": uploaded_by,
            "report_date": report_date or report_date_from_name(filename),
        },
    ).scalar()
    if inserted is not None:
        return session.get(Report, inserted), True
    existing = _registered(session, filename, etag)  # registered by another session meanwhile
    assert existing is not None
    return existing, False


def _registered(session: Session, filename: str, etag: str | None) -> Report | None:
    query = select(Report).where(Report.filename == filename, Report.etag.is_not_distinct_from(etag))
    return session.execute(query).scalars().first()


def register_path(
    session: Session, path: str | Path, uploaded_by: int | None = None, source: str = "path"
) -> tuple[Report, bool]:
    """Register a local file (identity: absolute path, size and modification time)."""
    file = Path(path).resolve()
    if not file.is_file():
        raise ReportError(f"No report file at {file}.")
    if len(str(file)) > FILENAME_LIMIT:
        raise ReportError(f"The path {file} is longer than {FILENAME_LIMIT} characters.")
    stat = file.stat()
    return register(
        session,
        filename=str(file),
        source=source,
        etag=f"{stat.st_size}-{stat.st_mtime_ns}",
        size=stat.st_size,
        uploaded_by=uploaded_by,
    )


def register_object(
    session: Session, bucket: str, obj: StoredObject, source: str = "s3", **kw: Any
) -> tuple[Report, bool]:
    """Register an S3 object (identity: key and ETag); ReportError for a key longer than the column."""
    if len(obj.key) > FILENAME_LIMIT:
        raise ReportError(f"The key {obj.key[:60]}… is longer than {FILENAME_LIMIT} characters.")
    return register(
        session, filename=obj.key, source=source, etag=obj.etag, size=obj.size, bucket=bucket, **kw
    )


def register_location(session: Session, location: str) -> tuple[Report, bool]:
    """Register `s3://bucket/key` or a local path (the `ingest` command's argument)."""
    if not location.startswith("s3://"):
        return register_path(session, location)
    bucket, _, key = location[len("s3://") :].partition("/")
    if not bucket or not key:
        raise ReportError(f"'{location}' is not an S3 object URL (s3://bucket/key).")
    try:
        obj = storage.head_object(bucket, key)
    except Exception as exc:
        raise ReportError(f"Cannot read {location}: {exc}") from exc
    return register_object(session, bucket, obj)


def scan_bucket(session: Session) -> list[int]:
    """Register every report object under the configured prefix not seen before; returns the new ids.

    Returns [] when no S3 storage is configured; raises ReportError when the bucket cannot be listed.
    """
    if not storage.s3_configured():
        return []
    settings = get_settings()
    new_ids = []
    try:
        objects = list(storage.list_objects(settings.s3_bucket, settings.s3_prefix))
    except Exception as exc:
        raise ReportError(f"Cannot list s3://{settings.s3_bucket}/{settings.s3_prefix}: {exc}") from exc
    uploads = f"{settings.s3_prefix}{storage.UPLOADS_FOLDER}/"
    candidates = [
        obj
        for obj in objects
        if obj.key.lower().endswith(REPORT_SUFFIXES) and not obj.key.startswith(uploads)
    ]
    # The objects registered before, in one query: most of a bucket is, at every scan.
    known = {
        tuple(row)
        for row in session.execute(
            select(Report.filename, Report.etag).where(Report.filename.in_([obj.key for obj in candidates]))
        )
    }
    for obj in candidates:
        if (obj.key, obj.etag) in known:
            continue
        try:
            report, created = register_object(session, settings.s3_bucket, obj)
        except ReportError as exc:  # one object the catalog cannot hold must not hold back the others
            log.warning("report object skipped: %s", exc)
            continue
        if created:
            new_ids.append(report.id)
    return new_ids


def safe_upload_name(filename: str) -> str:
    """The base name of an uploaded file, reduced to letters and digits (of any script), `.`, `_` and `-`.

    The name is NFC-normalised first: macOS sends "é" as "e" and a combining accent, which is no letter."""
    base = unicodedata.normalize("NFC", Path(filename.replace("\\", "/")).name)
    name = _UNSAFE_NAME.sub("_", base).strip("._") or "report.csv"
    return name[-150:]


def upload(session: Session, filename: str, stream: BinaryIO, uploaded_by: int | None) -> Report:
    """Store a browser upload and register it as a pending report of source 'upload'.

    The file goes to the bucket (under the prefix, `uploads/`) when S3 is configured, else to
    DATA_DIR/uploads; either way it is copied chunk by chunk, never held whole in memory.
    """
    name = safe_upload_name(filename)
    if not name.lower().endswith(REPORT_SUFFIXES):
        raise ReportError("Upload a CMS Videos report: a .csv or .csv.gz file.")
    # A folder per upload keeps the file's own name and never collides with an earlier upload.
    stamped = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}/{name}"
    report_date = report_date_from_name(name)
    if storage.s3_configured():
        settings = get_settings()
        try:
            key = f"{settings.s3_prefix}{storage.UPLOADS_FOLDER}/{stamped}"
            obj = storage.put_object(settings.s3_bucket, key, stream)
        except Exception as exc:
            raise ReportError(f"Storing the file in s3://{settings.s3_bucket} failed: {exc}") from exc
        report, _ = register_object(
            session,
            settings.s3_bucket,
            obj,
            source="upload",
            uploaded_by=uploaded_by,
            report_date=report_date,
        )
        return report
    path = storage.store_local(stamped, stream)
    report, _ = register_path(session, path, uploaded_by=uploaded_by, source="upload")
    if report_date is not None:
        report.report_date = report_date
        session.add(report)
        session.flush()
    return report


def copy_of_earlier(session: Session, report_id: int) -> str | None:
    """A line for the uploader when report `report_id` holds the same file as a live report registered before
    it (same S3 ETag and size under another key: every upload gets a key of its own), else None.

    Only objects in a bucket are compared: a local file's identity is its size and modification time."""
    report = get_report(session, report_id)
    if report.bucket is None or not report.etag:
        return None
    earlier = (
        session.execute(
            select(Report.id, Report.filename, Report.status)
            .where(
                _live,
                Report.id < report.id,
                Report.bucket.is_not(None),
                Report.etag == report.etag,
                Report.size_bytes == report.size_bytes,
            )
            .order_by(Report.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if earlier is None:
        return None
    name = Path(report.filename).name
    return (
        f"{name} is the same file as report {earlier['id']} ({Path(earlier['filename']).name}, "
        f"{earlier['status']}): it is ingested again all the same."
    )


@dataclass(frozen=True)
class ReportPage:
    """One page of the reports list."""

    rows: list[dict[str, Any]]
    total: int


def list_reports(
    session: Session, page: int = 1, per_page: int = 25, status: str | None = None
) -> ReportPage:
    """Reports newest first, optionally of one status, one page at a time (with the uploader's e-mail)."""
    query = select(Report, User.email).outerjoin(User, User.id == Report.uploaded_by).where(_live)
    count = select(func.count()).select_from(Report).where(_live)
    if status:
        if status not in REPORT_STATUSES:
            raise ReportError(f"Unknown status '{status}'.")
        query = query.where(Report.status == status)
        count = count.where(Report.status == status)
    query = (
        query.order_by(Report.created_at.desc(), Report.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    rows = [{**report.model_dump(), "uploaded_by_email": email} for report, email in session.execute(query)]
    return ReportPage(rows=rows, total=session.execute(count).scalar_one())


def report_summary(session: Session, report_id: int) -> dict[str, Any]:
    """The report's columns and its uploader's e-mail (`uploaded_by_email`), or ReportError."""
    report = get_report(session, report_id)
    email = session.get(User, report.uploaded_by).email if report.uploaded_by else None
    return {**report.model_dump(), "uploaded_by_email": email}


def running_count(session: Session) -> int:
    """Reports pending or processing (the page polls while there are any)."""
    query = (
        select(func.count()).select_from(Report).where(_live, Report.status.in_(("pending", "processing")))
    )
    return session.execute(query).scalar_one()


def get_report(session: Session, report_id: int) -> Report:
    """The report `report_id`, or ReportError."""
    report = session.get(Report, report_id)
    if report is None or report.deleted_at is not None:
        raise ReportError(f"Report {report_id} does not exist.")
    return report


def retry_report(session: Session, report_id: int) -> Report:
    """Put a report in error back to pending (the caller enqueues its ingestion)."""
    report = get_report(session, report_id)
    if report.status != "error":
        raise ReportError("Only a report in error can be retried.")
    return _back_to_pending(session, report_id)


def try_now(session: Session, report_id: int) -> Report:
    """A pending report that waits out S3's back-off (`retry_after`), ready to ingest at once (an operator
    asked for it)."""
    session.execute(
        text("UPDATE report SET retry_after = NULL WHERE id = :id AND status = 'pending'"), {"id": report_id}
    )
    return _reread(session, report_id)


def _back_to_pending(session: Session, report_id: int) -> Report:
    """The report pending again, live, without the progress or rejected rows of an attempt that ended."""
    session.execute(
        text(
            f"UPDATE report SET status = 'pending', deleted_at = NULL, started_at = NULL, {FRESH_PROGRESS}, "
            "storage_retries = 0, retry_after = NULL, interruptions = 0 WHERE id = :id"
        ),
        {"id": report_id},
    )
    session.execute(delete(ReportRejection).where(ReportRejection.report_id == report_id))
    return _reread(session, report_id)


def _reread(session: Session, report_id: int) -> Report:
    """The report as stored, after an UPDATE that went around the session's copy."""
    stored = session.get(Report, report_id)
    if stored is not None:
        session.refresh(stored)
    return get_report(session, report_id)


def revive_report(session: Session, report_id: int) -> Report:
    """A deleted report back in the list, pending (an operator asked for its file by name: `ingest`)."""
    return _back_to_pending(session, report_id)


def delete_report(session: Session, report_id: int) -> None:
    """Delete a report record (a tombstone stays) and its rejected rows; the catalog data and history stay."""
    report = get_report(session, report_id)
    # One statement that checks and deletes: a worker may claim a pending report between a read of its
    # status and the write, and the report would then be ingested, deleted, into the catalog.
    deleted = session.execute(
        text(
            "UPDATE report SET deleted_at = now() "
            "WHERE id = :id AND deleted_at IS NULL AND status <> 'processing' RETURNING id"
        ),
        {"id": report_id},
    ).scalar()
    if deleted is None:
        raise ReportError("A report being ingested cannot be deleted; wait until it ends.")
    session.execute(delete(ReportRejection).where(ReportRejection.report_id == report_id))
    session.expire(report)


def _rejections_of(report_id: int, include_hidden: bool) -> list[Any]:
    """The conditions on `report_rejection` for the report's rows a caller may see: unless `include_hidden`
    (admins), not those of a hidden video (a hidden video does not exist for anybody else).

    A row's video is the id ingestion read from its video_id cell (`video_id`), looked up among the hidden
    videos' ids: matching every row's text against every hidden id took seconds per thousand rows."""
    conditions: list[Any] = [ReportRejection.report_id == report_id]
    if not include_hidden:
        conditions.append(or_(ReportRejection.video_id.is_(None), not_hidden(ReportRejection.video_id)))
    return conditions


def rejections(
    session: Session, report_id: int, limit: int = 200, offset: int = 0, *, include_hidden: bool = False
) -> list[dict[str, Any]]:
    """The report's rejected rows in line order (line, column, reason, raw); see `_rejections_of`."""
    query = (
        select(ReportRejection.line, ReportRejection.column, ReportRejection.reason, ReportRejection.raw)
        .where(*_rejections_of(report_id, include_hidden))
        .order_by(ReportRejection.line, ReportRejection.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def rejection_count(session: Session, report_id: int, *, include_hidden: bool = False) -> int:
    """How many rejected rows of the report are stored (the first 10,000 are) for the caller to see."""
    query = (
        select(func.count()).select_from(ReportRejection).where(*_rejections_of(report_id, include_hidden))
    )
    return session.execute(query).scalar_one()


def rejections_csv(session: Session, report_id: int, *, include_hidden: bool = False) -> str:
    """Every stored rejected row of the report as CSV text: line, column, reason, row.

    The row is the report's own text, which anyone who could upload or drop a file wrote: its cells are
    neutralised against formula injection (`export.csv_cell`), as the grid's exports are. The text starts
    with a byte order mark, as the exports do, so that a spreadsheet reads it as UTF-8 (Excel took the
    titles in other scripts for Windows-1252 and showed them garbled)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REJECTIONS_CSV_HEADER)
    query = (
        select(ReportRejection.line, ReportRejection.column, ReportRejection.reason, ReportRejection.raw)
        .where(*_rejections_of(report_id, include_hidden))
        .order_by(ReportRejection.line, ReportRejection.id)
    )
    for line, column, reason, raw in session.execute(query):
        writer.writerow((line, csv_cell(column), csv_cell(reason), csv_cell(raw)))
    return out.getvalue()


def changed_fields(session: Session, report_id: int, *, include_hidden: bool = False) -> dict[str, int]:
    """How many videos each field was changed on by this report (`__created__` counts new videos), most first.

    The merge stores these counts on the report; for a report merged before it did, the history is counted.
    Hidden videos are not counted unless `include_hidden` (admins): their entries, found from the hidden
    videos' side, are subtracted.
    """
    stored = session.execute(select(Report.field_counts).where(Report.id == report_id)).scalar()
    if stored is None:
        stored = _count_fields(session, _report_entries(report_id))
    counts = dict(stored)
    if not include_hidden:
        for name, hidden in _count_fields(session, _report_entries(report_id, hidden_only=True)).items():
            counts[name] = counts.get(name, 0) - hidden
    return dict(sorted(((k, n) for k, n in counts.items() if n > 0), key=lambda item: (-item[1], item[0])))


def _count_fields(session: Session, entries: Any) -> dict[str, int]:
    field = func.jsonb_object_keys(entries.c.changes).label("field")
    return dict(session.execute(select(field, func.count()).group_by(field)).all())


def _report_entries(report_id: int, *, hidden_only: bool = False) -> Any:
    """The report's history entries, live and archived (older than the retention period), as one subquery
    with `id`, `video_id`, `video_title` and `changes`; with `hidden_only`, only hidden videos' entries,
    read from those videos' side (a partial index holds their ids)."""

    def of(table: Any) -> Any:
        query = select(table.id, table.video_id, table.video_title, table.changes)
        if hidden_only:
            query = query.select_from(Video).join(table, table.video_id == Video.video_id).where(Video.hidden)
        return query.join(ChangeSet, ChangeSet.id == table.change_set_id).where(
            ChangeSet.report_id == report_id
        )

    return union_all(of(MetadataSync), of(MetadataSyncArchive)).subquery("entries")


def report_changes(
    session: Session, report_id: int, page: int = 1, per_page: int = 25, *, include_hidden: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """One page of the history entries this report wrote (video id, title, changes), live or archived, and
    their total.

    Entries of hidden videos are left out unless `include_hidden` (admins)."""
    # A report's change set counts its entries as they are written: no need to count millions of rows,
    # only the few of hidden videos, found from those videos' side.
    total = session.execute(
        select(func.coalesce(func.sum(ChangeSet.video_count), 0)).where(ChangeSet.report_id == report_id)
    ).scalar_one()
    if not include_hidden:
        hidden = _report_entries(report_id, hidden_only=True)
        total -= session.execute(select(func.count()).select_from(hidden)).scalar_one()
    offset = (max(page, 1) - 1) * per_page
    rows = session.execute(
        text(
            _CHANGES_PAGE.format(
                branches=entries_sql(
                    "e.id, e.video_id, e.video_title, e.changes",
                    change_set="cs.id",
                    visible_only=not include_hidden,
                    first=True,
                )
            )
        ),
        {"report_id": report_id, "top": offset + per_page, "limit": per_page, "offset": offset},
    )
    return [dict(row._mapping) for row in rows], total


# A page of a report's entries: each change set's first `:top` live and archived entries by video id (an
# index range each, hidden videos left out there), then the page among them. Filtering and ordering above
# the union instead read and sorted every entry of the report (1M entries: 2-4 s a page).
_CHANGES_PAGE = """
    SELECT h.video_id, h.video_title, h.changes
    FROM change_set cs CROSS JOIN LATERAL ({branches}) h
    WHERE cs.report_id = :report_id
    ORDER BY h.video_id, h.id LIMIT :limit OFFSET :offset
"""


def mark_stopped(session: Session, report_id: int, message: str) -> bool:
    """End a report that was being ingested in `error` with `message` (its worker stopped it, e.g. at its
    time limit), so that it is not taken for a dead worker's and restarted; False when it was not running."""
    result = session.execute(
        text(
            "UPDATE report SET status = 'error', error_message = :message, processed_at = now() "
            "WHERE id = :id AND status = 'processing'"
        ),
        {"id": report_id, "message": message[:4000]},
    )
    return result.rowcount > 0


def recover_interrupted(session: Session) -> list[int]:
    """Reports left `processing` by a worker that died (no one holds their lock) go back to pending, saying
    so, or end in error at their MAX_INTERRUPTIONS-th such stop; returns their ids."""
    from catalog_ui.services.locks import REPORT_LOCK_NAMESPACE

    unlocked = """NOT EXISTS (
        SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = :ns
        AND l.objid = report.id AND l.objsubid = 2 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""
    return sorted(end_interrupted(session, unlocked, {"ns": REPORT_LOCK_NAMESPACE}))


def end_interrupted(db: Any, condition: str, params: dict[str, Any]) -> list[int]:
    """Reports `processing` that match `condition` (SQL on `report`; its caller knows their worker is gone)
    go back to pending, counted and with a line saying so, or end in error at their MAX_INTERRUPTIONS-th
    stop, with the progress of their last attempt; returns their ids. `db` is a Session or a Connection."""
    params = {**params, "max_interruptions": MAX_INTERRUPTIONS}
    given_up = list(
        db.execute(
            text(
                f"""
                UPDATE report SET status = 'error', processed_at = now(), interruptions = interruptions + 1,
                    error_message = {_GAVE_UP}
                WHERE status = 'processing' AND interruptions + 1 >= :max_interruptions AND {condition}
                RETURNING id
                """
            ),
            params,
        ).scalars()
    )
    if given_up:
        log.error("reports whose worker stopped %d times end in error: %s", MAX_INTERRUPTIONS, given_up)
    restarted = db.execute(
        text(
            f"""
            UPDATE report SET status = 'pending', started_at = NULL, processed_at = NULL,
                error_message = {_RESTARTING}, interruptions = interruptions + 1, {FRESH_COUNTS}
            WHERE status = 'processing' AND {condition}
            RETURNING id
            """
        ),
        params,
    ).scalars()
    return [*given_up, *restarted]


def stopped_note(rows_read: int) -> str:
    """The line of a report put back to pending because its worker was asked to stop."""
    return (
        f"The worker was stopped (restart or deploy) after {rows_read:,} rows; "
        "the report starts again from the beginning."
    )


def restart_stopped(db: Any, report_id: int, rows_read: int) -> str:
    """A report whose worker was asked to stop (SIGTERM: a restart, a deploy) mid-way goes back to pending
    with a note (`stopped_note`), its progress reset, its interruptions not counted: unlike a worker that
    dies (`end_interrupted`), a requested stop says nothing about the file. Returns the note. `db` is a
    Session or a Connection."""
    note = stopped_note(rows_read)
    db.execute(
        text(
            f"UPDATE report SET status = 'pending', started_at = NULL, processed_at = NULL, "
            f"error_message = :note, {FRESH_COUNTS} WHERE id = :id AND status = 'processing'"
        ),
        {"id": report_id, "note": note},
    )
    return note


# Why a pending report held in S3 waits while the periodic scan finds S3 not answering (`pending_to_send`);
# kept in `error_message`, which for a pending report is a note (the Reports page shows it in amber).
S3_UNAVAILABLE_NOTE = "The report store (S3) is not answering; the report starts once it is back."


def pending_to_send(session: Session, s3_answers: bool) -> list[int]:
    """The periodic scan's reports to send to be ingested (`pending_ids`), and their notes brought up to date.

    While S3 does not answer, the pending reports held there stay back, and each that has no note of its own
    (a worker that stopped, S3's back-off) says why it waits; once S3 answers again, the note goes."""
    if s3_answers:
        session.execute(
            text("UPDATE report SET error_message = NULL WHERE status = 'pending' AND error_message = :note"),
            {"note": S3_UNAVAILABLE_NOTE},
        )
    else:
        session.execute(
            text(
                "UPDATE report SET error_message = :note WHERE status = 'pending' AND bucket IS NOT NULL "
                "AND error_message IS NULL AND deleted_at IS NULL"
            ),
            {"note": S3_UNAVAILABLE_NOTE},
        )
    return pending_ids(session, include_s3=s3_answers)


def pending_ids(session: Session, include_s3: bool = True) -> list[int]:
    """Ids of reports waiting to be ingested, oldest first; without `include_s3`, only those whose file is
    not in a bucket. A report S3 failed to deliver waits for its `retry_after`."""
    query = (
        select(Report.id)
        .where(_live, Report.status == "pending", text(RETRY_DUE))
        .order_by(Report.created_at, Report.id)
    )
    if not include_s3:
        query = query.where(Report.bucket.is_(None))
    return list(session.execute(query).scalars())
