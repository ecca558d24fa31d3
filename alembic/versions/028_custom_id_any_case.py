"""Custom ids are found whatever the case they are typed in.

A catalog team's custom ids are its own codes (`NOVA-2024-001`), typed or pasted from a spreadsheet in
whatever case (`nova-2024-001`); the search compared them case-sensitively through `idx_video_custom_id`
(`custom_id varchar_pattern_ops`, migration 011), so such a search found nothing. The search now compares
`lower(custom_id)` with the lower-cased text, exactly or by prefix (`services/video_search.py`), and
`idx_video_custom_id` (the seed's name kept) indexes that expression in the `text_pattern_ops` class, so
an exact id is still an index probe and a prefix (`LIKE 'nova-2024%'`) an index range, whatever the
database's collation. Nothing else read custom ids through the old index, so it is replaced, not kept
beside the new one. Building it on 1,000,000 videos takes about as long as the old one (a second or two).

Revision ID: 028_custom_id_any_case
Revises: 027_report_interruptions
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "028_custom_id_any_case"
down_revision: str | None = "027_report_interruptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """idx_video_custom_id on lower(custom_id)."""
    op.drop_index("idx_video_custom_id", table_name="video")
    op.create_index("idx_video_custom_id", "video", [sa.text("lower(custom_id::text) text_pattern_ops")])
    op.execute("ANALYZE video")  # statistics of the new expression, for the planner's estimates


def downgrade() -> None:
    """Back to 011's case-sensitive index."""
    op.drop_index("idx_video_custom_id", table_name="video")
    op.create_index(
        "idx_video_custom_id", "video", ["custom_id"], postgresql_ops={"custom_id": "varchar_pattern_ops"}
    )
