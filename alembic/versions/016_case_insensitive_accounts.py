"""Case-insensitive accounts: one account per e-mail address and per username, whatever their case.

Sign-in and the users page match e-mails and usernames in any case (`lower(…)`); the checks before an
insert could not stop two admins creating `Ana` and `ana` at the same moment, and the lookups read the
whole table. These unique indexes on `lower(email)` and `lower(username)` do both jobs. A database that
already holds two accounts differing only in case stops the upgrade, naming them: an admin decides which
one stays (rename or delete the other, then upgrade again).

Revision ID: 016_case_insensitive_accounts
Revises: 015_hidden_videos_index
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "016_case_insensitive_accounts"
down_revision: str | None = "015_hidden_videos_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("email", "username")


def upgrade() -> None:
    """Refuse clearly when accounts clash by case; otherwise add the two unique indexes."""
    connection = op.get_bind()
    for column in COLUMNS:
        clashes = (
            connection.execute(
                sa.text(
                    f"SELECT string_agg({column}, ', ' ORDER BY id) FROM \"user\" "
                    f"GROUP BY lower({column}) HAVING count(*) > 1"
                )
            )
            .scalars()
            .all()
        )
        if clashes:
            raise RuntimeError(
                f"These accounts have the same {column} but for letter case: {'; '.join(clashes)}. "
                "Rename or delete all but one of each, then run the upgrade again."
            )
    for column in COLUMNS:
        op.create_index(f"idx_user_{column}_lower", "user", [sa.text(f"lower({column})")], unique=True)


def downgrade() -> None:
    """Drop the two indexes."""
    for column in COLUMNS:
        op.drop_index(f"idx_user_{column}_lower", table_name="user")
