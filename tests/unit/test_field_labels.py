"""Readable field names, and the rollback labels that name fields by them."""

from __future__ import annotations

from catalog_ui.services.audit import VIDEO_FIELDS
from catalog_ui.services.field_labels import field_list
from catalog_ui.services.rollback import LABEL_LENGTH, _entry_label


def test_field_list_reads_as_a_sentence() -> None:
    assert field_list([]) == ""
    assert field_list(["hidden"]) == "Hidden"
    assert field_list(["views", "administered_at", "administered"]) == (
        "Administered, Administered at and Views"
    )


def test_a_rollback_label_names_readable_fields_and_fits_its_column() -> None:
    assert _entry_label("vid00000001", {"isrc", "third_party_ads_enabled"}, 3) == (
        "Revert ISRC and Third-party ads of vid00000001 (change set #3)"
    )
    assert _entry_label("vid00000001", {"hidden"}, None) == "Revert Hidden of vid00000001"
    # Every field of a video would not fit the change set's label: they are counted instead.
    assert _entry_label("vid00000001", set(VIDEO_FIELDS), 3) == (
        f"Revert {len(VIDEO_FIELDS)} fields of vid00000001 (change set #3)"
    )
    assert LABEL_LENGTH == 255
