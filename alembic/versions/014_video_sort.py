"""Video sort keys: views and updated_at sort through a narrow mirror table, so a views change is a HOT update.

A daily report changes the views of about a third of the catalog. While `video` carried the sort indexes
of `views` and `updated_at`, each such change was a non-HOT update: a new index entry in every one of
`video`'s sixteen indexes, about 140 µs a row, most of a delta's merge. The two sort indexes now live on
`video_sort` (video_pk, video_id, views, updated_at, hidden), kept equal to `video` by statement
triggers with transition tables (set-based: one statement per writing statement, whatever the writer).
Nothing indexed on `video` changes with views any more, and `video` keeps 30% of each page free
(fillfactor 70), so the update stays on its page (HOT) and touches no index of `video` at all. Existing
pages fill to the new factor as they are rewritten; `VACUUM FULL video` does it at once.

Revision ID: 014_video_sort
Revises: 013_claim_index
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "014_video_sort"
down_revision: str | None = "013_claim_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIRRORED = "video_id, views, updated_at, hidden"  # the columns video_sort copies from video

TRIGGERS = f"""
CREATE FUNCTION video_sort_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO video_sort (video_pk, {MIRRORED}) SELECT id, {MIRRORED} FROM inserted_videos;
    RETURN NULL;
END $$;

CREATE TRIGGER video_sort_insert AFTER INSERT ON video
REFERENCING NEW TABLE AS inserted_videos
FOR EACH STATEMENT EXECUTE FUNCTION video_sort_after_insert();

CREATE FUNCTION video_sort_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE video_sort s SET video_id = n.video_id, views = n.views, updated_at = n.updated_at, hidden = n.hidden
    FROM updated_videos n
    WHERE s.video_pk = n.id AND (s.{MIRRORED.replace(", ", ", s.")}) IS DISTINCT FROM (n.{MIRRORED.replace(", ", ", n.")});
    RETURN NULL;
END $$;

CREATE TRIGGER video_sort_update AFTER UPDATE ON video
REFERENCING NEW TABLE AS updated_videos
FOR EACH STATEMENT EXECUTE FUNCTION video_sort_after_update();
"""


def upgrade() -> None:
    """Create and fill video_sort, move the two sort indexes onto it, add its triggers, leave room for HOT."""
    op.create_table(
        "video_sort",
        sa.Column("video_pk", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("video_id", sa.String(length=20), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_pk"], ["video.id"], name=op.f("fk_video_sort_video_pk_video"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_pk", name=op.f("pk_video_sort")),
    )
    op.execute(f"INSERT INTO video_sort (video_pk, {MIRRORED}) SELECT id, {MIRRORED} FROM video")
    op.drop_index("idx_video_sort_views", table_name="video")
    op.drop_index("idx_video_sort_updated", table_name="video")
    _sort_indexes()
    op.execute(TRIGGERS)
    op.execute("ALTER TABLE video SET (fillfactor = 70)")
    op.execute("ANALYZE video_sort")


def _sort_indexes() -> None:
    op.create_index(
        "idx_video_sort_views",
        "video_sort",
        [sa.text("COALESCE(views, '-1'::bigint)"), "video_id"],
        postgresql_include=["views", "hidden", "video_pk"],
    )
    op.create_index(
        "idx_video_sort_updated",
        "video_sort",
        ["updated_at", "video_id"],
        postgresql_include=["hidden", "video_pk"],
    )


def downgrade() -> None:
    """Back to the sort indexes on video."""
    op.execute("ALTER TABLE video RESET (fillfactor)")
    op.execute("DROP TRIGGER video_sort_update ON video")
    op.execute("DROP TRIGGER video_sort_insert ON video")
    op.execute("DROP FUNCTION video_sort_after_update()")
    op.execute("DROP FUNCTION video_sort_after_insert()")
    op.drop_table("video_sort")  # its indexes with it
    op.create_index(
        "idx_video_sort_views",
        "video",
        [sa.text("COALESCE(views, '-1'::bigint)"), "video_id"],
        postgresql_include=["views", "hidden"],
    )
    op.create_index(
        "idx_video_sort_updated", "video", ["updated_at", "video_id"], postgresql_include=["hidden"]
    )
