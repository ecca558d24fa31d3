"""Readable names of video fields ("Claimed by another owner" for `claimed_by_another_owner`).

One table for every place that names a field to a person: the history and audit views (through the state
layer) and the labels services store, such as a rollback's change set.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog_ui.models.audit import CREATED

_LABELS = {
    "video_id": "Video ID",
    "asset_id": "Asset ID",
    "custom_id": "Custom ID",
    "channel_id": "Channel ID",
    "channel_display_name": "Channel",
    "upc": "UPC",
    "isrc": "ISRC",
    "video_length": "Length",
    "is_short": "Short",
    "is_live_stream": "Live stream",
    "third_party_ads_enabled": "Third-party ads",
    "time_published": "Published",
    "updated_at": "Updated",
    CREATED: "Created",
}


def field_label(field: str) -> str:
    """'claimed_by_another_owner' → 'Claimed by another owner'; known acronyms spelled out."""
    if field in _LABELS:
        return _LABELS[field]
    text = field.removesuffix("_enabled").replace("_", " ")
    return text[:1].upper() + text[1:]


def field_list(fields: Iterable[str]) -> str:
    """The fields' labels as a sentence, in alphabetical order: 'Artist, Title and Views'."""
    labels = sorted({field_label(f) for f in fields})
    return " and ".join(filter(None, [", ".join(labels[:-1]), *labels[-1:]]))
