"""Report details: `deleted_at` (deleted reports stay as tombstones) and `field_counts` (what a report changed).

A deleted report disappears from the pages, but its row keeps the object's identity (key and ETag), so the
next scan of the bucket does not register the same file again. `field_counts` maps each field a report
changed to the number of videos it changed it on (`__created__`: new videos), written by the merge so the
report's page need not aggregate its history entries. Both columns are on `report_archive` too, which
mirrors `report`.

Revision ID: 010_report_details
Revises: 009_video_grid
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "010_report_details"
down_revision: str | None = "009_video_grid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add `deleted_at` and `field_counts` to `report` and `report_archive`."""
    for table in ("report", "report_archive"):
        op.add_column(table, sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(
            table, sa.Column("field_counts", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
        )


def downgrade() -> None:
    """Drop both columns (deleted reports come back; field counts are computed from the history again)."""
    for table in ("report", "report_archive"):
        op.drop_column(table, "field_counts")
        op.drop_column(table, "deleted_at")
