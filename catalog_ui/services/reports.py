"""The report lifecycle: register files (S3 scan, upload, local path), list them, retry, delete, recover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Report, ReportRejection
from catalog_ui.models.report import REPORT_STATUSES
from catalog_ui.services.storage import StoredObject, list_objects, put_object
from catalog_ui.settings import get_settings

_DATE_IN_NAME = re.compile(r"(20\d{2})-?([01]\d)-?([0-3]\d)")
REPORT_SUFFIXES = (".csv", ".csv.gz", ".gz", ".txt")


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
    """Insert a pending report once per (filename, etag); returns the row and whether it is new."""
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
    existing = session.execute(
        select(Report).where(Report.filename == filename, Report.etag == etag)
    ).scalar_one()
    return existing, False


def register_path(session: Session, path: str | Path, uploaded_by: int | None = None) -> tuple[Report, bool]:
    """Register a local file (identity: absolute path, size and modification time)."""
    file = Path(path).resolve()
    if not file.is_file():
        raise ReportError(f"No report file at {file}.")
    stat = file.stat()
    return register(
        session,
        filename=str(file),
        source="path",
        etag=f"{stat.st_size}-{stat.st_mtime_ns}",
        size=stat.st_size,
        uploaded_by=uploaded_by,
    )


def register_object(
    session: Session, bucket: str, obj: StoredObject, source: str = "s3", **kw: Any
) -> tuple[Report, bool]:
    """Register an S3 object (identity: key and ETag)."""
    return register(
        session, filename=obj.key, source=source, etag=obj.etag, size=obj.size, bucket=bucket, **kw
    )


def scan_bucket(session: Session) -> list[int]:
    """Register every report object under the configured prefix not seen before; returns the new ids."""
    settings = get_settings()
    new_ids = []
    for obj in list_objects(settings.s3_bucket, settings.s3_prefix):
        if not obj.key.lower().endswith(REPORT_SUFFIXES):
            continue
        report, created = register_object(session, settings.s3_bucket, obj)
        if created:
            new_ids.append(report.id)
    return new_ids


def upload(session: Session, filename: str, stream: BinaryIO, uploaded_by: int | None) -> Report:
    """Store a browser upload in the bucket (under the prefix, `uploads/`) and register it."""
    name = Path(filename).name
    if not name.lower().endswith(REPORT_SUFFIXES):
        raise ReportError("Upload a CMS Videos report: a .csv or .csv.gz file.")
    settings = get_settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    key = f"{settings.s3_prefix}uploads/{stamp}-{name}"
    obj = put_object(settings.s3_bucket, key, stream)
    report, _ = register_object(
        session,
        settings.s3_bucket,
        obj,
        source="upload",
        uploaded_by=uploaded_by,
        report_date=report_date_from_name(name),
    )
    return report


@dataclass(frozen=True)
class ReportPage:
    """One page of the reports list."""

    rows: list[dict[str, Any]]
    total: int


def list_reports(
    session: Session, page: int = 1, per_page: int = 25, status: str | None = None
) -> ReportPage:
    """Reports newest first, optionally of one status, one page at a time."""
    query = select(Report)
    count = select(func.count()).select_from(Report)
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
    rows = [report.model_dump() for report in session.execute(query).scalars()]
    return ReportPage(rows=rows, total=session.execute(count).scalar_one())


def get_report(session: Session, report_id: int) -> Report:
    """The report `report_id`, or ReportError."""
    report = session.get(Report, report_id)
    if report is None:
        raise ReportError(f"Report {report_id} does not exist.")
    return report


def retry_report(session: Session, report_id: int) -> Report:
    """Put a report in error back to pending (the caller enqueues its ingestion)."""
    report = get_report(session, report_id)
    if report.status != "error":
        raise ReportError("Only a report in error can be retried.")
    report.status = "pending"
    report.error_message = None
    session.add(report)
    session.flush()
    return report


def delete_report(session: Session, report_id: int) -> None:
    """Delete a report record and its rejected rows; the catalog data and history it wrote stay."""
    report = get_report(session, report_id)
    if report.status == "processing":
        raise ReportError("A report being ingested cannot be deleted; wait until it ends.")
    session.delete(report)
    session.flush()


def rejections(session: Session, report_id: int, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """The report's rejected rows in line order (line, column, reason, raw)."""
    query = (
        select(ReportRejection.line, ReportRejection.column, ReportRejection.reason, ReportRejection.raw)
        .where(ReportRejection.report_id == report_id)
        .order_by(ReportRejection.line)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def changed_fields(session: Session, report_id: int) -> dict[str, int]:
    """How many videos each field was changed on by this report (`__created__` counts new videos)."""
    query = (
        select(func.jsonb_object_keys(MetadataSync.changes).label("field"), func.count())
        .join(ChangeSet, ChangeSet.id == MetadataSync.change_set_id)
        .where(ChangeSet.report_id == report_id)
        .group_by("field")
        .order_by(func.count().desc())
    )
    return {field: count for field, count in session.execute(query)}


def recover_interrupted(session: Session) -> list[int]:
    """Reports left `processing` by a worker that died (no one holds their lock) go back to pending."""
    from catalog_ui.services.ingest import REPORT_LOCK_NAMESPACE

    ids = session.execute(
        text(
            """
            UPDATE report SET status = 'pending' WHERE status = 'processing' AND NOT EXISTS (
                SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = :ns
                AND l.objid = report.id AND l.granted)
            RETURNING id
            """
        ),
        {"ns": REPORT_LOCK_NAMESPACE},
    ).scalars()
    return list(ids)


def pending_ids(session: Session) -> list[int]:
    """Ids of reports waiting to be ingested, oldest first."""
    query = select(Report.id).where(Report.status == "pending").order_by(Report.created_at, Report.id)
    return list(session.execute(query).scalars())
