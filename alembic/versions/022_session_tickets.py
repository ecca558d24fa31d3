"""Session hand-off tickets: the session cookie becomes HttpOnly.

A sign-in happens over the websocket, which cannot set an HttpOnly cookie. It now opens the session with a
single-use ticket valid for a minute (only its SHA-256 is stored, with its expiry); the browser then goes
to `/api/session/start?ticket=…`, which redeems it and answers with the token in an HttpOnly cookie. A
session whose ticket is still set signs nobody in. Sessions opened before this revision have no ticket and
keep working.

Revision ID: 022_session_tickets
Revises: 021_video_field_as_of
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "022_session_tickets"
down_revision: str | None = "021_video_field_as_of"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_session", sa.Column("ticket_hash", sa.String(length=64), nullable=True))
    op.add_column("user_session", sa.Column("ticket_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("idx_user_session_ticket", "user_session", ["ticket_hash"], unique=True)


def downgrade() -> None:
    # Sessions still waiting for their ticket would sign in with a token nobody holds: end them.
    op.execute(
        "UPDATE user_session SET revoked_at = now() WHERE ticket_hash IS NOT NULL AND revoked_at IS NULL"
    )
    op.drop_index("idx_user_session_ticket", table_name="user_session")
    op.drop_column("user_session", "ticket_expires_at")
    op.drop_column("user_session", "ticket_hash")
