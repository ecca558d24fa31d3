"""The migrated schema is the seed's (catalog-schema.md), made strict where the seed is loose.

Each table, column type and length, nullability, unique constraint, index, CHECK and cascade is asserted
against the live database after `alembic upgrade`, and each CHECK and cascade is exercised.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

SEED_TABLES = {
    "video",
    "channel",
    "metadata_sync",
    "processing_queue",
    "user",
    "role",
    "roles_users",
    "report",
    "metadata_sync_archive",
    "report_archive",
    "change_set",
}

# (table, column) -> (type as information_schema shows it, max length or None, nullable)
SEED_COLUMNS = {
    ("video", "video_id"): ("character varying", 20, "NO"),
    ("video", "asset_id"): ("character varying", 50, "YES"),
    ("video", "custom_id"): ("character varying", 100, "YES"),
    ("video", "title"): ("character varying", 200, "YES"),
    ("video", "artist"): ("ARRAY", None, "YES"),
    ("video", "genre"): ("ARRAY", None, "YES"),
    ("video", "label"): ("character varying", 200, "YES"),
    ("video", "channel_display_name"): ("character varying", 100, "YES"),
    ("video", "category"): ("character varying", 50, "YES"),
    ("video", "upc"): ("character varying", 20, "YES"),
    ("video", "isrc"): ("character varying", 12, "YES"),
    # Widened from the seed's 10: YouTube reports `routedForReview` (15 characters).
    ("video", "claimed_status"): ("character varying", 20, "YES"),
    ("video", "claimed_by_another_owner"): ("character varying", 10, "YES"),
    ("video", "other_owners_claiming"): ("text", None, "YES"),
    ("video", "third_party_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "display_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "sponsored_cards_enabled"): ("character varying", 10, "YES"),
    ("video", "overlay_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "nonskippable_video_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "long_nonskippable_video_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "skippable_video_ads_enabled"): ("character varying", 10, "YES"),
    ("video", "prerolls_enabled"): ("character varying", 10, "YES"),
    ("video", "midrolls_enabled"): ("character varying", 10, "YES"),
    ("video", "postrolls_enabled"): ("character varying", 10, "YES"),
    ("video", "embedding_allowed"): ("character varying", 10, "YES"),
    ("video", "ratings_allowed"): ("character varying", 10, "YES"),
    ("video", "comments_allowed"): ("character varying", 10, "YES"),
    ("video", "privacy_status"): ("character varying", 20, "YES"),
    ("video", "effective_policy"): ("text", None, "YES"),
    ("video", "video_length"): ("integer", None, "YES"),
    ("video", "views"): ("bigint", None, "YES"),
    ("video", "hidden"): ("boolean", None, "NO"),
    ("video", "administered"): ("boolean", None, "NO"),
    ("video", "administered_at"): ("timestamp with time zone", None, "YES"),
    ("video", "is_short"): ("boolean", None, "YES"),
    ("video", "is_live_stream"): ("boolean", None, "YES"),
    ("video", "upload_source"): ("character varying", 20, "YES"),
    ("video", "time_published"): ("timestamp with time zone", None, "YES"),
    ("video", "updated_at"): ("timestamp with time zone", None, "NO"),
    ("video", "notes"): ("character varying", 500, "YES"),
    ("video", "channel_id"): ("character varying", 100, "YES"),
    ("channel", "channel_id"): ("character varying", 100, "NO"),
    ("channel", "name"): ("character varying", 200, "YES"),
    ("channel", "handle"): ("character varying", 100, "YES"),  # snippet.customUrl (migration 029)
    ("channel", "image_url"): ("character varying", 500, "YES"),
    ("channel", "subscriber_count"): ("bigint", None, "YES"),
    ("channel", "video_count"): ("bigint", None, "YES"),
    ("channel", "view_count"): ("bigint", None, "YES"),
    ("channel", "description"): ("text", None, "YES"),
    ("channel", "country"): ("character varying", 2, "YES"),
    ("channel", "is_monetized"): ("boolean", None, "YES"),
    ("channel", "hidden"): ("boolean", None, "NO"),
    ("channel", "created_at"): ("timestamp with time zone", None, "NO"),
    ("channel", "updated_at"): ("timestamp with time zone", None, "NO"),
    ("metadata_sync", "video_id"): ("character varying", 20, "NO"),
    ("metadata_sync", "channel_display_name"): ("character varying", 100, "YES"),
    ("metadata_sync", "video_title"): ("character varying", 200, "YES"),
    ("metadata_sync", "sync_time"): ("timestamp with time zone", None, "NO"),
    ("metadata_sync", "changes"): ("jsonb", None, "NO"),
    ("metadata_sync", "change_set_id"): ("bigint", None, "YES"),
    ("processing_queue", "video_id"): ("character varying", 20, "NO"),
    ("processing_queue", "task_type"): ("character varying", 50, "NO"),
    ("processing_queue", "status"): ("character varying", 20, "NO"),
    ("processing_queue", "priority"): ("integer", None, "NO"),
    ("processing_queue", "created_at"): ("timestamp with time zone", None, "NO"),
    ("processing_queue", "started_at"): ("timestamp with time zone", None, "YES"),
    ("processing_queue", "completed_at"): ("timestamp with time zone", None, "YES"),
    ("processing_queue", "payload"): ("jsonb", None, "YES"),
    ("processing_queue", "result"): ("jsonb", None, "YES"),
    ("processing_queue", "error_message"): ("text", None, "YES"),
    ("processing_queue", "retry_count"): ("integer", None, "NO"),
    ("processing_queue", "created_by"): ("integer", None, "YES"),
    ("user", "email"): ("character varying", 255, "NO"),
    ("user", "username"): ("character varying", 255, "NO"),
    ("user", "password"): ("character varying", 255, "YES"),
    ("user", "firebase_uid"): ("character varying", 128, "YES"),
    ("user", "auth_method"): ("character varying", 20, "NO"),
    ("user", "is_admin"): ("boolean", None, "NO"),
    ("user", "current_login_at"): ("timestamp with time zone", None, "YES"),
    ("user", "last_login_at"): ("timestamp with time zone", None, "YES"),
    ("user", "current_login_ip"): ("character varying", 100, "YES"),
    ("user", "last_login_ip"): ("character varying", 100, "YES"),
    ("user", "login_count"): ("integer", None, "NO"),
    ("user", "created_at"): ("timestamp with time zone", None, "NO"),
    ("user", "active"): ("boolean", None, "NO"),
    ("role", "name"): ("character varying", 80, "NO"),
    ("role", "description"): ("character varying", 255, "YES"),
    ("report", "filename"): ("character varying", 255, "NO"),
    ("report", "status"): ("character varying", 20, "NO"),
    ("report", "processed_at"): ("timestamp with time zone", None, "YES"),
    ("report", "error_message"): ("text", None, "YES"),
    ("report", "created_at"): ("timestamp with time zone", None, "NO"),
    ("change_set", "kind"): ("character varying", 20, "NO"),
    ("change_set", "reason"): ("text", None, "YES"),
    ("change_set", "filter"): ("jsonb", None, "YES"),
    ("change_set", "video_count"): ("integer", None, "NO"),
}

SEED_INDEXES = {
    "idx_video_video_id": ("video", "(video_id)", True),
    "idx_video_channel": ("video", "(channel_display_name)", False),
    "idx_video_category": ("video", "(category)", False),
    # The seed's asset and custom id indexes, in the pattern operator class so prefixes use them too.
    "idx_video_asset_id": ("video", "(asset_id varchar_pattern_ops)", False),
    "idx_video_custom_id": ("video", "(lower((custom_id)::text) text_pattern_ops)", False),  # any case (028)
    "idx_video_channel_id": ("video", "(channel_id)", False),
    "idx_sync_video_time": ("metadata_sync", "(video_id, sync_time DESC)", False),
    # not the seed's: a change set's entries, and a video's entry in one (migration 017)
    "idx_sync_change_set_video": ("metadata_sync", "(change_set_id, video_id)", False),
    "idx_queue_status": ("processing_queue", "(status)", False),
    "idx_queue_created": ("processing_queue", "(created_at)", False),
    "idx_queue_priority": ("processing_queue", "(priority DESC)", False),
    "idx_report_status": ("report", "(status)", False),
    "idx_report_created": ("report", "(created_at)", False),
    "idx_channel_id": ("channel", "(channel_id)", True),
    # not the seed's: a pasted handle finds its channel whatever its case (migration 029)
    "idx_channel_handle": ("channel", "(lower((handle)::text))", False),
    "idx_sync_archive_video_time": ("metadata_sync_archive", "(video_id, sync_time DESC)", False),
}

SEED_UNIQUES = {("user", "email"), ("user", "username"), ("user", "firebase_uid"), ("role", "name")}

# (table, column) -> (referenced table, referenced column, ON DELETE)
SEED_FOREIGN_KEYS = {
    ("metadata_sync", "video_id"): ("video", "video_id", "CASCADE"),
    ("metadata_sync_archive", "video_id"): ("video", "video_id", "CASCADE"),
    ("processing_queue", "video_id"): ("video", "video_id", "CASCADE"),
    ("processing_queue", "created_by"): ("user", "id", "SET NULL"),
    ("roles_users", "user_id"): ("user", "id", "CASCADE"),
    ("roles_users", "role_id"): ("role", "id", "CASCADE"),
    ("video", "channel_id"): ("channel", "channel_id", "SET NULL"),
    ("metadata_sync", "change_set_id"): ("change_set", "id", "NO ACTION"),
}


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def test_every_seed_table_exists(engine) -> None:
    tables = {r[0] for r in _rows(engine, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables >= SEED_TABLES


def test_columns_types_lengths_and_nullability(engine) -> None:
    rows = _rows(
        engine,
        "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable "
        "FROM information_schema.columns WHERE table_schema = 'public'",
    )
    actual = {(t, c): (dt, length, nullable) for t, c, dt, length, nullable in rows}
    for key, expected in SEED_COLUMNS.items():
        assert actual.get(key) == expected, f"{key}: {actual.get(key)} != {expected}"


def test_array_element_types(engine) -> None:
    rows = _rows(
        engine,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = 'video'::regclass AND a.attname IN ('artist', 'genre')",
    )
    assert dict(rows) == {"artist": "character varying(200)[]", "genre": "character varying(100)[]"}


def test_seed_indexes(engine) -> None:
    rows = _rows(engine, "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
    actual = {name: (table, definition) for name, table, definition in rows}
    for name, (table, columns, unique) in SEED_INDEXES.items():
        assert name in actual, f"missing index {name}"
        found_table, definition = actual[name]
        assert found_table == table
        assert definition.endswith(f"USING btree {columns}"), definition
        assert definition.startswith("CREATE UNIQUE INDEX") == unique, definition


# Search by id, exactly or by prefix (migration 011): one pattern-class btree index per id column; custom
# ids lower-cased, as they are found whatever their case (migration 028).
ID_SEARCH_INDEXES = {
    "idx_video_video_id_prefix": "(video_id varchar_pattern_ops)",
    "idx_video_asset_id": "(asset_id varchar_pattern_ops)",
    "idx_video_custom_id": "(lower((custom_id)::text) text_pattern_ops)",
    "idx_video_isrc": "(isrc varchar_pattern_ops)",
    "idx_video_upc": "(upc varchar_pattern_ops)",
}


def test_every_id_column_has_a_prefix_search_index(engine) -> None:
    rows = _rows(engine, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'video'")
    actual = dict(rows)
    for name, columns in ID_SEARCH_INDEXES.items():
        assert actual.get(name, "").endswith(f"USING btree {columns}"), (name, actual.get(name))


def test_search_documents_hold_words_only(engine) -> None:
    rows = _rows(
        engine,
        "SELECT pg_get_function_identity_arguments(p.oid) FROM pg_proc p WHERE p.proname = 'video_search_document'",
    )
    assert [r[0] for r in rows] == ["title text, label text, artist text[], channel text"]


def test_unique_constraints(engine) -> None:
    rows = _rows(
        engine,
        """
        SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
        WHERE tc.constraint_type = 'UNIQUE' AND tc.table_schema = 'public'
        """,
    )
    assert {(t, c) for t, c in rows} >= SEED_UNIQUES


def test_roles_users_has_composite_primary_key(engine) -> None:
    rows = _rows(
        engine,
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = 'roles_users'::regclass AND i.indisprimary ORDER BY a.attname",
    )
    assert [r[0] for r in rows] == ["role_id", "user_id"]


def test_foreign_keys_and_cascades(engine) -> None:
    rows = _rows(
        engine,
        """
        SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule
        FROM information_schema.referential_constraints rc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
        JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.constraint_name
        """,
    )
    actual = {(t, c): (rt, rc, rule) for t, c, rt, rc, rule in rows}
    for key, expected in SEED_FOREIGN_KEYS.items():
        assert actual.get(key) == expected, f"{key}: {actual.get(key)} != {expected}"


def test_default_roles_created_by_migration(engine) -> None:
    assert sorted(r[0] for r in _rows(engine, "SELECT name FROM role")) == ["admin", "user"]


CHECK_VIOLATIONS = [
    (
        "INSERT INTO video (video_id, video_length) VALUES ('aaaaaaaaaaa', -1)",
        "ck_video_video_length_non_negative",
    ),
    ("INSERT INTO video (video_id, views) VALUES ('aaaaaaaaaaa', -1)", "ck_video_views_non_negative"),
    (
        "INSERT INTO video (video_id, privacy_status) VALUES ('aaaaaaaaaaa', 'secret')",
        "ck_video_privacy_status_allowed",
    ),
    (
        "INSERT INTO processing_queue (video_id, task_type, retry_count) VALUES ('vvvvvvvvvvv', 'metadata_sync', -1)",
        "ck_processing_queue_retry_count_non_negative",
    ),
    (
        "INSERT INTO processing_queue (video_id, task_type, priority) VALUES ('vvvvvvvvvvv', 'metadata_sync', -1)",
        "ck_processing_queue_priority_non_negative",
    ),
    (
        "INSERT INTO processing_queue (video_id, task_type, status) VALUES ('vvvvvvvvvvv', 'metadata_sync', 'done')",
        "ck_processing_queue_status_allowed",
    ),
    (
        "INSERT INTO processing_queue (video_id, task_type) VALUES ('vvvvvvvvvvv', 'reticulate')",
        "ck_processing_queue_task_type_allowed",
    ),
    ("INSERT INTO report (filename, status) VALUES ('r.csv', 'done')", "ck_report_status_allowed"),
    ("INSERT INTO change_set (kind) VALUES ('magic')", "ck_change_set_kind_allowed"),
    (
        "INSERT INTO \"user\" (email, username, auth_method) VALUES ('a@b.c', 'a', 'ldap')",
        "ck_user_auth_method_allowed",
    ),
]


@pytest.mark.parametrize(("sql", "constraint"), CHECK_VIOLATIONS, ids=[c for _, c in CHECK_VIOLATIONS])
def test_check_constraints_reject(engine, sql: str, constraint: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO video (video_id) VALUES ('vvvvvvvvvvv')"))
    with pytest.raises(IntegrityError, match=constraint), engine.begin() as conn:
        conn.execute(text(sql))


def test_duplicate_video_id_rejected(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO video (video_id) VALUES ('vvvvvvvvvvv')"))
    with pytest.raises(IntegrityError, match="idx_video_video_id"), engine.begin() as conn:
        conn.execute(text("INSERT INTO video (video_id) VALUES ('vvvvvvvvvvv')"))


def test_deleting_a_video_cascades_to_history_and_tasks(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO video (video_id) VALUES ('vvvvvvvvvvv'), ('wwwwwwwwwww')"))
        conn.execute(
            text(
                "INSERT INTO metadata_sync (video_id, changes) VALUES "
                "('vvvvvvvvvvv', '{\"views\": [1, 2]}'), ('wwwwwwwwwww', '{\"views\": [1, 2]}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO processing_queue (video_id, task_type) VALUES "
                "('vvvvvvvvvvv', 'metadata_sync'), ('wwwwwwwwwww', 'metadata_sync')"
            )
        )
        conn.execute(text("DELETE FROM video WHERE video_id = 'vvvvvvvvvvv'"))
        history = conn.execute(text("SELECT video_id FROM metadata_sync")).scalars().all()
        tasks = conn.execute(text("SELECT video_id FROM processing_queue")).scalars().all()
    assert history == ["wwwwwwwwwww"]
    assert tasks == ["wwwwwwwwwww"]


def test_deleting_a_user_keeps_their_tasks_and_drops_memberships(engine) -> None:
    with engine.begin() as conn:
        user_id = conn.execute(
            text("INSERT INTO \"user\" (email, username) VALUES ('a@b.c', 'a') RETURNING id")
        ).scalar_one()
        conn.execute(
            text("INSERT INTO roles_users (user_id, role_id) SELECT :u, id FROM role WHERE name = 'user'"),
            {"u": user_id},
        )
        conn.execute(text("INSERT INTO video (video_id) VALUES ('vvvvvvvvvvv')"))
        conn.execute(
            text(
                "INSERT INTO processing_queue (video_id, task_type, created_by) VALUES ('vvvvvvvvvvv', 'metadata_sync', :u)"
            ),
            {"u": user_id},
        )
        conn.execute(text('DELETE FROM "user" WHERE id = :u'), {"u": user_id})
        assert conn.execute(text("SELECT count(*) FROM roles_users")).scalar_one() == 0
        assert conn.execute(text("SELECT created_by FROM processing_queue")).scalar_one() is None


def test_deleting_a_channel_unlinks_its_videos(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO channel (channel_id, name) VALUES ('UCx', 'X')"))
        conn.execute(text("INSERT INTO video (video_id, channel_id) VALUES ('vvvvvvvvvvv', 'UCx')"))
        conn.execute(text("DELETE FROM channel WHERE channel_id = 'UCx'"))
        assert conn.execute(text("SELECT channel_id FROM video")).scalar_one() is None
