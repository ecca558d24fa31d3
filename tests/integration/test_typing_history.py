"""A search typed into a box is one history entry, however slow the server answers: the pause that ends a
typed run is the typist's, measured from when the last view was shown (`url_history.typing_continues`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.state import url_history
from catalog_ui.state.audit import AuditState
from catalog_ui.state.channels import ChannelsState
from catalog_ui.state.queue import QueueState
from catalog_ui.state.videos import VideosState
from tests.states import state_for

SLOW_SEARCH_S = 3.0  # longer than a typing pause (TYPING_PAUSE_S)
BETWEEN_KEYS_S = 0.2

# (state, the handler a box's typing calls, the method its work goes through, two values typed in turn)
BOXES = [
    (VideosState, "set_search", "_with_filter", ("gold", "golden")),
    (ChannelsState, "set_search", "_fetch", ("nov", "nova")),
    (QueueState, "set_video_filter", "_fetch_tasks", ("abc", "abcd")),
    (AuditState, "set_since", "_apply", ("2026-01-01", "2026-01-02")),
]


class SlowServer:
    """A clock for `url_history` that the typist and a slow search move on."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def slowed(self, work: Callable[..., Any]) -> Callable[..., Any]:
        def slow(*args: Any, **kwargs: Any) -> Any:
            result = work(*args, **kwargs)
            self.now += SLOW_SEARCH_S
            return result

        return slow


def _state(session: Session, cls: type) -> Any:
    user = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    return state_for(cls, token)


def _script(event: Any) -> str:
    return str(event.args)


@pytest.mark.parametrize(("cls", "handler", "work", "values"), BOXES, ids=[b[0].__name__ for b in BOXES])
def test_typing_during_a_slow_search_stays_one_history_entry(
    session: Session, monkeypatch: pytest.MonkeyPatch, cls: type, handler: str, work: str, values: tuple
) -> None:
    clock = SlowServer()
    monkeypatch.setattr(url_history, "_clock", lambda: clock.now)
    monkeypatch.setattr(cls, work, clock.slowed(getattr(cls, work)))
    state = _state(session, cls)
    typed = getattr(cls, handler).fn

    first = typed(state, values[0])
    assert "pushState" in _script(first)  # a typed search starts an entry of its own

    clock.now += BETWEEN_KEYS_S  # the next keys came while the first search ran: no pause of the typist's
    second = typed(state, values[1])
    assert "pushState" not in _script(second)
    assert "replaceState(window.history.state" in _script(second)

    clock.now += url_history.TYPING_PAUSE_S + 0.1  # a real pause ends the run
    third = typed(state, values[0])
    assert "pushState" in _script(third)
