"""CMS reports taken from S3: the `report` table and its archive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

REPORT_STATUSES = ("pending", "processing", "completed", "error")


class ReportFields(SQLModel):
    """Columns shared by live and archived reports."""

    filename: str = Field(sa_type=String(255), nullable=False)
    status: str = Field(default="pending", sa_type=String(20), sa_column_kwargs={"server_default": "pending"})
    processed_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    error_message: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


class Report(ReportFields, table=True):
    """One report file and where its processing stands."""

    __tablename__ = "report"
    __table_args__ = (
        Index("idx_report_status", "status"),
        Index("idx_report_created", "created_at"),
        CheckConstraint(in_check("status", REPORT_STATUSES), name="status_allowed"),
    )

    id: int | None = Field(default=None, primary_key=True)


class ReportArchive(ReportFields, table=True):
    """A completed report moved out of the live table by the archival job."""

    __tablename__ = "report_archive"
    __table_args__ = (CheckConstraint(in_check("status", REPORT_STATUSES), name="status_allowed"),)

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    archived_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
