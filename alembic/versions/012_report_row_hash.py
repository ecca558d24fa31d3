"""Report row hashes: a video remembers the hash of the report row its values came from.

Re-reading an unchanged report is the common case (a daily report where most videos did not move). With
`video.report_row_hash` — the MD5 of the raw CSV row (and of the report's header) the video's values were
last taken from — ingestion sets aside every row whose raw text is the same as last time without parsing,
normalizing or comparing it. Any other change to a report-filled column (a YouTube sync, a rollback) clears
the hash, by trigger, so a matching hash always means "the catalog still holds exactly what this row says".

Revision ID: 012_report_row_hash
Revises: 011_search_words
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "012_report_row_hash"
down_revision: str | None = "011_search_words"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = (
    "video_id",
    "channel_id",
    "channel_display_name",
    "title",
    "time_published",
    "video_length",
    "views",
    "category",
    "privacy_status",
    "asset_id",
    "custom_id",
    "isrc",
    "upc",
    "artist",
    "genre",
    "label",
    "claimed_status",
    "other_owners_claiming",
    "effective_policy",
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
    "claimed_by_another_owner",
    "is_short",
    "is_live_stream",
    "upload_source",
)  # the columns a report fills (report_columns.STORED_COLUMNS today)


def _row(alias: str) -> str:
    return "(" + ", ".join(f"{alias}.{column}" for column in REPORT_COLUMNS) + ")"


TRIGGER = f"""
CREATE FUNCTION video_clear_report_row_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.report_row_hash := NULL;
    RETURN NEW;
END $$;

CREATE TRIGGER video_report_row_hash BEFORE UPDATE ON video
FOR EACH ROW
WHEN (OLD.report_row_hash IS NOT NULL AND NEW.report_row_hash IS NOT DISTINCT FROM OLD.report_row_hash
      AND {_row("OLD")} IS DISTINCT FROM {_row("NEW")})
EXECUTE FUNCTION video_clear_report_row_hash();
"""


def upgrade() -> None:
    """Add `video.report_row_hash` and the trigger that clears it when another source changes the video."""
    op.add_column("video", sa.Column("report_row_hash", sa.Uuid(), nullable=True))
    op.execute(TRIGGER)


def downgrade() -> None:
    """Drop the trigger, its function and the column."""
    op.execute("DROP TRIGGER video_report_row_hash ON video")
    op.execute("DROP FUNCTION video_clear_report_row_hash()")
    op.drop_column("video", "report_row_hash")
