"""The `processing_queue` table: every background task against YouTube, the source of truth for its state.

Additions to the seed (migration 007): the status `cancelled` (a pending task a person cancelled), the
lease columns `worker_id`/`lease_expires_at` (who runs a task and until when the claim holds), the retry
schedule `next_attempt_at`, the claim counter `attempts`, and the `queue_pause` table (a task type stopped
until its API quota resets). At most one pending-or-processing task exists per (video, task type).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

TASK_TYPES = ("metadata_sync", "ownership_update", "asset_enrichment")
TASK_STATUSES = ("pending", "processing", "completed", "failed", "cancelled")
ACTIVE_STATUSES = ("pending", "processing")
FINAL_STATUSES = ("completed", "failed", "cancelled")

# SQL predicate of the partial indexes; `enqueue` names the same predicate in ON CONFLICT.
ACTIVE_PREDICATE = "status IN ('pending', 'processing')"
PENDING_PREDICATE = "status = 'pending'"


class ProcessingQueue(SQLModel, table=True):
    """One queued task for one video."""

    __tablename__ = "processing_queue"
    __table_args__ = (
        Index("idx_queue_status", "status"),
        Index("idx_queue_created", "created_at"),
        Index("idx_queue_video", "video_id", "created_at"),
        Index(
            "uq_queue_active_task",
            "video_id",
            "task_type",
            unique=True,
            postgresql_where=text(ACTIVE_PREDICATE),
        ),
        Index("idx_queue_lease", "lease_expires_at", postgresql_where=text("status = 'processing'")),
        Index("idx_queue_completed", "completed_at", postgresql_where=text("completed_at IS NOT NULL")),
        CheckConstraint("retry_count >= 0", name="retry_count_non_negative"),
        CheckConstraint("priority >= 0", name="priority_non_negative"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
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

    # Lease and schedule (not in the seed): a claim holds until `lease_expires_at`; a retry waits until
    # `next_attempt_at`; `attempts` counts claims, so a task put back by a quota pause shows it ran before.
    worker_id: str | None = Field(default=None, sa_type=String(100))
    lease_expires_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    next_attempt_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class QueuePause(SQLModel, table=True):
    """A task type that no worker claims until `paused_until` (its API's daily quota is spent)."""

    __tablename__ = "queue_pause"
    __table_args__ = (CheckConstraint(in_check("task_type", TASK_TYPES), name="task_type_allowed"),)

    task_type: str = Field(sa_column=Column(String(50), primary_key=True))
    paused_until: datetime = Field(sa_type=TIMESTAMPTZ, nullable=False)
    reason: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


Index("idx_queue_priority", ProcessingQueue.priority.desc())
# Claiming: one task type's pending tasks, highest priority first, then oldest (id breaks ties of one INSERT).
Index(
    "idx_queue_claim",
    ProcessingQueue.task_type,
    ProcessingQueue.priority.desc(),
    ProcessingQueue.created_at,
    ProcessingQueue.id,
    postgresql_where=text(PENDING_PREDICATE),
)
