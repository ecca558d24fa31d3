"""Words-only search documents; ids found through btree indexes built for prefix search.

Until now each `video_search` document also held the five ids (video, asset, custom id, ISRC, UPC) as
exact lexemes. Millions of unique id lexemes made the first load of a large catalog slow (about 32 s for
the documents and 41 s for the GIN index per million videos, against about 3 s and 2 s for words only),
and btree indexes find an id, or the ids starting with a prefix, just as fast. So:

- `video_search_document(title, label, artist)` is the 'simple' to_tsvector of the words of title, label
  and artists; every document is rebuilt, the GIN index with it. The side table, the statement-level
  INSERT trigger and the row UPDATE trigger (now on title, label and artist only, still guarded by a WHEN
  that compares the old and new values) stay.
- The id columns get btree indexes in the `varchar_pattern_ops` operator class: they compare character by
  character whatever the database's collation, so `LIKE 'abc%'` becomes an index range, and they serve
  equality too. `idx_video_asset_id` and `idx_video_custom_id` (the seed's names) are rebuilt that way;
  `idx_video_isrc` and `idx_video_upc` are new; `idx_video_video_id_prefix` joins the unique
  `idx_video_video_id`, which keeps the default operator class for sorting by video id.

Revision ID: 011_search_words
Revises: 010_report_details
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "011_search_words"
down_revision: str | None = "010_report_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD_FIELDS = "title, label, artist"
ID_FIELDS = "video_id, asset_id, custom_id, isrc, upc"

WORDS_FUNCTION = """
CREATE FUNCTION video_search_document(title text, label text, artist text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(label, '') || ' '
                                 || coalesce(array_to_string(artist, ' '), ''))
$$
"""

# 009's document: ids as weight-A lexemes, then the words (restored on downgrade).
IDS_AND_WORDS_FUNCTION = r"""
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
IDS_AND_WORDS_SIGNATURE = "video_search_document(text, text, text, text, text, text, text, text[])"
WORDS_SIGNATURE = "video_search_document(text, text, text[])"


def _triggers(fields: str) -> str:
    """The INSERT (per statement) and UPDATE (per changed row) triggers writing documents from `fields`."""
    new_values = ", ".join(f"NEW.{f.strip()}" for f in fields.split(","))
    old_values = ", ".join(f"OLD.{f.strip()}" for f in fields.split(","))
    return f"""
CREATE FUNCTION video_search_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO video_search (video_pk, document)
    SELECT id, video_search_document({fields}) FROM inserted_videos
    ON CONFLICT (video_pk) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END $$;

CREATE TRIGGER video_search_insert AFTER INSERT ON video
REFERENCING NEW TABLE AS inserted_videos
FOR EACH STATEMENT EXECUTE FUNCTION video_search_after_insert();

CREATE FUNCTION video_search_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE video_search SET document = video_search_document({new_values}) WHERE video_pk = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER video_search_update AFTER UPDATE OF {fields} ON video
FOR EACH ROW
WHEN (({old_values}) IS DISTINCT FROM ({new_values}))
EXECUTE FUNCTION video_search_after_update();
"""


def _rebuild_documents(function: str, fields: str, old_signature: str) -> None:
    """Swap the document function and triggers, and rewrite every document (GIN index rebuilt after)."""
    op.execute("DROP TRIGGER video_search_update ON video")
    op.execute("DROP TRIGGER video_search_insert ON video")
    op.execute("DROP FUNCTION video_search_after_update()")
    op.execute("DROP FUNCTION video_search_after_insert()")
    op.execute(f"DROP FUNCTION {old_signature}")
    op.execute(function)
    op.drop_index("idx_video_search_document", table_name="video_search")
    op.execute("TRUNCATE video_search")
    op.execute(
        f"INSERT INTO video_search (video_pk, document) SELECT id, video_search_document({fields}) FROM video"
    )
    op.create_index("idx_video_search_document", "video_search", ["document"], postgresql_using="gin")
    op.execute("ANALYZE video_search")
    op.execute(_triggers(fields))


def _pattern_index(name: str, column: str) -> None:
    op.create_index(name, "video", [column], postgresql_ops={column: "varchar_pattern_ops"})


def upgrade() -> None:
    """Words-only documents; prefix-capable btree indexes on the five id columns."""
    _rebuild_documents(WORDS_FUNCTION, WORD_FIELDS, IDS_AND_WORDS_SIGNATURE)
    op.drop_index("idx_video_asset_id", table_name="video")
    op.drop_index("idx_video_custom_id", table_name="video")
    for name, column in (
        ("idx_video_asset_id", "asset_id"),
        ("idx_video_custom_id", "custom_id"),
        ("idx_video_video_id_prefix", "video_id"),
        ("idx_video_isrc", "isrc"),
        ("idx_video_upc", "upc"),
    ):
        _pattern_index(name, column)
    op.execute("ANALYZE video")


def downgrade() -> None:
    """Back to 009's documents (ids as lexemes) and the seed's plain id indexes."""
    for name in ("idx_video_upc", "idx_video_isrc", "idx_video_video_id_prefix", "idx_video_custom_id"):
        op.drop_index(name, table_name="video")
    op.drop_index("idx_video_asset_id", table_name="video")
    op.create_index("idx_video_asset_id", "video", ["asset_id"])
    op.create_index("idx_video_custom_id", "video", ["custom_id"])
    _rebuild_documents(IDS_AND_WORDS_FUNCTION, f"{ID_FIELDS}, {WORD_FIELDS}", WORDS_SIGNATURE)
