"""The `processing_queue` table: every background task against YouTube, the source of truth for its state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

TASK_TYPES = ("metadata_sync", "ownership_update", "asset_enrichment")
TASK_STATUSES = ("pending", "processing", "completed", "failed")


class ProcessingQueue(SQLModel, table=True):
    """One queued task for one video."""

    __tablename__ = "processing_queue"
    __table_args__ = (
        Index("idx_queue_status", "status"),
        Index("idx_queue_created", "created_at"),
        CheckConstraint("retry_count >= 0", name="retry_count_non_negative"),
        CheckConstraint("priority >= 0", name="priority_non_negative"),
        CheckConstraint(in_check("status", TASK_STATUSES), name="status_allowed"),
        CheckConstraint(in_check("task_type", TASK_TYPES), name="task_type_allowed"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    video_id: str = Field(
        sa_column=Column(String(20), ForeignKey("video.video_id", ondelete="CASCADE"), nullable=False)
    )
    task_type: str = Field(sa_type=String(50), nullable=False)
    status: str = Field(default="pending", sa_type=String(20), sa_column_kwargs={"server_default": "pending"})
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    started_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    completed_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)

    payload: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    error_message: str | None = Field(default=None, sa_type=Text)
    retry_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    )


Index("idx_queue_priority", ProcessingQueue.priority.desc())
