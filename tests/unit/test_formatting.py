"""How counts read on the pages: the noun agrees with the number."""

from __future__ import annotations

import pytest

from catalog_ui.state.formatting import counted


@pytest.mark.parametrize(
    ("count", "noun", "plural", "text"),
    [
        (1, "field", None, "1 field"),
        (0, "field", None, "0 fields"),
        (1204, "video", None, "1,204 videos"),
        (2, "entry", "entries", "2 entries"),
        (1, "entry", "entries", "1 entry"),
    ],
)
def test_counted(count: int, noun: str, plural: str | None, text: str) -> None:
    assert counted(count, noun, plural) == text
