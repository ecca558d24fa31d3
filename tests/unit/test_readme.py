"""README documents what a newcomer needs: the two commands and every setting."""

from __future__ import annotations

from pathlib import Path

from catalog_ui.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_readme_lists_every_setting() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert not missing, (
        f"README's configuration table lacks {missing}: python -m catalog_ui settings --markdown"
    )
