"""The README's configuration table, generated from the Settings fields (`python -m catalog_ui settings --markdown`)."""

from __future__ import annotations

from catalog_ui.settings import Settings


def settings_markdown() -> str:
    """A Markdown table: environment variable, default, meaning — one row per setting."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "—" if default is None else f"`{default}`"
        lines.append(f"| `{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(lines)
