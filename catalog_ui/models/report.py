"""CMS reports taken from S3: the `report` table and its archive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

REPORT_STATUSES = ("pending", "processing", "completed", "error")
REPORT_SOURCES = ("s3", "upload", "path")
ROW_COUNTERS = (
    "rows_read",
    "rows_inserted",
    "rows_updated",
    "rows_unchanged",
    "rows_stale",
    "rows_rejected",
    "rows_skipped",
)


class ReportFields(SQLModel):
    """Columns shared by live and archived reports."""

    filename: str = Field(sa_type=String(255), nullable=False)
    status: str = Field(default="pending", sa_type=String(20), sa_column_kwargs={"server_default": "pending"})
    processed_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    error_message: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )

    # Where the file came from and what it is
    source: str = Field(default="s3", sa_type=String(20), sa_column_kwargs={"server_default": "s3"})
    bucket: str | None = Field(default=None, sa_type=String(255))
    etag: str | None = Field(default=None, sa_type=String(255))
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    report_date: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)  # the data is as of this time
    uploaded_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")

    # Progress, committed while the work goes on
    started_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    bytes_read: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    rows_read: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_inserted: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_updated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_unchanged: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_stale: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_rejected: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rows_skipped: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    columns_ignored: list[str] | None = Field(default=None, sa_type=JSONB)
    # {field: videos changed}, `__created__` for new videos; written by the merge for the report's page
    field_counts: dict[str, int] | None = Field(default=None, sa_type=JSONB)
    # Times S3 failed to deliver the file (timeouts, dropped connections) and the report went back to pending
    storage_retries: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # After such a failure, no scan sends the report again before this time (the retries back off)
    retry_after: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    # Times the worker ingesting the report stopped (killed, out of memory) before the report ended; the
    # report started again, and at `reports.MAX_INTERRUPTIONS` it ends in error instead (migration 027).
    interruptions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Set when an admin deletes the report: hidden from the pages, kept so a scan does not register it again.
    deleted_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)


class Report(ReportFields, table=True):
    """One report file and where its processing stands."""

    __tablename__ = "report"
    __table_args__ = (
        Index("idx_report_status", "status"),
        Index("idx_report_created", "created_at"),
        CheckConstraint(in_check("status", REPORT_STATUSES), name="status_allowed"),
        CheckConstraint(in_check("source", REPORT_SOURCES), name="source_allowed"),
        UniqueConstraint("filename", "etag", name="uq_report_object"),
    )

    id: int | None = Field(default=None, primary_key=True)


class ReportArchive(ReportFields, table=True):
    """A completed report moved out of the live table by the archival job."""

    __tablename__ = "report_archive"
    __table_args__ = (
        CheckConstraint(in_check("status", REPORT_STATUSES), name="status_allowed"),
        CheckConstraint(in_check("source", REPORT_SOURCES), name="source_allowed"),
    )

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    archived_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


class ReportRejection(SQLModel, table=True):
    """A row of a report that could not be stored: where it is, which column, and why."""

    __tablename__ = "report_rejection"
    __table_args__ = (Index("idx_report_rejection_report_line", "report_id", "line"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    report_id: int = Field(
        sa_column=Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), nullable=False)
    )
    line: int = Field(nullable=False)
    column: str | None = Field(default=None, sa_type=String(255))
    reason: str = Field(sa_type=String(255), nullable=False)
    raw: str | None = Field(default=None, sa_type=Text)
    # The row's video id when its video_id cell holds a well-formed one: a user's view leaves out the rows
    # of hidden videos by looking this up among them (migration 019).
    video_id: str | None = Field(default=None, sa_type=String(20))
