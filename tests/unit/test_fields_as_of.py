"""`audit.fields_as_of`: the per-field times a YouTube sync leaves on a video (`video.field_as_of`)."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog_ui.services.audit import fields_as_of

EARLY = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_the_fields_written_get_the_fetch_time_and_the_others_keep_theirs() -> None:
    known = {"views": EARLY.isoformat(), "claimed_status": EARLY.isoformat()}

    assert fields_as_of(known, ["views", "title"], LATE) == {
        "views": LATE.isoformat(),
        "title": LATE.isoformat(),
        "claimed_status": EARLY.isoformat(),
    }
    assert known == {"views": EARLY.isoformat(), "claimed_status": EARLY.isoformat()}  # not changed in place


def test_a_fields_time_never_moves_back() -> None:
    # a fetch whose clock is behind an earlier one's must not make an older report look newer
    assert fields_as_of({"title": LATE.isoformat()}, ["title"], EARLY) == {"title": LATE.isoformat()}


def test_a_video_without_times_starts_from_none() -> None:
    assert fields_as_of(None, ["title"], EARLY) == {"title": EARLY.isoformat()}
