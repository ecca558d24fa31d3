"""`python -m catalog_ui settings` shows URLs without the passwords inside them, wherever they are written."""

from __future__ import annotations

import pytest

from catalog_ui.settings import Settings


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw-Secret@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db?password=pw-Secret", "postgresql://u@h/db?password=***"),
        (
            "postgresql://u@h/db?sslmode=require&sslpassword=pw-Secret&application_name=catalog",
            "postgresql://u@h/db?sslmode=require&sslpassword=***&application_name=catalog",
        ),
        ("postgresql://u:a@h/db?Token=pw-Secret&flag", "postgresql://u:***@h/db?Token=***&flag"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_passwords_inside_urls_are_masked(url: str, shown: str) -> None:
    assert Settings(_env_file=None, database_url=url).masked()["database_url"] == shown
