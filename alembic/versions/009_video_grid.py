"""The video grid: the search documents (with their triggers), sort-key indexes, saved views, preferences.

Search runs on core PostgreSQL (no pg_trgm). Each video's document — its ids (video, asset, custom,
ISRC, UPC) as exact lexemes of weight A, so prefix queries match them case-sensitively, plus the words of
title, label and artists (weight D, so a word never matches an id) — is stored in `video_search` under a GIN index. Storing it (rather than an expression
index) means a filter or recheck never recomputes to_tsvector; keeping it beside `video` means no code
reading videos sees it. Triggers maintain it: one statement-level trigger per INSERT (set-based, for
report ingestion) and a row trigger on UPDATE that fires only when one of its fields really changed.

Plain indexes on privacy and claim status keep exact counts of the small sets people narrow to cheap.
The sort indexes are on the grid's sort keys (NULL mapped to the lowest value) with the video id as
tie-break, so both directions and keyset pages walk an index; INCLUDE columns let deep OFFSET pages run as
index-only scans.

Revision ID: 009_video_grid
Revises: 008_change_set_lookups
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "009_video_grid"
down_revision: str | None = "008_change_set_lookups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")
DOCUMENT_FIELDS = "video_id, asset_id, custom_id, isrc, upc, title, label, artist"

# Ids become lexemes of weight A with a position (position-less lexemes would match any weight), quoted
# for tsvector input (`\:` keeps SQLAlchemy from reading `:1A` as a parameter); words come from the
# 'simple' parser with the default weight D.
SEARCH_FUNCTION = r"""
CREATE FUNCTION video_search_document(
    video_id text, asset_id text, custom_id text, isrc text, upc text, title text, label text, artist text[]
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
               (SELECT string_agg('''' || replace(replace(id, '\', '\\'), '''', '''''') || '''\:1A', ' ')
                FROM unnest(ARRAY[video_id, asset_id, custom_id, isrc, upc]) AS id WHERE id <> '')::tsvector,
               ''::tsvector)
           || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(label, '') || ' '
                                    || coalesce(array_to_string(artist, ' '), ''))
$$
"""

TRIGGERS = f"""
CREATE FUNCTION video_search_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO video_search (video_pk, document)
    SELECT id, video_search_document({DOCUMENT_FIELDS}) FROM inserted_videos
    ON CONFLICT (video_pk) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END $$;

CREATE TRIGGER video_search_insert AFTER INSERT ON video
REFERENCING NEW TABLE AS inserted_videos
FOR EACH STATEMENT EXECUTE FUNCTION video_search_after_insert();

CREATE FUNCTION video_search_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE video_search
    SET document = video_search_document(NEW.video_id, NEW.asset_id, NEW.custom_id, NEW.isrc, NEW.upc,
                                         NEW.title, NEW.label, NEW.artist)
    WHERE video_pk = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER video_search_update AFTER UPDATE OF {DOCUMENT_FIELDS} ON video
FOR EACH ROW
WHEN ((OLD.video_id, OLD.asset_id, OLD.custom_id, OLD.isrc, OLD.upc, OLD.title, OLD.label, OLD.artist)
      IS DISTINCT FROM
      (NEW.video_id, NEW.asset_id, NEW.custom_id, NEW.isrc, NEW.upc, NEW.title, NEW.label, NEW.artist))
EXECUTE FUNCTION video_search_after_update();
"""


def upgrade() -> None:
    """Create the search table, function, triggers and index (filled from the catalog), the sort indexes,
    `saved_view` and `grid_preference`."""
    op.execute(SEARCH_FUNCTION)
    op.create_table(
        "video_search",
        sa.Column("video_pk", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_pk"], ["video.id"], name=op.f("fk_video_search_video_pk_video"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_pk", name=op.f("pk_video_search")),
    )
    op.execute(
        f"INSERT INTO video_search (video_pk, document) SELECT id, video_search_document({DOCUMENT_FIELDS}) FROM video"
    )
    op.create_index("idx_video_search_document", "video_search", ["document"], postgresql_using="gin")
    op.execute("ANALYZE video_search")  # the planner needs the lexeme statistics to choose GIN or a walk
    op.execute(TRIGGERS)

    op.create_index(
        "idx_video_sort_published",
        "video",
        [sa.text("COALESCE(time_published, '-infinity'::timestamptz)"), "video_id"],
        postgresql_include=["time_published", "hidden"],
    )
    op.create_index(
        "idx_video_sort_views",
        "video",
        [sa.text("COALESCE(views, '-1'::bigint)"), "video_id"],
        postgresql_include=["views", "hidden"],
    )
    op.create_index(
        "idx_video_sort_updated", "video", ["updated_at", "video_id"], postgresql_include=["hidden"]
    )
    op.create_index("idx_video_sort_title", "video", [sa.text("COALESCE(title, ''::varchar)"), "video_id"])
    op.create_index("idx_video_privacy_status", "video", ["privacy_status"])
    op.create_index("idx_video_claimed_status", "video", ["claimed_status"])

    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_saved_view_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
    )
    op.create_index("idx_saved_view_owner_name", "saved_view", ["user_id", "name"], unique=True)
    op.create_index("idx_saved_view_shared", "saved_view", ["name"], postgresql_where=sa.text("shared"))

    op.create_table(
        "grid_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("columns", sa.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("per_page", sa.Integer(), server_default="50", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_grid_preference_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_grid_preference")),
    )


def downgrade() -> None:
    """Drop the grid's tables, indexes, triggers and search function."""
    op.drop_table("grid_preference")
    op.drop_index("idx_saved_view_shared", table_name="saved_view")
    op.drop_index("idx_saved_view_owner_name", table_name="saved_view")
    op.drop_table("saved_view")
    for name in (
        "idx_video_claimed_status",
        "idx_video_privacy_status",
        "idx_video_sort_title",
        "idx_video_sort_updated",
        "idx_video_sort_views",
        "idx_video_sort_published",
    ):
        op.drop_index(name, table_name="video")
    op.execute("DROP TRIGGER video_search_update ON video")
    op.execute("DROP TRIGGER video_search_insert ON video")
    op.execute("DROP FUNCTION video_search_after_update()")
    op.execute("DROP FUNCTION video_search_after_insert()")
    op.drop_table("video_search")
    op.execute("DROP FUNCTION video_search_document(text, text, text, text, text, text, text, text[])")
