"""Admin edits of hidden / administered / notes: one 'user' change set each, values checked, no-ops silent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog_ui.models import ChangeSet, MetadataSync, Video
from catalog_ui.services.users import create_user
from catalog_ui.services.video_detail import get_video_detail, thumbnail_url, youtube_url
from catalog_ui.services.video_flags import FlagError, set_administered, set_hidden, set_notes


@pytest.fixture
def ana(session):
    user = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    session.add(Video(video_id="vid00000001", title="Song", channel_display_name="Nova"))
    session.commit()
    return user


def _video(session) -> Video:
    session.expire_all()
    return session.execute(select(Video).where(Video.video_id == "vid00000001")).scalar_one()


def _change_sets(session) -> list[tuple[str, str, int | None, int]]:
    rows = session.execute(select(ChangeSet).order_by(ChangeSet.id)).scalars()
    return [(cs.kind, cs.label, cs.user_id, cs.video_count) for cs in rows]


def test_hiding_records_a_user_change_set_and_hides_the_video_from_non_admins(session, ana) -> None:
    assert set_hidden(session, "vid00000001", True, user_id=ana.id, reason="label request") == {
        "hidden": [False, True]
    }
    session.commit()
    assert _video(session).hidden is True
    assert _change_sets(session) == [("user", "Hide video", ana.id, 1)]
    assert session.execute(select(ChangeSet.reason)).scalar_one() == "label request"
    assert get_video_detail(session, "vid00000001", include_hidden=False) is None
    assert get_video_detail(session, "vid00000001", include_hidden=True).hidden is True

    assert set_hidden(session, "vid00000001", True, user_id=ana.id) == {}  # already hidden: nothing written
    session.commit()
    assert len(_change_sets(session)) == 1
    set_hidden(session, "vid00000001", False, user_id=ana.id)
    session.commit()
    assert _change_sets(session)[-1] == ("user", "Unhide video", ana.id, 1)


def test_administered_stamps_and_clears_its_time(session, ana) -> None:
    changes = set_administered(session, "vid00000001", True, user_id=ana.id)
    session.commit()
    video = _video(session)
    assert video.administered is True and video.administered_at is not None
    assert changes == {
        "administered": [False, True],
        "administered_at": [None, video.administered_at.isoformat()],
    }
    stamp = video.administered_at
    assert set_administered(session, "vid00000001", True, user_id=ana.id) == {}  # keeps the first stamp
    assert _video(session).administered_at == stamp
    set_administered(session, "vid00000001", False, user_id=ana.id)
    session.commit()
    video = _video(session)
    assert (video.administered, video.administered_at) == (False, None)
    assert [label for _, label, _, _ in _change_sets(session)] == ["Mark administered", "Unmark administered"]


def test_notes_are_trimmed_limited_to_500_characters_and_cleared_when_blank(session, ana) -> None:
    assert set_notes(session, "vid00000001", "  Takedown requested  ", user_id=ana.id) == {
        "notes": [None, "Takedown requested"]
    }
    set_notes(session, "vid00000001", "é" * 500, user_id=ana.id)
    session.commit()
    assert _video(session).notes == "é" * 500
    with pytest.raises(FlagError, match="Notes are limited to 500 characters; these have 501"):
        set_notes(session, "vid00000001", "x" * 501, user_id=ana.id)
    with pytest.raises(FlagError, match="Notes cannot contain NUL characters"):
        set_notes(session, "vid00000001", "a\x00b", user_id=ana.id)
    # A lone surrogate (half of an emoji) cannot be stored either: a message, not a DataError at flush.
    with pytest.raises(FlagError, match="Notes cannot contain NUL characters or unpaired surrogates"):
        set_notes(session, "vid00000001", "smile \ud83d", user_id=ana.id)
    session.rollback()
    set_notes(session, "vid00000001", "   ", user_id=ana.id)
    session.commit()
    assert _video(session).notes is None
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 3


def test_unknown_videos_are_a_clear_error(session, ana) -> None:
    for edit in (
        lambda: set_hidden(session, "nope'; --", True, user_id=ana.id),
        lambda: set_administered(session, "nope'; --", True, user_id=ana.id),
        lambda: set_notes(session, "nope'; --", "hi", user_id=ana.id),
    ):
        with pytest.raises(FlagError, match="Video nope'; -- is not in the catalog"):
            edit()
    session.rollback()
    assert _change_sets(session) == []
    assert get_video_detail(session, "x" * 1000, include_hidden=True) is None


def test_video_detail_groups_every_field_and_links_out(session, ana) -> None:
    detail = get_video_detail(session, "vid00000001", include_hidden=False)
    names = [name for name, _ in detail.groups]
    assert names == [
        "Identifiers",
        "Content",
        "Rights",
        "Claims",
        "Monetization",
        "Engagement",
        "Metadata",
        "Flags",
        "Housekeeping",
    ]
    assert dict(detail.groups[1][1])["title"] == "Song"
    assert detail.channel is None
    assert thumbnail_url("a/b?c") == "https://i.ytimg.com/vi/a%2Fb%3Fc/mqdefault.jpg"
    assert youtube_url("dQw4w9WgXcQ") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
