"""Claim index: claimed status and "claimed by another owner" in one index.

The grid's claim facets are often used together ("disputed" and "claimed by another owner"). With the
status alone indexed, such a view read every video of the status (18,000 of a million) to keep the few
hundred claimed by another owner; the two-column index finds exactly those, and still serves the status
alone as before. It replaces `idx_video_claimed_status`, so ingestion maintains no more indexes than before.

Revision ID: 013_claim_index
Revises: 012_report_row_hash
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "013_claim_index"
down_revision: str | None = "012_report_row_hash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Replace the claimed-status index by the two-column claim index."""
    op.create_index("idx_video_claim", "video", ["claimed_status", "claimed_by_another_owner"])
    op.drop_index("idx_video_claimed_status", table_name="video")
    op.execute("ANALYZE video")


def downgrade() -> None:
    """Back to the claimed-status index."""
    op.create_index("idx_video_claimed_status", "video", ["claimed_status"])
    op.drop_index("idx_video_claim", table_name="video")
