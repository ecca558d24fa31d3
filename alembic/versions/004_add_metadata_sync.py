"""Field-level history of videos: `metadata_sync`.

Revision ID: 004_add_metadata_sync
Revises: 003_add_processing_queue
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "004_add_metadata_sync"
down_revision: str | None = "003_add_processing_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `metadata_sync`, cascading on video delete, with the (video_id, sync_time DESC) index."""
    op.create_table(
        "metadata_sync",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("video_id", sa.String(length=20), nullable=False),
        sa.Column("channel_display_name", sa.String(length=100), nullable=True),
        sa.Column("video_title", sa.String(length=200), nullable=True),
        sa.Column("sync_time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"], ["video.video_id"], name=op.f("fk_metadata_sync_video_id_video"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata_sync")),
    )
    op.create_index(
        "idx_sync_video_time",
        "metadata_sync",
        ["video_id", sa.text("sync_time DESC")],
        unique=False,
    )


def downgrade() -> None:
    """Drop the history table."""
    op.drop_table("metadata_sync")
