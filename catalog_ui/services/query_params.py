"""Reading and writing a list page's URL query: each value checked, a bad one dropped with a message.

A page's URL is its view (a reload, a bookmark or a link shows the same one), so parsing never fails:
an unknown or malformed value is left out, and a short message says so for the page to show.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from urllib.parse import parse_qs, urlencode

from catalog_ui.services.grid_view import clean_text, clean_value, parse_count

MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
FLAG_YES, FLAG_NO = ("1", "true", "yes"), ("0", "false", "no")


def non_default(*fields: tuple[str, str, str]) -> list[tuple[str, str]]:
    """The (key, value) pairs of `fields` (key, value, default) whose value is not the default: a page's
    bare address is its default view."""
    return [(key, value) for key, value, default in fields if value != default]


def page_url(path: str, params: Iterable[tuple[str, str]]) -> str:
    """`path` with `params` as its query (`path` alone when there are none)."""
    query = urlencode(list(params))
    return f"{path}?{query}" if query else path


class QueryReader:
    """One URL query's values, each read by its kind; `problems` lists what was ignored and why."""

    def __init__(self, query: str) -> None:
        self._params = parse_qs(query or "", max_num_fields=100)
        self.problems: list[str] = []

    def _raw(self, key: str) -> str | None:
        values = self._params.get(key)
        return values[0].strip() if values and values[0].strip() else None

    def _ignore(self, key: str, raw: str, hint: str) -> None:
        self.problems.append(f"Ignored {key}={clean_text(raw, 40)!r} in the address: {hint}.")

    def choice(self, key: str, allowed: Collection[str], default: str) -> str:
        """One of `allowed` (or `default`, which is always accepted); anything else gives `default`."""
        raw = self._raw(key)
        if raw is None or raw == default or raw in allowed:
            return raw or default
        self._ignore(key, raw, f"use one of {', '.join(a for a in allowed if a != default)}")
        return default

    def text(self, key: str, limit: int = 200, *, keep_blanks: bool = False) -> str:
        """Free text, made safe to send to PostgreSQL and cut to `limit` characters ('' when absent); runs of
        blanks inside become one unless `keep_blanks` (a value matched as stored, like `DJ  Snake`)."""
        raw = self._raw(key)
        return clean_value(raw, limit) if keep_blanks else clean_text(raw, limit)

    def page(self, key: str = "page") -> int:
        """A page number from 1 (absent: 1)."""
        raw = self._raw(key)
        if raw is None:
            return 1
        number = parse_count(raw)
        if not number:
            self._ignore(key, raw, "use a page number from 1")
            return 1
        return min(number, MAX_PAGE)

    def flag(self, key: str) -> bool:
        """Yes (1, true, yes) or no (0, false, no; absent: no)."""
        raw = self._raw(key)
        if raw is None or raw.lower() in FLAG_NO:
            return False
        if raw.lower() in FLAG_YES:
            return True
        self._ignore(key, raw, "use 1 or 0")
        return False

    def day(self, key: str) -> str:
        """A day as YYYY-MM-DD ('' when absent or not a date)."""
        raw = self._raw(key)
        if raw is None:
            return ""
        parsed = parse_day(raw)
        if parsed is None:
            self._ignore(key, raw, "use a date like 2024-03-05")
            return ""
        return parsed

    def identifier(self, key: str) -> int | None:
        """A row id (a whole number from 1), or None."""
        raw = self._raw(key)
        if raw is None:
            return None
        if not raw.isdecimal() or not 0 < int(raw) <= MAX_ID:
            self._ignore(key, raw, "use a number")
            return None
        return int(raw)


def parse_day(value: str | None) -> str | None:
    """`value` as a YYYY-MM-DD day, '' when blank, None when it is not a date."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None
