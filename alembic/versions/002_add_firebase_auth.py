"""Firebase sign-in: `user.firebase_uid` (unique) and `user.auth_method`.

Revision ID: 002_add_firebase_auth
Revises: 001_initial_schema
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "002_add_firebase_auth"
down_revision: str | None = "001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the Firebase columns; existing users keep the password method."""
    op.add_column("user", sa.Column("firebase_uid", sa.String(length=128), nullable=True))
    op.add_column(
        "user",
        sa.Column("auth_method", sa.String(length=20), server_default="flask-security", nullable=False),
    )
    op.create_unique_constraint(op.f("uq_user_firebase_uid"), "user", ["firebase_uid"])
    op.create_check_constraint(
        op.f("ck_user_auth_method_allowed"), "user", "auth_method IN ('flask-security', 'firebase')"
    )


def downgrade() -> None:
    """Remove the Firebase columns."""
    op.drop_constraint(op.f("ck_user_auth_method_allowed"), "user", type_="check")
    op.drop_constraint(op.f("uq_user_firebase_uid"), "user", type_="unique")
    op.drop_column("user", "auth_method")
    op.drop_column("user", "firebase_uid")
