"""What a plain user's browser can send to the grid's handlers over the websocket, whatever the page's
controls allow: values the server must bound or clean itself, instead of storing or querying them as sent."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.state.videos import MAX_SELECTED, VideosState
from tests.states import state_for


def test_a_selected_id_that_no_video_can_have_is_not_kept(session: Session, token: str) -> None:
    # Each id stays in the tab's state (stored and sent with every event): 10,000 of a megabyte each was
    # gigabytes held for one plain user. Video ids are at most 20 characters (the catalog schema).
    state = state_for(VideosState, token)
    VideosState.toggle_row.fn(state, "x" * 100_000, True)
    VideosState.toggle_row.fn(state, ["not", "an", "id"], True)
    VideosState.toggle_row.fn(state, "dQw4w9WgXcQ", True)
    assert state.selected == ["dQw4w9WgXcQ"]
    assert MAX_SELECTED == 10_000


def test_a_facet_value_is_cleaned_like_the_urls(session: Session, token: str) -> None:
    # A NUL (which PostgreSQL refuses in text) made the handler fail with a traceback; a value of any length
    # went into the query and the URL. The URL's values are cleaned (clean_value): so are the handler's.
    session.execute(
        text("INSERT INTO video (video_id, title, category) VALUES ('vid00000001', 'A', 'Music')")
    )
    session.commit()
    state = state_for(VideosState, token)
    VideosState.toggle_value.fn(state, "category", "Mu\x00sic")
    VideosState.toggle_value.fn(state, "channel", "y" * 10_000)
    flt = state._view.filter
    assert flt.selected("category") == ("Music",)
    assert [len(v) for v in flt.selected("channel")] == [200]
    assert state.rows == []  # no video is both in the channel and the category
