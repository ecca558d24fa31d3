"""Hidden videos index: the few hidden videos, found without reading the catalog.

A hidden video does not exist for anybody but admins, so pages that list what a report, a task or a
data-quality check touched leave hidden videos out for everybody else (`services/reports.py`,
`services/queue.py`, `services/data_quality.py`). Those pages ask for the hidden videos' ids; this partial
index holds just those, so the question costs nothing on a catalog of millions where a few are hidden.
Reports never change `hidden`, so the index costs ingestion nothing but its build on a first load.

Revision ID: 015_hidden_videos_index
Revises: 014_video_sort
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "015_hidden_videos_index"
down_revision: str | None = "014_video_sort"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index the ids of hidden videos."""
    op.create_index("idx_video_hidden", "video", ["video_id"], postgresql_where=sa.text("hidden"))


def downgrade() -> None:
    """Drop the hidden videos index."""
    op.drop_index("idx_video_hidden", table_name="video")
