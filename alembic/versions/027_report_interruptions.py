"""Report interruptions: how many times the worker ingesting a report stopped before the report ended.

A report whose worker died (killed, out of memory, restarted) went back to pending and started again,
with no limit: a file that kills its worker every time (too large for its memory, say) went from
processing to pending and back forever, taking a worker each time, and its page never said why. Each
such stop is now counted, shown while the report waits, and the third ends the report in `error`.

Revision ID: 027_report_interruptions
Revises: 026_account_changes
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "027_report_interruptions"
down_revision: str | None = "026_account_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("report", "report_archive")


def upgrade() -> None:
    """Add `interruptions` (0) to the live and archived reports."""
    for table in TABLES:
        op.add_column(table, sa.Column("interruptions", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop `interruptions`."""
    for table in TABLES:
        op.drop_column(table, "interruptions")
