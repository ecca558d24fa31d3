"""Search by a channel's handle on real PostgreSQL: `@name`, handle links and the legacy `/c/` and `/user/`
links find the channel's videos on /videos and the channel on /channels, whatever their case, through
idx_channel_handle; a handle no channel has is said so on both pages."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from catalog_ui.models import Channel, Video
from catalog_ui.services.auth import open_session
from catalog_ui.services.channel_handles import unknown_handles_note
from catalog_ui.services.channels import list_channels
from catalog_ui.services.grid_view import parse_view
from catalog_ui.services.pasted_ids import PastedIds, pasted_ids
from catalog_ui.services.users import create_user
from catalog_ui.services.video_search import SearchTerms, fetch_rows, search_clause
from catalog_ui.state.channels import ChannelsState
from catalog_ui.state.videos import VideosState
from tests.states import state_for

NOVA, ECHO, OLD = "UC" + "n" * 22, "UC" + "e" * 22, "UC" + "o" * 22


@pytest.fixture
def catalog(session: Session) -> Session:
    """Three channels: a handle, another handle, a legacy custom URL without "@"; a video or two each."""
    session.add(Channel(channel_id=NOVA, name="Nova Music", handle="@novamusic"))
    session.add(Channel(channel_id=ECHO, name="Echo Channel", handle="@echochannel"))
    session.add(Channel(channel_id=OLD, name="Old Label", handle="oldlabel"))
    session.flush()
    session.add(Video(video_id="novaVideo01", title="Golden Hearts", channel_id=NOVA))
    session.add(Video(video_id="novaHidden1", title="Golden Secret", channel_id=NOVA, hidden=True))
    # Named after the channel but not linked to it: a handle finds a channel's videos by id, not by name.
    session.add(Video(video_id="novaByName1", title="Nova Music Live", channel_display_name="Nova Music"))
    session.add(Video(video_id="echoVideo01", title="Midnight Rain", channel_id=ECHO))
    session.add(Video(video_id="oldVideo001", title="Archive", channel_id=OLD))
    session.commit()
    return session


def ids(session: Session, q: str, *, admin: bool = False) -> list[str]:
    view, _ = parse_view("q=" + quote(q))
    view = replace(view, filter=view.filter.for_viewer(admin), per_page=200)
    return sorted(row["video_id"] for row in fetch_rows(session, view, offset=0).rows)


# -- /videos ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "@novamusic",
        "@NovaMusic",  # YouTube stores handles lower-cased; any case typed finds it
        "https://www.youtube.com/@NovaMusic",
        "youtube.com/@NovaMusic/videos",
        "https://m.youtube.com/@novamusic/featured",
        "https://www.youtube.com/c/NovaMusic",  # legacy links: the handle without its "@"
        "https://www.youtube.com/user/novamusic",
    ],
)
def test_a_handle_or_handle_link_finds_its_channels_videos(catalog: Session, typed: str) -> None:
    assert ids(catalog, typed) == ["novaVideo01"]  # the hidden one stays out, the name-only one too
    assert ids(catalog, typed, admin=True) == ["novaVideo01"]
    assert unknown_handles_note(catalog, SearchTerms.parse(typed).handles) == ""


def test_a_legacy_custom_url_is_found_by_its_legacy_link_not_as_a_handle(catalog: Session) -> None:
    assert ids(catalog, "https://www.youtube.com/c/OldLabel") == ["oldVideo001"]
    assert ids(catalog, "youtube.com/user/oldlabel/videos") == ["oldVideo001"]
    assert ids(catalog, "@oldlabel") == []  # "@oldlabel" is another handle than the custom URL


def test_a_pasted_list_of_handles_and_ids_finds_every_one(catalog: Session) -> None:
    assert ids(catalog, "@NovaMusic\nhttps://www.youtube.com/@echochannel\noldVideo001") == [
        "echoVideo01",
        "novaVideo01",
        "oldVideo001",
    ]


def test_a_channel_link_finds_its_channels_videos(catalog: Session) -> None:
    assert ids(catalog, f"https://www.youtube.com/channel/{ECHO}/videos") == ["echoVideo01"]


def test_a_handle_finds_its_videos_in_a_sample_too(catalog: Session) -> None:
    # The facet counts' sample writes the conditions on the row itself (per_row).
    sample = Video.__table__.alias("sample")
    clause = search_clause("@NovaMusic", sample, per_row=True)
    found = catalog.execute(select(sample.c.video_id).where(clause)).scalars().all()
    assert sorted(found) == ["novaHidden1", "novaVideo01"]  # the hidden scope is a condition of its own


def test_a_handle_no_channel_has_finds_nothing_and_says_so(catalog: Session) -> None:
    assert ids(catalog, "@nobodyhere") == []
    terms = SearchTerms.parse("@NobodyHere https://www.youtube.com/@novamusic youtube.com/c/Gone")
    note = unknown_handles_note(catalog, terms.handles)
    assert note == "No channel has the handles @NobodyHere, Gone."
    assert unknown_handles_note(catalog, SearchTerms.parse("@NobodyHere").handles) == (
        "No channel has the handle @NobodyHere."
    )


def test_handles_in_a_pasted_list_are_not_counted_as_ids(catalog: Session) -> None:
    # A handle names a channel, not a video: the ids callout counts the ids only.
    report = pasted_ids(catalog, "@novamusic\nechoVideo01\nunknownVid1", can_see_hidden=False)
    assert report == PastedIds(looked_for=2, missing=("unknownVid1",))
    assert pasted_ids(catalog, "@novamusic @echochannel", can_see_hidden=False) is None


def test_a_handle_is_looked_up_through_its_index(catalog: Session) -> None:
    catalog.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        catalog.execute(
            text("EXPLAIN SELECT channel_id FROM channel WHERE lower(handle) = ANY(:forms)"),
            {"forms": ["@novamusic"]},
        ).scalars()
    )
    assert "idx_channel_handle" in plan, plan
    catalog.rollback()


def _signed_in(session: Session, cls: type, email: str) -> object:
    user = create_user(session, email, "correct-horse-42", admin=False)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    return state_for(cls, token)


def test_the_grid_says_when_a_handle_names_no_channel(catalog: Session) -> None:
    grid = _signed_in(catalog, VideosState, "bo@example.com")
    VideosState.set_search.fn(grid, "https://www.youtube.com/@NobodyHere")
    assert grid.handle_note == "No channel has the handle @NobodyHere."
    assert grid.rows == []
    VideosState.set_search.fn(grid, "@NovaMusic")
    assert grid.handle_note == ""
    assert [row["video_id"] for row in grid.rows] == ["novaVideo01"]


# -- /channels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "@NovaMusic",
        "@nova",  # typed so far: the channel shows while its handle is typed
        "https://www.youtube.com/@NovaMusic/videos",
        "youtube.com/c/NovaMusic",
        "https://www.youtube.com/user/novamusic",
    ],
)
def test_the_channels_page_finds_a_channel_by_its_handle(catalog: Session, typed: str) -> None:
    page = list_channels(catalog, search=typed)
    assert [row["channel_id"] for row in page.rows] == [NOVA]
    assert page.rows[0]["handle"] == "@novamusic"
    assert page.rows[0]["handle_url"] == "https://www.youtube.com/@novamusic"
    assert page.note == ""


def test_the_channels_page_links_a_legacy_custom_url(catalog: Session) -> None:
    rows = list_channels(catalog, search="https://www.youtube.com/c/OldLabel").rows
    assert [(row["channel_id"], row["handle_url"]) for row in rows] == [
        (OLD, "https://www.youtube.com/c/oldlabel")
    ]


def test_the_channels_page_says_when_a_handle_names_no_channel(catalog: Session) -> None:
    for typed in ("@NobodyHere", "https://www.youtube.com/@NobodyHere"):
        page = list_channels(catalog, search=typed)
        assert (page.total, page.note) == (0, "No channel has the handle @NobodyHere."), typed
    assert list_channels(catalog, search="nobody here").note == ""  # words: no handle, no note

    channels = _signed_in(catalog, ChannelsState, "ana@example.com")
    ChannelsState.set_search.fn(channels, "@NobodyHere")
    assert (channels.total, channels.note) == (0, "No channel has the handle @NobodyHere.")
    ChannelsState.set_search.fn(channels, "@EchoChannel")
    assert channels.note == "" and [row["handle"] for row in channels.rows] == ["@echochannel"]
