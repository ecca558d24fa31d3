"""Report retry_after: when a report that S3 failed to deliver may be sent to ingestion again.

Such a report went back to pending for the very next scan, so a partial S3 outage (listings answer,
downloads stall) spent its retries in about five scan intervals; the retries now back off, and this
column holds until when.

Revision ID: 020_report_retry_after
Revises: 019_rejection_video_id
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "020_report_retry_after"
down_revision: str | None = "019_rejection_video_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("report", "report_archive")


def upgrade() -> None:
    """Add `retry_after` (NULL: no wait) to the live and archived reports."""
    for table in TABLES:
        op.add_column(table, sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop `retry_after`."""
    for table in TABLES:
        op.drop_column(table, "retry_after")
