"""Report storage retries: how many times S3 failed to deliver a report's file and it went back to pending.

A read timeout or a dropped connection mid-report used to end the report in `error` for good (the scan
registers each key and ETag once); such a report is now retried by later scans, a few times, and this
count says how many.

Revision ID: 018_report_storage_retries
Revises: 017_lookup_indexes
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "018_report_storage_retries"
down_revision: str | None = "017_lookup_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("report", "report_archive")


def upgrade() -> None:
    """Add `storage_retries` (0) to the live and archived reports."""
    for table in TABLES:
        op.add_column(table, sa.Column("storage_retries", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop `storage_retries`."""
    for table in TABLES:
        op.drop_column(table, "storage_retries")
