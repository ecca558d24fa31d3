"""Lookup indexes: the data-quality issues and a change set's entries of given videos, without scans.

- `idx_video_isrc_invalid` and `idx_video_upc_invalid` hold just the videos whose ISRC or UPC is not valid
  (partial indexes whose predicates are the data-quality conditions, with `hidden` included): the
  dashboard counts and lists them on every visit, which read the whole catalog before (8 s on a million
  videos). They cost ingestion nothing for valid values (a daily views update stays a HOT update).
- `idx_sync_change_set_video` (change_set_id, video_id) replaces `idx_sync_change_set` (change_set_id),
  and the same in the archive: besides listing a set's entries, it answers "does this hidden video have an
  entry in this set", which is how a user's pages leave hidden videos out of a report's count of videos
  without reading its hundreds of thousands of entries (`services/visibility.py`).

Revision ID: 017_lookup_indexes
Revises: 016_case_insensitive_accounts
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "017_lookup_indexes"
down_revision: str | None = "016_case_insensitive_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The patterns of models/video.py as they were written here: a migration does not follow later edits.
INVALID = {"isrc": "^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$", "upc": "^[0-9]{12,13}$"}
HISTORY = {"metadata_sync": "idx_sync", "metadata_sync_archive": "idx_sync_archive"}


def upgrade() -> None:
    """Add the partial data-quality indexes; widen the change-set indexes of the history tables."""
    for column, pattern in INVALID.items():
        op.create_index(
            f"idx_video_{column}_invalid",
            "video",
            ["video_id"],
            postgresql_include=["hidden"],
            postgresql_where=sa.text(f"{column} !~ '{pattern}'"),
        )
    for table, prefix in HISTORY.items():
        op.create_index(f"{prefix}_change_set_video", table, ["change_set_id", "video_id"])
        op.drop_index(f"{prefix}_change_set", table_name=table)


def downgrade() -> None:
    """Back to the single-column change-set indexes; drop the data-quality indexes."""
    for table, prefix in HISTORY.items():
        op.create_index(f"{prefix}_change_set", table, ["change_set_id"])
        op.drop_index(f"{prefix}_change_set_video", table_name=table)
    for column in INVALID:
        op.drop_index(f"idx_video_{column}_invalid", table_name="video")
