"""README documents what a newcomer needs: the two commands and every setting."""

from __future__ import annotations

from pathlib import Path

from catalog_ui.settings import Settings
from catalog_ui.settings_doc import settings_markdown

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_readme_lists_every_setting() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert not missing, (
        f"README's configuration table lacks {missing}: python -m catalog_ui settings --markdown"
    )


def test_readme_table_is_the_generated_one() -> None:
    # The descriptions carry each setting's limits (REPORT_SCAN_INTERVAL_S at least 5, …): keep them shown.
    assert settings_markdown() in README, (
        "regenerate README's table: python -m catalog_ui settings --markdown"
    )
