"""How the video grid shows service results: cell text, column headers, facet options, filter chips.

Pure functions from service data to the small typed records the page renders; no database, no Reflex
state. Counts that are estimates read "≈ 12,000"; totals read "12,345 videos" or "about 980,000 videos".
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from catalog_ui.models.video import FIELD_GROUPS
from catalog_ui.services.facets import GridSummary, Total
from catalog_ui.services.grid_columns import COLUMNS, LAST_SYNCED
from catalog_ui.services.grid_view import CHOICE_FACETS, VALUE_FACETS, GridView, VideoFilter
from catalog_ui.services.pasted_ids import PastedIds
from catalog_ui.state.formatting import display_value

SHOWN_OPTIONS = 8
NBSP = "\u00a0"

VALUE_FACET_LABELS = {
    "channel": "Channel",
    "category": "Category",
    "privacy": "Privacy",
    "claim": "Claim status",
}
CHOICE_LABELS = {
    "other_owner": "Claimed by another owner",
    "short": "Short",
    "live": "Live stream",
    "administered": "Administered",
    "has_isrc": "Has ISRC",
    "has_upc": "Has UPC",
}
CHOICE_GROUPS = {
    "other_owner": "Rights",
    "has_isrc": "Rights",
    "has_upc": "Rights",
    "short": "Type",
    "live": "Type",
    "administered": "Flags",
}


@dataclasses.dataclass
class ColumnView:
    """A visible column header."""

    key: str
    label: str
    kind: str
    sortable: bool


@dataclasses.dataclass
class ChooserItem:
    """A column in the column chooser."""

    key: str
    label: str
    group: str
    checked: bool


@dataclasses.dataclass
class FacetOptionView:
    """One value of a value facet, with its count."""

    value: str
    label: str
    count: str
    selected: bool


@dataclasses.dataclass
class ValueFacetView:
    """A multi-value facet (channel, category, privacy, claim status)."""

    key: str
    label: str
    options: list[FacetOptionView]
    more: int  # options not shown until expanded


@dataclasses.dataclass
class ChoiceFacetView:
    """A yes/no facet: its current value ("any", "yes", "no") and the counts of each answer."""

    key: str
    label: str
    group: str
    value: str
    yes: str
    no: str


@dataclasses.dataclass
class ChipView:
    """An active filter, removable from the chip row."""

    key: str
    value: str
    label: str


def choice_label(facet: str) -> str:
    """The label of a choice facet (monetization flags use the grid column labels)."""
    return CHOICE_LABELS.get(facet) or COLUMNS[facet].label


def count_text(count: int, exact: bool) -> str:
    """'1,234', or '≈ 1,200' for an estimate (two significant digits)."""
    if exact or count < 100:
        return f"{count:,}" if exact else f"≈ {count:,}"
    digits = len(str(count)) - 2
    return f"≈ {round(count, -digits):,}"


def total_label(total: Total) -> str:
    """'1 video', '12,345 videos' or 'about 980,000 videos'."""
    noun = "video" if total.value == 1 else "videos"
    if total.exact:
        return f"{total.value:,} {noun}"
    return f"about {count_text(total.value, False).removeprefix('≈ ')} {noun}"


def pasted_ids_label(report: PastedIds | None) -> str:
    """'37 of 40 ids found' above the grid for a pasted list ('' for no list), and how many ids past the
    limit were not looked for."""
    if report is None:
        return ""
    label = f"{report.found:,} of {report.looked_for:,} ids found"
    if report.not_looked_for:
        label += f" ({report.not_looked_for:,} more pasted, not looked for: at most {report.looked_for:,})"
    return label


def duration_text(seconds: Any) -> str:
    """'3:25' or '1:02:03' for a length in seconds ('' when unknown)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def display_row(
    row: dict[str, Any], columns: tuple[str, ...], syncs: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """A grid row as cell text, plus the raw admin fields the row's actions need."""
    video_id = row["video_id"]
    cells: dict[str, str] = {"video_id": video_id}
    for key in columns:
        if key == LAST_SYNCED:
            sync = syncs.get(video_id) or {}
            when = sync.get("last_synced")
            cells[key] = when.isoformat() if isinstance(when, datetime) else ""
            cells["last_changes"] = ", ".join(sorted((sync.get("last_changes") or {}).keys()))
        elif key == "video_length":
            cells[key] = duration_text(row.get(key))
        else:
            cells[key] = display_value(row.get(key))
    cells["is_hidden"] = "1" if row.get("hidden") else ""
    cells["is_administered"] = "1" if row.get("administered") else ""
    cells["notes_text"] = row.get("notes") or ""
    return cells


def column_views(columns: tuple[str, ...]) -> list[ColumnView]:
    """Headers of the visible columns."""
    return [ColumnView(key, COLUMNS[key].label, COLUMNS[key].kind, COLUMNS[key].sortable) for key in columns]


def chooser_items(columns: tuple[str, ...]) -> list[ChooserItem]:
    """Every column, grouped as the seed groups the fields, with the visible ones checked."""
    return [ChooserItem(c.key, c.label, c.group, c.key in columns) for c in COLUMNS.values()]


def column_groups() -> list[str]:
    """The chooser's group names, in order."""
    return list(FIELD_GROUPS)


def value_facets(summary: GridSummary, flt: VideoFilter, expanded: list[str]) -> list[ValueFacetView]:
    """The value facets with their options: most frequent first, selected ones always listed."""
    views = []
    for facet in VALUE_FACETS:
        counts = summary.facets.get(facet, {})
        selected = set(flt.selected(facet))
        ordered = sorted(counts.items(), key=lambda item: (item[0] not in selected, -item[1], item[0]))
        shown = ordered if facet in expanded else ordered[: max(SHOWN_OPTIONS, len(selected))]
        options = [
            FacetOptionView(value, value or "(none)", count_text(n, summary.exact), value in selected)
            for value, n in shown
        ]
        views.append(ValueFacetView(facet, VALUE_FACET_LABELS[facet], options, len(ordered) - len(shown)))
    return views


def choice_facets(summary: GridSummary, flt: VideoFilter) -> list[ChoiceFacetView]:
    """The yes/no facets with their counts and current value."""
    views = []
    for facet in CHOICE_FACETS:
        counts = summary.facets.get(facet, {})
        value = flt.choice(facet)
        views.append(
            ChoiceFacetView(
                key=facet,
                label=choice_label(facet),
                group=CHOICE_GROUPS.get(facet, "Monetization"),
                value="any" if value is None else ("yes" if value else "no"),
                yes=_answer("Yes", count_text(counts.get("true", 0), summary.exact)),
                no=_answer("No", count_text(counts.get("false", 0), summary.exact)),
            )
        )
    return views


def _answer(word: str, count: str) -> str:
    """'Yes · 12,345': an answer and its count, joined by no-break spaces except after the dot, so that a
    long count goes under its answer in the narrow filter panel ('Yes ·' / '≈ 520,000')."""
    return f"{word}{NBSP}· {count.replace(' ', NBSP)}"


def hidden_counts(summary: GridSummary) -> str:
    """'12 hidden' (admins see how many hidden videos the other filters match)."""
    hidden = summary.facets.get("hidden", {}).get("true", 0)
    return f"{count_text(hidden, summary.exact)} hidden"


def chips(view: GridView) -> list[ChipView]:
    """The active filters as removable chips."""
    flt = view.filter
    items: list[ChipView] = []
    if flt.q:
        items.append(ChipView("q", "", f"Search: {flt.q}"))
    for channel_id in flt.channel_ids:
        items.append(ChipView("channel_id", channel_id, f"Channel ID: {channel_id}"))
    for facet, selected in flt.values:
        items.extend(ChipView(facet, v, f"{VALUE_FACET_LABELS[facet]}: {v or '(none)'}") for v in selected)
    for facet, value in flt.choices:
        items.append(ChipView(facet, "", f"{choice_label(facet)}: {'Yes' if value else 'No'}"))
    if flt.hidden != "exclude":
        items.append(ChipView("hidden", "", "Hidden: included" if flt.hidden == "include" else "Hidden only"))
    if flt.published_from or flt.published_to:
        low = flt.published_from.isoformat() if flt.published_from else "…"
        high = flt.published_to.isoformat() if flt.published_to else "…"
        items.append(ChipView("published", "", f"Published {low} – {high}"))
    if flt.views_min is not None or flt.views_max is not None:
        low = f"{flt.views_min:,}" if flt.views_min is not None else "0"
        high = f"{flt.views_max:,}" if flt.views_max is not None else "…"
        items.append(ChipView("views", "", f"Views {low} – {high}"))
    return items
