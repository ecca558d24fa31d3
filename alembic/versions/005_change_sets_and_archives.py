"""Change sets (who/what/why of every change), `video.channel_id`, and the archive tables.

Revision ID: 005_change_sets_and_archives
Revises: 004_add_metadata_sync
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "005_change_sets_and_archives"
down_revision: str | None = "004_add_metadata_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    """Add change sets, link history to them, link videos to channels by id, create the archives."""
    op.create_table(
        "change_set",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reverts_change_set_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("filter", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("video_count", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "kind IN ('report', 'task', 'user', 'bulk', 'rollback')", name=op.f("ck_change_set_kind_allowed")
        ),
        sa.CheckConstraint("video_count >= 0", name=op.f("ck_change_set_video_count_non_negative")),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_change_set_report_id_report"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reverts_change_set_id"],
            ["change_set.id"],
            name=op.f("fk_change_set_reverts_change_set_id_change_set"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["processing_queue.id"],
            name=op.f("fk_change_set_task_id_processing_queue"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_change_set_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    op.create_index("idx_change_set_created", "change_set", ["created_at"], unique=False)
    op.create_index("idx_change_set_report", "change_set", ["report_id"], unique=False)
    op.create_index("idx_change_set_task", "change_set", ["task_id"], unique=False)

    op.add_column("metadata_sync", sa.Column("change_set_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_metadata_sync_change_set_id_change_set"),
        "metadata_sync",
        "change_set",
        ["change_set_id"],
        ["id"],
    )
    op.create_index("idx_sync_change_set", "metadata_sync", ["change_set_id"], unique=False)

    op.add_column("video", sa.Column("channel_id", sa.String(length=100), nullable=True))
    op.create_foreign_key(
        op.f("fk_video_channel_id_channel"),
        "video",
        "channel",
        ["channel_id"],
        ["channel_id"],
        ondelete="SET NULL",
    )
    op.create_index("idx_video_channel_id", "video", ["channel_id"], unique=False)

    op.create_table(
        "metadata_sync_archive",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("video_id", sa.String(length=20), nullable=False),
        sa.Column("channel_display_name", sa.String(length=100), nullable=True),
        sa.Column("video_title", sa.String(length=200), nullable=True),
        sa.Column("sync_time", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("change_set_id", sa.BigInteger(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_metadata_sync_archive_change_set_id_change_set"),
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["video.video_id"],
            name=op.f("fk_metadata_sync_archive_video_id_video"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata_sync_archive")),
    )
    op.create_index("idx_sync_archive_change_set", "metadata_sync_archive", ["change_set_id"], unique=False)
    op.create_index(
        "idx_sync_archive_video_time",
        "metadata_sync_archive",
        ["video_id", sa.text("sync_time DESC")],
        unique=False,
    )

    op.create_table(
        "report_archive",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'completed', 'error')",
            name=op.f("ck_report_archive_status_allowed"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_archive")),
    )


def downgrade() -> None:
    """Remove change sets, the channel link and the archives."""
    op.drop_table("report_archive")
    op.drop_table("metadata_sync_archive")
    op.drop_index("idx_video_channel_id", table_name="video")
    op.drop_constraint(op.f("fk_video_channel_id_channel"), "video", type_="foreignkey")
    op.drop_column("video", "channel_id")
    op.drop_index("idx_sync_change_set", table_name="metadata_sync")
    op.drop_constraint(op.f("fk_metadata_sync_change_set_id_change_set"), "metadata_sync", type_="foreignkey")
    op.drop_column("metadata_sync", "change_set_id")
    op.drop_table("change_set")
