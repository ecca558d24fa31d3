"""The `video` table: one row per YouTube video of the catalog, as the seed describes it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

PRIVACY_STATUSES = ("public", "private", "unlisted")

MONETIZATION_FLAGS = (
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
)
ENGAGEMENT_FLAGS = ("embedding_allowed", "ratings_allowed", "comments_allowed")

# Fields only people change; reports and YouTube tasks never write them.
USER_OWNED_FIELDS = ("hidden", "administered", "administered_at", "notes")

# The seed's grouping of the video fields, used by the video page and the column chooser.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "Identifiers": ("video_id", "asset_id", "custom_id", "channel_id"),
    "Content": ("title", "artist", "genre", "label", "channel_display_name", "category"),
    "Rights": ("upc", "isrc"),
    "Claims": ("claimed_status", "claimed_by_another_owner", "other_owners_claiming"),
    "Monetization": MONETIZATION_FLAGS,
    "Engagement": ENGAGEMENT_FLAGS,
    "Metadata": ("privacy_status", "effective_policy", "video_length", "views"),
    "Flags": ("hidden", "administered", "administered_at", "is_short", "is_live_stream", "upload_source"),
    "Housekeeping": ("time_published", "updated_at", "notes"),
}


def _flag() -> str | None:
    return Field(default=None, sa_type=String(10))


# What a valid ISRC and UPC look like (after the report reader's normalisation); anchored for PostgreSQL.
ISRC_REGEX = "[A-Z]{2}[A-Z0-9]{3}[0-9]{7}"
UPC_REGEX = "[0-9]{12,13}"
ISRC_ANCHORED, UPC_ANCHORED = f"^{ISRC_REGEX}$", f"^{UPC_REGEX}$"


class Video(SQLModel, table=True):
    """A YouTube video with its rights, claim, monetization and engagement data."""

    __tablename__ = "video"
    __table_args__ = (
        Index("idx_video_video_id", "video_id", unique=True),
        Index("idx_video_channel", "channel_display_name"),
        Index("idx_video_category", "category"),
        # Ids are searched exactly or by prefix (`LIKE 'abc%'`): the pattern operator class compares
        # character by character whatever the collation, so a prefix is an index range (migration 011).
        # The unique idx_video_video_id keeps the default class, for sorting by video id.
        Index("idx_video_video_id_prefix", "video_id", postgresql_ops={"video_id": "varchar_pattern_ops"}),
        Index("idx_video_asset_id", "asset_id", postgresql_ops={"asset_id": "varchar_pattern_ops"}),
        # Custom ids are typed in any case (a team's own codes, `nova-2024-001` for `NOVA-2024-001`): the
        # search compares them lower-cased, exactly or by prefix, through this index (migration 028).
        Index(
            "idx_video_custom_id",
            func.lower(literal_column("custom_id")).label("custom_id_lower"),
            postgresql_ops={"custom_id_lower": "text_pattern_ops"},
        ),
        Index("idx_video_isrc", "isrc", postgresql_ops={"isrc": "varchar_pattern_ops"}),
        Index("idx_video_upc", "upc", postgresql_ops={"upc": "varchar_pattern_ops"}),
        Index("idx_video_channel_id", "channel_id"),
        # Facets people narrow to small sets (private, takedown…), so their exact counts stay cheap.
        Index("idx_video_privacy_status", "privacy_status"),
        Index("idx_video_claim", "claimed_status", "claimed_by_another_owner"),
        # The grid's sort keys (services/video_search.py `sort_key`: NULL as the lowest value), with the
        # video id as tie-break; INCLUDE lets deep OFFSET pages run as index-only scans. Views and
        # updated_at, which a daily report changes on a third of the videos, sort through `video_sort`.
        Index(
            "idx_video_sort_published",
            text("COALESCE(time_published, '-infinity'::timestamptz)"),
            "video_id",
            postgresql_include=["time_published", "hidden"],
        ),
        # Titles in dictionary order (migration 024: an ICU collation, or lower-cased and accent-free text
        # where the server has no ICU), not the database's byte order. The index's expression carries
        # `COLLATE dictionary`, which migration 024 writes and reflection (so `alembic check`) cannot see.
        Index("idx_video_sort_title", text("dictionary_key(COALESCE(title, ''::varchar))"), "video_id"),
        # Channel names in dictionary order too (migration 025; its expression carries `COLLATE dictionary`).
        Index(
            "idx_video_sort_channel",
            text("dictionary_key(COALESCE(channel_display_name, ''::varchar))"),
            "video_id",
            postgresql_include=["hidden"],
        ),
        # The few hidden videos, which the pages of non-admins leave out (migration 015).
        Index("idx_video_hidden", "video_id", postgresql_where=text("hidden")),
        # The videos a YouTube sync wrote, whose fields a report merge checks one by one (migration 021).
        Index("idx_video_field_as_of", "video_id", postgresql_where=text("field_as_of IS NOT NULL")),
        # The few videos with an invalid ISRC or UPC, for the data-quality view (migration 017).
        Index(
            "idx_video_isrc_invalid",
            "video_id",
            postgresql_include=["hidden"],
            postgresql_where=text(f"isrc !~ '{ISRC_ANCHORED}'"),
        ),
        Index(
            "idx_video_upc_invalid",
            "video_id",
            postgresql_include=["hidden"],
            postgresql_where=text(f"upc !~ '{UPC_ANCHORED}'"),
        ),
        CheckConstraint("video_length >= 0", name="video_length_non_negative"),
        CheckConstraint("views >= 0", name="views_non_negative"),
        CheckConstraint(
            in_check("privacy_status", PRIVACY_STATUSES, nullable=True), name="privacy_status_allowed"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)

    # YouTube identifiers
    video_id: str = Field(sa_column=Column(String(20), nullable=False))
    asset_id: str | None = Field(default=None, sa_type=String(50))
    custom_id: str | None = Field(default=None, sa_type=String(100))
    channel_id: str | None = Field(
        default=None,
        sa_column=Column(String(100), ForeignKey("channel.channel_id", ondelete="SET NULL"), nullable=True),
    )

    # Content metadata
    title: str | None = Field(default=None, sa_type=String(200))
    artist: list[str] | None = Field(default=None, sa_type=ARRAY(String(200)))
    genre: list[str] | None = Field(default=None, sa_type=ARRAY(String(100)))
    label: str | None = Field(default=None, sa_type=String(200))
    channel_display_name: str | None = Field(default=None, sa_type=String(100))
    category: str | None = Field(default=None, sa_type=String(50))

    # Rights identifiers
    upc: str | None = Field(default=None, sa_type=String(20))
    isrc: str | None = Field(default=None, sa_type=String(12))

    # Ownership and claims (claimed_status is 20 wide: YouTube reports `routedForReview`)
    claimed_status: str | None = Field(default=None, sa_type=String(20))
    claimed_by_another_owner: str | None = Field(default=None, sa_type=String(10))
    other_owners_claiming: str | None = Field(default=None, sa_type=Text)

    # Monetization settings
    third_party_ads_enabled: str | None = _flag()
    display_ads_enabled: str | None = _flag()
    sponsored_cards_enabled: str | None = _flag()
    overlay_ads_enabled: str | None = _flag()
    nonskippable_video_ads_enabled: str | None = _flag()
    long_nonskippable_video_ads_enabled: str | None = _flag()
    skippable_video_ads_enabled: str | None = _flag()
    prerolls_enabled: str | None = _flag()
    midrolls_enabled: str | None = _flag()
    postrolls_enabled: str | None = _flag()

    # Engagement settings
    embedding_allowed: str | None = _flag()
    ratings_allowed: str | None = _flag()
    comments_allowed: str | None = _flag()

    # Metadata
    privacy_status: str | None = Field(default=None, sa_type=String(20))
    effective_policy: str | None = Field(default=None, sa_type=Text)
    video_length: int | None = Field(default=None, sa_type=Integer)
    views: int | None = Field(default=None, sa_type=BigInteger)

    # Operational flags
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    administered: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    administered_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    is_short: bool | None = Field(default=None)
    is_live_stream: bool | None = Field(default=None)
    upload_source: str | None = Field(default=None, sa_type=String(20))

    # Housekeeping
    time_published: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    notes: str | None = Field(default=None, sa_type=String(500))
    # When the values last written by a report were true (the report's date); an older report never
    # overwrites them.
    values_as_of: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    # {field: ISO time} of the fields a YouTube sync (a task) wrote, when the API said so; a report dated
    # before that time leaves the field as it is, and writes the others. None is SQL NULL (not JSON null),
    # which the partial index and the merge's check for synced videos count on.
    field_as_of: dict[str, str] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    # XXH3-128 hash of the raw report row the values came from; cleared by trigger when another source changes them.
    report_row_hash: uuid.UUID | None = Field(default=None, sa_type=Uuid)
