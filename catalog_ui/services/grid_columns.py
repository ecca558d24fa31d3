"""The columns the video grid can show: every seed field plus "last synced", with label, kind and CSV header.

One table for the grid, the column chooser and the export. A column's `kind` says how a cell looks (a link,
a badge, a number…); its `header` is the CMS "Videos" report name (`video_title` for `title`), so an export
reads like the reports it came from; fields no report carries keep their own name.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog_ui.models.video import FIELD_GROUPS
from catalog_ui.services.report_columns import REPORT_COLUMNS

LAST_SYNCED = "last_synced"

# Human labels; anything missing falls back to the field name with spaces.
_LABELS = {
    "video_id": "Video ID",
    "asset_id": "Asset ID",
    "custom_id": "Custom ID",
    "channel_id": "Channel ID",
    "title": "Title",
    "artist": "Artist",
    "genre": "Genre",
    "label": "Label",
    "channel_display_name": "Channel",
    "category": "Category",
    "upc": "UPC",
    "isrc": "ISRC",
    "claimed_status": "Claim status",
    "claimed_by_another_owner": "Claimed by another owner",
    "other_owners_claiming": "Other owners claiming",
    "third_party_ads_enabled": "Third-party ads",
    "display_ads_enabled": "Display ads",
    "sponsored_cards_enabled": "Sponsored cards",
    "overlay_ads_enabled": "Overlay ads",
    "nonskippable_video_ads_enabled": "Non-skippable ads",
    "long_nonskippable_video_ads_enabled": "Long non-skippable ads",
    "skippable_video_ads_enabled": "Skippable ads",
    "prerolls_enabled": "Pre-rolls",
    "midrolls_enabled": "Mid-rolls",
    "postrolls_enabled": "Post-rolls",
    "embedding_allowed": "Embedding",
    "ratings_allowed": "Ratings",
    "comments_allowed": "Comments",
    "privacy_status": "Privacy",
    "effective_policy": "Effective policy",
    "video_length": "Length",
    "views": "Views",
    "hidden": "Hidden",
    "administered": "Administered",
    "administered_at": "Administered at",
    "is_short": "Short",
    "is_live_stream": "Live stream",
    "upload_source": "Upload source",
    "time_published": "Published",
    "updated_at": "Updated",
    "notes": "Notes",
    LAST_SYNCED: "Last synced",
}

_KINDS = {
    "video_id": "link",
    "asset_id": "code",
    "custom_id": "code",
    "channel_id": "code",
    "upc": "code",
    "isrc": "code",
    "artist": "list",
    "genre": "list",
    "privacy_status": "badge",
    "claimed_status": "badge",
    "views": "number",
    "video_length": "duration",
    "administered_at": "time",
    "time_published": "time",
    "updated_at": "time",
    LAST_SYNCED: "time",
}

# Preferred CMS header per column when several report names map to it (modern names first).
_CMS_PREFERRED = ("video_title", "channel_display_name", "time_published", "video_length", "views")


@dataclass(frozen=True)
class GridColumn:
    """One column of the grid: `key` is the video field (or `last_synced`)."""

    key: str
    label: str
    group: str
    kind: str
    header: str
    sortable: bool


def _cms_header(field: str) -> str:
    names = [name for name, spec in REPORT_COLUMNS.items() if spec.column == field]
    for preferred in _CMS_PREFERRED:
        if preferred in names:
            return preferred
    return names[0] if names else field


def _build() -> dict[str, GridColumn]:
    columns: dict[str, GridColumn] = {}
    for group, fields in FIELD_GROUPS.items():
        for field in fields:
            columns[field] = GridColumn(
                key=field,
                label=_LABELS.get(field, field.replace("_", " ").capitalize()),
                group=group,
                kind=_KINDS.get(field, "text"),
                header=_cms_header(field),
                sortable=True,
            )
    columns[LAST_SYNCED] = GridColumn(
        key=LAST_SYNCED,
        label=_LABELS[LAST_SYNCED],
        group="Housekeeping",
        kind="time",
        header=LAST_SYNCED,
        sortable=True,  # by `updated_at`, which every writer of history keeps equal to it (video_search.sort_key)
    )
    return columns


COLUMNS: dict[str, GridColumn] = _build()


def clean_columns(keys: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Known column keys of `keys`, in the grid's canonical order, without duplicates; video_id always first."""
    wanted = set(keys) | {"video_id"}
    return tuple(key for key in COLUMNS if key in wanted)


DEFAULT_COLUMNS: tuple[str, ...] = clean_columns(
    (
        "video_id",
        "title",
        "channel_display_name",
        "views",
        "privacy_status",
        "claimed_status",
        "time_published",
    )
)
