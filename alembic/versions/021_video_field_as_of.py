"""Video field_as_of: when each field a YouTube sync wrote was true, for report merges to judge per field.

A video's values carried one date (`values_as_of`), which a task's sync moved to the time of its fetch: the
next day's report, dated before that fetch, was then ignored for the whole video as "stale", the fields the
sync never reads (claims, ownership, ISRC…) included; a daily sync of the whole catalog would have kept
every report from changing anything. Syncs now record the time per field they wrote (`field_as_of`), and
`values_as_of` is the date of the report that last wrote the video. Dates recorded before this revision
stay where they are.

Revision ID: 021_video_field_as_of
Revises: 020_report_retry_after
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "021_video_field_as_of"
down_revision: str | None = "020_report_retry_after"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add `video.field_as_of` and the partial index of the videos that have it."""
    op.add_column("video", sa.Column("field_as_of", postgresql.JSONB(), nullable=True))
    op.create_index(
        "idx_video_field_as_of", "video", ["video_id"], postgresql_where=sa.text("field_as_of IS NOT NULL")
    )


def downgrade() -> None:
    """Drop `video.field_as_of` (its index goes with it)."""
    op.drop_column("video", "field_as_of")
