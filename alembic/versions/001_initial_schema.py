"""Initial schema: channels, videos, users and roles, reports; the default roles.

Revision ID: 001_initial_schema
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "001_initial_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAG_COLUMNS = (
    "third_party_ads_enabled",
    "display_ads_enabled",
    "sponsored_cards_enabled",
    "overlay_ads_enabled",
    "nonskippable_video_ads_enabled",
    "long_nonskippable_video_ads_enabled",
    "skippable_video_ads_enabled",
    "prerolls_enabled",
    "midrolls_enabled",
    "postrolls_enabled",
    "embedding_allowed",
    "ratings_allowed",
    "comments_allowed",
)
NOW = sa.text("now()")


def upgrade() -> None:
    """Create the core tables and the `admin` and `user` roles."""
    op.create_table(
        "channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("subscriber_count", sa.BigInteger(), nullable=True),
        sa.Column("video_count", sa.BigInteger(), nullable=True),
        sa.Column("view_count", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("is_monetized", sa.Boolean(), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel")),
    )
    op.create_index("idx_channel_id", "channel", ["channel_id"], unique=True)

    op.create_table(
        "video",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.String(length=20), nullable=False),
        sa.Column("asset_id", sa.String(length=50), nullable=True),
        sa.Column("custom_id", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("artist", sa.ARRAY(sa.String(length=200)), nullable=True),
        sa.Column("genre", sa.ARRAY(sa.String(length=100)), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("channel_display_name", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("upc", sa.String(length=20), nullable=True),
        sa.Column("isrc", sa.String(length=12), nullable=True),
        sa.Column("claimed_status", sa.String(length=20), nullable=True),
        sa.Column("claimed_by_another_owner", sa.String(length=10), nullable=True),
        sa.Column("other_owners_claiming", sa.Text(), nullable=True),
        *(sa.Column(name, sa.String(length=10), nullable=True) for name in FLAG_COLUMNS),
        sa.Column("privacy_status", sa.String(length=20), nullable=True),
        sa.Column("effective_policy", sa.Text(), nullable=True),
        sa.Column("video_length", sa.Integer(), nullable=True),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("administered", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("administered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_short", sa.Boolean(), nullable=True),
        sa.Column("is_live_stream", sa.Boolean(), nullable=True),
        sa.Column("upload_source", sa.String(length=20), nullable=True),
        sa.Column("time_published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "privacy_status IS NULL OR privacy_status IN ('public', 'private', 'unlisted')",
            name=op.f("ck_video_privacy_status_allowed"),
        ),
        sa.CheckConstraint("video_length >= 0", name=op.f("ck_video_video_length_non_negative")),
        sa.CheckConstraint("views >= 0", name=op.f("ck_video_views_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video")),
    )
    op.create_index("idx_video_video_id", "video", ["video_id"], unique=True)
    op.create_index("idx_video_asset_id", "video", ["asset_id"], unique=False)
    op.create_index("idx_video_category", "video", ["category"], unique=False)
    op.create_index("idx_video_channel", "video", ["channel_display_name"], unique=False)
    op.create_index("idx_video_custom_id", "video", ["custom_id"], unique=False)

    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("name", name=op.f("uq_role_name")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("password", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("current_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_login_ip", sa.String(length=100), nullable=True),
        sa.Column("last_login_ip", sa.String(length=100), nullable=True),
        sa.Column("login_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "roles_users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_roles_users_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_roles_users_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_roles_users")),
    )

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'completed', 'error')", name=op.f("ck_report_status_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index("idx_report_created", "report", ["created_at"], unique=False)
    op.create_index("idx_report_status", "report", ["status"], unique=False)

    role = sa.table("role", sa.column("name", sa.String), sa.column("description", sa.String))
    op.bulk_insert(
        role,
        [
            {"name": "admin", "description": "Administrators: manage users, hide and administer videos"},
            {"name": "user", "description": "Catalog team"},
        ],
    )


def downgrade() -> None:
    """Drop everything this revision created."""
    op.drop_table("report")
    op.drop_table("roles_users")
    op.drop_table("user")
    op.drop_table("role")
    op.drop_table("video")
    op.drop_table("channel")
