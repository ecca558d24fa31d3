"""The processing queue of background tasks.

Revision ID: 003_add_processing_queue
Revises: 002_add_firebase_auth
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "003_add_processing_queue"
down_revision: str | None = "002_add_firebase_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `processing_queue` with its checks, cascades and indexes."""
    op.create_table(
        "processing_queue",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("video_id", sa.String(length=20), nullable=False),
        sa.Column("task_type", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'completed', 'failed')",
            name=op.f("ck_processing_queue_status_allowed"),
        ),
        sa.CheckConstraint(
            "task_type IN ('metadata_sync', 'ownership_update', 'asset_enrichment')",
            name=op.f("ck_processing_queue_task_type_allowed"),
        ),
        sa.CheckConstraint("priority >= 0", name=op.f("ck_processing_queue_priority_non_negative")),
        sa.CheckConstraint("retry_count >= 0", name=op.f("ck_processing_queue_retry_count_non_negative")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_processing_queue_created_by_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["video.video_id"],
            name=op.f("fk_processing_queue_video_id_video"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_queue")),
    )
    op.create_index("idx_queue_created", "processing_queue", ["created_at"], unique=False)
    op.create_index("idx_queue_priority", "processing_queue", [sa.text("priority DESC")], unique=False)
    op.create_index("idx_queue_status", "processing_queue", ["status"], unique=False)


def downgrade() -> None:
    """Drop the queue."""
    op.drop_table("processing_queue")
