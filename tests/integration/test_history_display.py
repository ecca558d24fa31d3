"""How history entries read: source sentences, created markers, list and long-text diffs, labels."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog_ui.models.audit import CREATED
from catalog_ui.services.field_labels import field_label
from catalog_ui.services.history import FieldChange, TimelineEntry
from catalog_ui.state.history_display import change_row, source_text, timeline_row, value_text

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _entry(kind: str | None, changes: dict, **values) -> TimelineEntry:
    fields = {
        "label": None,
        "reason": None,
        "user": None,
        "video_count": 1,
        "reverts_change_set_id": None,
        "change_set_id": 7 if kind else None,
        **values,
    }
    return TimelineEntry(
        id=1,
        video_id="vid00000001",
        video_title="Song",
        sync_time=AT,
        archived=False,
        changes=[FieldChange(f, old, new) for f, (old, new) in changes.items()],
        kind=kind,
        **fields,
    )


def test_source_sentences() -> None:
    bulk = _entry(
        "bulk",
        {"hidden": [False, True]},
        label="Hide: 1,205 videos",
        user="ana",
        video_count=1205,
        reason="takedown batch",
    )
    assert source_text(bulk) == "Hidden by ana with 1,204 others — reason: takedown batch"
    assert (
        source_text(_entry("user", {"administered": [True, False]}, user="bo"))
        == "Unmarked administered by bo"
    )
    assert source_text(_entry("user", {"notes": [None, "x"]}, user="bo")) == "Notes edited by bo"
    assert source_text(_entry("user", {"hidden": [True, False]}, user=None)) == "Unhidden by a deleted user"
    assert (
        source_text(_entry("report", {"views": [1, 2]}, label="day2.csv", video_count=2))
        == "Report day2.csv with 1 other"
    )
    assert source_text(_entry("task", {"views": [1, 2]}, label="metadata_sync")) == "Task metadata_sync"
    rollback = _entry("rollback", {"views": [2, 1]}, label="Undo change set #3 (report day2.csv)", user="ana")
    assert source_text(rollback) == "Undo change set #3 (report day2.csv) by ana"
    assert source_text(_entry(None, {"views": [1, 2]})) == "Unknown source"


def test_created_entries_read_as_a_sentence() -> None:
    row = timeline_row(_entry("report", {CREATED: [None, "report"]}, label="day1.csv"))
    assert row.created and row.kind == "report" and row.change_set_id == 7
    assert [(c.field, c.new) for c in row.changes] == [(CREATED, "Created by report day1.csv")]
    assert row.time == "2026-03-01T08:00:00+00:00" and row.title == "Song"


def test_diffs_of_lists_long_texts_numbers_and_times() -> None:
    artists = change_row("artist", ["A", "B"], ["A", "C", "D"])
    assert (artists.old, artists.new, artists.removed, artists.added) == (
        "A · B",
        "A · C · D",
        ["B"],
        ["C", "D"],
    )
    policy = change_row("effective_policy", "short", "x" * 81)
    assert policy.block and not change_row("title", "a", "b").block
    # Notes of a few short lines keep their lines: a block, whose text keeps line breaks.
    assert change_row("notes", None, "Label: Nova\nCheck the ISRC").block
    assert change_row("notes", "Line one\nLine two", None).block
    assert (change_row("views", 1000, 1500000).old, change_row("views", 1000, 1500000).new) == (
        "1,000",
        "1,500,000",
    )
    assert change_row("video_length", 59, 3725).new == "1:02:05"
    stamp = change_row("administered_at", None, "2026-03-01T08:00:00+00:00")
    assert (stamp.is_time, stamp.old, stamp.new) == (True, "", "2026-03-01T08:00:00+00:00")
    assert value_text("hidden", True) == "Yes" and value_text("is_short", False) == "No"
    assert [
        field_label(f)
        for f in ("isrc", "claimed_by_another_owner", "prerolls_enabled", "third_party_ads_enabled")
    ] == [
        "ISRC",
        "Claimed by another owner",
        "Prerolls",
        "Third-party ads",
    ]
