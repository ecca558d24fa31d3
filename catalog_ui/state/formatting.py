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
