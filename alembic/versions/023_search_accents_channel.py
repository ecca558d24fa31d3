"""Search documents without accents, and with the channel's name.

A catalog team types names as their keyboard lets them: "jose sato" found none of the 78 videos of
José Sato, "beyonce" none of Beyoncé's, because the 'simple' documents kept every accent. And a channel's
name ("Juno Bay VEVO") found nothing unless it was also a label or an artist. So:

- `search_fold(text)` takes the accents off a text: canonical decomposition (NFD), the combining
  diacritical marks (U+0300–U+036F) dropped, recomposed (NFC, so Hangul and the like come back whole),
  and the letters that carry their stroke inside them (ø, ł, đ, ħ, ı) mapped to their base letter.
  PL/pgSQL (see FOLD_FUNCTION), IMMUTABLE, no extension (the embedded PostgreSQL has no `unaccent`).
  Searches fold the typed words the same way (`services/video_search.py`). An ASCII text (one byte per character) is returned
  as it is: folding costs nothing there. Building a million documents (6% of the titles with accents,
  more of the artists and channels) takes 10 s on one core, against 7 s before this revision.
- `video_search_document(title, label, artist, channel)` is the 'simple' to_tsvector of the folded words
  of title, label, artists and the channel's display name; the UPDATE trigger also watches
  `channel_display_name`. Every document is rebuilt, the GIN index with it (as 011 did).

Revision ID: 023_search_accents_channel
Revises: 022_session_tickets
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "023_search_accents_channel"
down_revision: str | None = "022_session_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PL/pgSQL, not SQL: PostgreSQL cannot inline a SQL function that reads its argument more than once when
# that argument is an expression (the document's words), and a SQL function it does not inline runs
# through the slow SQL-function executor on every call: a million documents took 24 s on one core this
# way, 10 s in PL/pgSQL (7 s before folding and the channel's name).
FOLD_FUNCTION = r"""
CREATE FUNCTION search_fold(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
BEGIN
    IF octet_length(value) = char_length(value) THEN  -- ASCII: nothing to fold
        RETURN value;
    END IF;
    RETURN translate(
        normalize(regexp_replace(normalize(value, NFD), '[\u0300-\u036f]', '', 'g'), NFC),
        'øØłŁđĐħĦı',
        'oOlLdDhHi'
    );
END $$
"""

NEW_FIELDS = "title, label, artist, channel_display_name"
NEW_FUNCTION = """
CREATE FUNCTION video_search_document(title text, label text, artist text[], channel text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', search_fold(coalesce(title, '') || ' ' || coalesce(label, '') || ' '
                                             || coalesce(array_to_string(artist, ' '), '') || ' '
                                             || coalesce(channel, '')))
$$
"""
NEW_SIGNATURE = "video_search_document(text, text, text[], text)"

OLD_FIELDS = "title, label, artist"
OLD_FUNCTION = """
CREATE FUNCTION video_search_document(title text, label text, artist text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(label, '') || ' '
                                 || coalesce(array_to_string(artist, ' '), ''))
$$
"""
OLD_SIGNATURE = "video_search_document(text, text, text[])"


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


def upgrade() -> None:
    """Folded documents with the channel's name."""
    op.execute(FOLD_FUNCTION)
    _rebuild_documents(NEW_FUNCTION, NEW_FIELDS, OLD_SIGNATURE)


def downgrade() -> None:
    """Back to 011's documents (title, label, artists, accents kept)."""
    _rebuild_documents(OLD_FUNCTION, OLD_FIELDS, NEW_SIGNATURE)
    op.execute("DROP FUNCTION search_fold(text)")
