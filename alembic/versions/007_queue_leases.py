"""Queue leases: lease/backoff columns, status `cancelled`, dedup and claim indexes, `queue_pause`.

Revision ID: 007_queue_leases
Revises: 007_accounts
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "007_queue_leases"
down_revision: str | None = "007_accounts"  # was 006; 007_accounts took that parent first
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TASK_TYPES_CHECK = "task_type IN ('metadata_sync', 'ownership_update', 'asset_enrichment')"
STATUS_CHECK_SEED = "status IN ('pending', 'processing', 'completed', 'failed')"
STATUS_CHECK = "status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')"


def upgrade() -> None:
    """Add the lease columns and indexes to `processing_queue`, allow `cancelled`, create `queue_pause`."""
    op.add_column("processing_queue", sa.Column("worker_id", sa.String(length=100), nullable=True))
    op.add_column(
        "processing_queue", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("processing_queue", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("processing_queue", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.create_check_constraint(
        op.f("ck_processing_queue_attempts_non_negative"), "processing_queue", "attempts >= 0"
    )
    op.drop_constraint(op.f("ck_processing_queue_status_allowed"), "processing_queue", type_="check")
    op.create_check_constraint(op.f("ck_processing_queue_status_allowed"), "processing_queue", STATUS_CHECK)

    op.create_index(
        "uq_queue_active_task",
        "processing_queue",
        ["video_id", "task_type"],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'processing')"),
    )
    op.create_index(
        "idx_queue_claim",
        "processing_queue",
        ["task_type", sa.text("priority DESC"), "created_at", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "idx_queue_lease",
        "processing_queue",
        ["lease_expires_at"],
        postgresql_where=sa.text("status = 'processing'"),
    )
    op.create_index(
        "idx_queue_completed",
        "processing_queue",
        ["completed_at"],
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )
    op.create_index("idx_queue_video", "processing_queue", ["video_id", "created_at"])

    op.create_table(
        "queue_pause",
        sa.Column("task_type", sa.String(length=50), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(TASK_TYPES_CHECK, name=op.f("ck_queue_pause_task_type_allowed")),
        sa.PrimaryKeyConstraint("task_type", name=op.f("pk_queue_pause")),
    )


def downgrade() -> None:
    """Drop `queue_pause` and the lease columns; cancelled tasks become failed (the seed has no cancelled)."""
    op.drop_table("queue_pause")
    op.drop_index("idx_queue_video", table_name="processing_queue")
    op.drop_index("idx_queue_completed", table_name="processing_queue")
    op.drop_index("idx_queue_lease", table_name="processing_queue")
    op.drop_index("idx_queue_claim", table_name="processing_queue")
    op.drop_index("uq_queue_active_task", table_name="processing_queue")
    op.execute(
        "UPDATE processing_queue SET status = 'failed', error_message = coalesce(error_message, 'cancelled') "
        "WHERE status = 'cancelled'"
    )
    op.drop_constraint(op.f("ck_processing_queue_status_allowed"), "processing_queue", type_="check")
    op.create_check_constraint(
        op.f("ck_processing_queue_status_allowed"), "processing_queue", STATUS_CHECK_SEED
    )
    op.drop_constraint(op.f("ck_processing_queue_attempts_non_negative"), "processing_queue", type_="check")
    for column in ("attempts", "next_attempt_at", "lease_expires_at", "worker_id"):
        op.drop_column("processing_queue", column)
