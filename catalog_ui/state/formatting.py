"""How values look on a page: numbers with separators, times as ISO UTC (the browser shows local time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def display_value(value: Any) -> str:
    """A cell's text: '' for None, '1,234' for ints, 'A · B' for lists, ISO for times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return " · ".join(str(item) for item in value)
    return str(value)


def display_row(row: dict[str, Any]) -> dict[str, str]:
    """Every value of `row` through `display_value`."""
    return {key: display_value(value) for key, value in row.items()}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 field', '2 fields', '1,204 videos' (`plural` when adding an s is wrong)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
