"""Channels keep their YouTube handle, so a pasted handle or handle link finds them.

Every channel has a handle today (`@someartist`); channels.list returns it as `snippet.customUrl`
(lower-cased by YouTube; a legacy channel may still answer with an old custom URL without the `@`). The
metadata sync stores it in `channel.handle` as YouTube sends it. Handles are 3-30 characters plus the `@`;
the column holds 100 for the legacy custom URLs. Search compares `lower(handle)` with the lower-cased
handle typed (`@SomeArtist`, `youtube.com/@SomeArtist`, `/c/…`, `/user/…`), so `idx_channel_handle`
indexes that expression: an exact lookup is one index probe. Not unique: a handle YouTube moved to
another channel stays on the old channel's row until that row is refreshed.

Revision ID: 029_channel_handle
Revises: 028_custom_id_any_case
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "029_channel_handle"
down_revision: str | None = "028_custom_id_any_case"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """channel.handle (nullable) and idx_channel_handle on lower(handle)."""
    op.add_column("channel", sa.Column("handle", sa.String(length=100), nullable=True))
    op.create_index("idx_channel_handle", "channel", [sa.text("lower(handle::text)")])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("idx_channel_handle", table_name="channel")
    op.drop_column("channel", "handle")
