"""Rejected rows' video ids: a user's view of a report's rejected rows without matching text.

A plain user does not see the rejected rows of hidden videos. That was found by looking for every hidden
video's id inside every rejected row's text (`strpos`): 10,000 rows against 10,000 hidden videos took
12-20 s. Ingestion now stores the row's video id (its video_id cell, when well-formed) in
`report_rejection.video_id`, and the view looks it up among the hidden videos (`idx_video_hidden`).

Rows stored before this revision get the id of a catalog video their text names, a hidden one first (those
rows were left out before and stay so), else the first one named; rows naming none keep NULL.

Revision ID: 019_rejection_video_id
Revises: 018_report_storage_retries
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "019_rejection_video_id"
down_revision: str | None = "018_report_storage_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A video id as reports write it (report_columns.VIDEO_ID_PATTERN when this was written): 11 characters of
# this alphabet, so the text's words of that length are the candidates.
BACKFILL = """
    UPDATE report_rejection r SET video_id = named.video_id
    FROM (
        SELECT DISTINCT ON (r.id) r.id, v.video_id
        FROM report_rejection r
        CROSS JOIN LATERAL unnest(regexp_split_to_array(r.raw, '[^A-Za-z0-9_-]+')) WITH ORDINALITY AS w(word, n)
        JOIN video v ON v.video_id = w.word
        WHERE length(w.word) = 11
        ORDER BY r.id, v.hidden DESC, w.n
    ) named
    WHERE named.id = r.id
"""


def upgrade() -> None:
    """Add `report_rejection.video_id` and fill it from the stored rows' text."""
    op.add_column("report_rejection", sa.Column("video_id", sa.String(length=20), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    """Drop `report_rejection.video_id`."""
    op.drop_column("report_rejection", "video_id")
