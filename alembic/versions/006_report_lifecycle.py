"""Report lifecycle: source, object identity, progress counters, rejected rows; `video.values_as_of`.

Revision ID: 006_report_lifecycle
Revises: 005_change_sets_and_archives
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "006_report_lifecycle"
down_revision: str | None = "005_change_sets_and_archives"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = (
    "rows_read",
    "rows_inserted",
    "rows_updated",
    "rows_unchanged",
    "rows_stale",
    "rows_rejected",
    "rows_skipped",
)


def _lifecycle_columns() -> list[sa.Column]:
    return [
        sa.Column("source", sa.String(length=20), server_default="s3", nullable=False),
        sa.Column("bucket", sa.String(length=255), nullable=True),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("report_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bytes_read", sa.BigInteger(), server_default="0", nullable=False),
        *(sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in COUNTERS),
        sa.Column("columns_ignored", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    ]


def upgrade() -> None:
    """Add the lifecycle columns to `report` and `report_archive`, and the `report_rejection` table."""
    for table in ("report", "report_archive"):
        for column in _lifecycle_columns():
            op.add_column(table, column)
        op.create_check_constraint(
            op.f(f"ck_{table}_source_allowed"), table, "source IN ('s3', 'upload', 'path')"
        )
        op.create_foreign_key(
            op.f(f"fk_{table}_uploaded_by_user"), table, "user", ["uploaded_by"], ["id"], ondelete="SET NULL"
        )
    op.create_unique_constraint("uq_report_object", "report", ["filename", "etag"])

    op.create_table(
        "report_rejection",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_rejection_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_rejection")),
    )
    op.create_index(
        "idx_report_rejection_report_line", "report_rejection", ["report_id", "line"], unique=False
    )
    op.add_column("video", sa.Column("values_as_of", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Remove the lifecycle columns and the rejections."""
    op.drop_column("video", "values_as_of")
    op.drop_table("report_rejection")
    op.drop_constraint("uq_report_object", "report", type_="unique")
    for table in ("report", "report_archive"):
        op.drop_constraint(op.f(f"fk_{table}_uploaded_by_user"), table, type_="foreignkey")
        op.drop_constraint(op.f(f"ck_{table}_source_allowed"), table, type_="check")
        for column in _lifecycle_columns():
            op.drop_column(table, column.name)
