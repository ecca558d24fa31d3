"""A detail page's argument comes from the last segment of the address."""

from __future__ import annotations

import pytest

from catalog_ui.state.routing import path_tail


@pytest.mark.parametrize(
    ("path", "tail"),
    [
        ("/videos/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("/videos/-A-EZOtMUuU/", "-A-EZOtMUuU"),
        ("/reports/12", "12"),
        ("/catalog/reports/12", "12"),  # under a frontend_path prefix
        ("/videos/a%20b", "a b"),
        ("/", ""),
        ("", ""),
    ],
)
def test_path_tail(path: str, tail: str) -> None:
    assert path_tail(path) == tail
