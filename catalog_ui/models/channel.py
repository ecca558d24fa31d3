"""The `channel` table: YouTube channels of the content owner, with their statistics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Text, func, literal_column
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, utc_now


class Channel(SQLModel, table=True):
    """A YouTube channel; videos point at it by `channel_id` and carry the reported display name."""

    __tablename__ = "channel"
    __table_args__ = (
        Index("idx_channel_id", "channel_id", unique=True),
        # A pasted handle finds its channel whatever its case (migration 029).
        Index("idx_channel_handle", func.lower(literal_column("handle"))),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(sa_column=Column(String(100), nullable=False))
    name: str | None = Field(default=None, sa_type=String(200))
    # YouTube's `snippet.customUrl`: the handle (`@someartist`) or a legacy channel's old custom URL.
    handle: str | None = Field(default=None, sa_type=String(100))
    image_url: str | None = Field(default=None, sa_type=String(500))
    subscriber_count: int | None = Field(default=None, sa_type=BigInteger)
    video_count: int | None = Field(default=None, sa_type=BigInteger)
    view_count: int | None = Field(default=None, sa_type=BigInteger)
    description: str | None = Field(default=None, sa_type=Text)
    country: str | None = Field(default=None, sa_type=String(2))
    is_monetized: bool | None = Field(default=None, sa_type=Boolean)
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
