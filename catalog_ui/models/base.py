"""Shared pieces of the table models: naming convention, UTC timestamps, column type shortcuts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, text
from sqlmodel import SQLModel

# Stable constraint and index names, so Alembic revisions and `alembic check` agree across databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TIMESTAMPTZ = DateTime(timezone=True)
NOW = text("now()")


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def in_check(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    """SQL for a CHECK that `column` is one of `values` (or NULL when `nullable`)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    allowed = f"{column} IN ({quoted})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed
