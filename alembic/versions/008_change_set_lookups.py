"""Change set lookups for the /audit page: by kind, by user, and "which rollback undid this set".

Revision ID: 008_change_set_lookups
Revises: 007_queue_leases
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "008_change_set_lookups"
down_revision: str | None = "007_queue_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index change sets by (kind, id), (user_id, id) and, where set, by the change set they revert."""
    op.create_index("idx_change_set_kind", "change_set", ["kind", "id"])
    op.create_index("idx_change_set_user", "change_set", ["user_id", "id"])
    op.create_index(
        "idx_change_set_reverts",
        "change_set",
        ["reverts_change_set_id"],
        postgresql_where=sa.text("reverts_change_set_id IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the three indexes."""
    op.drop_index("idx_change_set_reverts", table_name="change_set")
    op.drop_index("idx_change_set_user", table_name="change_set")
    op.drop_index("idx_change_set_kind", table_name="change_set")
