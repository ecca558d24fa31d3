"""History: `change_set` (who/what/why of a change) and `metadata_sync` (field-level deltas), with its archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

CHANGE_SET_KINDS = ("report", "task", "user", "bulk", "rollback")
CREATED = "__created__"  # key of the `changes` entry that marks a video's first appearance


class ChangeSet(SQLModel, table=True):
    """One source of change: a report, a task, a user's edit, a bulk action or a rollback."""

    __tablename__ = "change_set"
    __table_args__ = (
        Index("idx_change_set_created", "created_at"),
        Index("idx_change_set_report", "report_id"),
        Index("idx_change_set_task", "task_id"),
        # The /audit list filters by kind or user, newest first, and shows which rollback undid a set.
        Index("idx_change_set_kind", "kind", "id"),
        Index("idx_change_set_user", "user_id", "id"),
        Index(
            "idx_change_set_reverts",
            "reverts_change_set_id",
            postgresql_where=text("reverts_change_set_id IS NOT NULL"),
        ),
        CheckConstraint(in_check("kind", CHANGE_SET_KINDS), name="kind_allowed"),
        CheckConstraint("video_count >= 0", name="video_count_non_negative"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    kind: str = Field(sa_type=String(20), nullable=False)
    label: str | None = Field(default=None, sa_type=String(255))
    report_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("report.id", ondelete="SET NULL"), nullable=True)
    )
    task_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("processing_queue.id", ondelete="SET NULL"), nullable=True),
    )
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    )
    reverts_change_set_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("change_set.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    reason: str | None = Field(default=None, sa_type=Text)
    filter: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    video_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class MetadataSyncFields(SQLModel):
    """Columns shared by live and archived history entries."""

    video_id: str = Field(
        foreign_key="video.video_id", ondelete="CASCADE", sa_type=String(20), nullable=False
    )
    channel_display_name: str | None = Field(default=None, sa_type=String(100))
    video_title: str | None = Field(default=None, sa_type=String(200))
    sync_time: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    changes: dict[str, Any] = Field(sa_type=JSONB, nullable=False)
    change_set_id: int | None = Field(
        default=None, foreign_key="change_set.id", sa_type=BigInteger, nullable=True
    )


class MetadataSync(MetadataSyncFields, table=True):
    """One change of one video: `changes` maps each field to `[old, new]`."""

    __tablename__ = "metadata_sync"
    # A change set's entries, and whether a given video has one in it (migration 017)
    __table_args__ = (Index("idx_sync_change_set_video", "change_set_id", "video_id"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))


class MetadataSyncArchive(MetadataSyncFields, table=True):
    """A history entry older than the retention period, moved out of `metadata_sync`."""

    __tablename__ = "metadata_sync_archive"
    __table_args__ = (Index("idx_sync_archive_change_set_video", "change_set_id", "video_id"),)

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    archived_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


# The seed's "(video_id, sync_time DESC)" index, for a video's newest history first.
Index("idx_sync_video_time", MetadataSync.video_id, MetadataSync.sync_time.desc())
Index("idx_sync_archive_video_time", MetadataSyncArchive.video_id, MetadataSyncArchive.sync_time.desc())
