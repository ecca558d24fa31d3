"""The video grid's own tables: the search documents, the views and updated_at sort keys, saved views (named filter sets), grid preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, utc_now


class VideoSearch(SQLModel, table=True):
    """A video's full-text document: the words of its title, label and artists ('simple' config).

    Ids are not in it: they are searched through btree indexes on `video` (migration 011). Triggers on
    `video` (migrations 009, 011) keep it current on every insert and on every update of those fields, so
    it needs no code to maintain. It lives beside `video` rather than in it so reading a video
    never drags the document along, and filtering by it never recomputes it.
    """

    __tablename__ = "video_search"
    __table_args__ = (Index("idx_video_search_document", "document", postgresql_using="gin"),)

    video_pk: int = Field(
        sa_column=Column(
            Integer, ForeignKey("video.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    document: str = Field(sa_column=Column(TSVECTOR, nullable=False))


class VideoSort(SQLModel, table=True):
    """A video's views and `updated_at` (with its id and `hidden`), for the grid's two busiest sort orders.

    A daily report changes the views of about a third of the catalog. Were their sort indexes on `video`,
    each change would add an entry to every index of `video`; here, nothing indexed on `video` changes
    with views, so the update stays on its page (HOT) and only this narrow table's indexes move.
    Statement triggers on `video` (migration 014) keep it equal to `video` on every insert and update,
    so it needs no code to maintain; it is deleted with its video.
    """

    __tablename__ = "video_sort"
    __table_args__ = (
        Index(
            "idx_video_sort_views",
            text("COALESCE(views, '-1'::bigint)"),
            "video_id",
            postgresql_include=["views", "hidden", "video_pk"],
        ),
        Index("idx_video_sort_updated", "updated_at", "video_id", postgresql_include=["hidden", "video_pk"]),
    )

    video_pk: int = Field(
        sa_column=Column(
            Integer, ForeignKey("video.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    video_id: str = Field(sa_column=Column(String(20), nullable=False))
    views: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    updated_at: datetime = Field(sa_column=Column(TIMESTAMPTZ, nullable=False))
    hidden: bool = Field(sa_column=Column(Boolean, nullable=False))


class SavedView(SQLModel, table=True):
    """A named grid view (its URL query string); `shared` views are listed for every user."""

    __tablename__ = "saved_view"
    __table_args__ = (
        Index("idx_saved_view_owner_name", "user_id", "name", unique=True),
        Index("idx_saved_view_shared", "name", postgresql_where=text("shared")),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    name: str = Field(sa_type=String(100), nullable=False)
    query: str = Field(sa_type=Text, nullable=False)
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


class GridPreference(SQLModel, table=True):
    """A user's grid defaults: the columns shown and the page size, used when the URL names neither."""

    __tablename__ = "grid_preference"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    columns: list[str] = Field(sa_column=Column(ARRAY(String(50)), nullable=False))
    per_page: int = Field(default=50, sa_column_kwargs={"server_default": "50"})
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
