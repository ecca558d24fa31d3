"""Account changes: who created an account, granted or revoked the admin role, (de)activated it, set its
password or ended its sessions, and when. Before, none of it left a trace.

Revision ID: 026_account_changes
Revises: 025_channel_sort
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "026_account_changes"
down_revision: str | None = "025_channel_sort"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = (
    "created",
    "admin_granted",
    "admin_revoked",
    "deactivated",
    "reactivated",
    "password_set",
    "sessions_revoked",
)


def upgrade() -> None:
    op.create_table(
        "account_change",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "action IN (" + ", ".join(f"'{a}'" for a in ACTIONS) + ")",
            name=op.f("ck_account_change_action_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_account_change_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_account_change_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_change")),
    )
    op.create_index("idx_account_change_user", "account_change", ["user_id"], unique=False)
    op.create_index("idx_account_change_actor", "account_change", ["actor_id"], unique=False)


def downgrade() -> None:
    op.drop_table("account_change")
