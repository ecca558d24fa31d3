"""Reflex states outside a browser, for integration tests: a page's state signed in as a given session."""

from __future__ import annotations

from typing import Any

from reflex.istate.data import RouterData
from reflex.state import BaseState, State

import catalog_ui.catalog_ui  # noqa: F401 - registers every page and state
from catalog_ui.services.auth import SESSION_COOKIE


def with_session_cookie(state: BaseState, token: str) -> Any:
    """`state`, as if its browser's websocket had been opened with the session cookie `token` (the Cookie
    header of the handshake, where the app reads the token); returns `state`."""
    state.router = RouterData.from_router_data(
        {"headers": {"cookie": f"theme=dark; {SESSION_COOKIE}={token}"}}
    )
    return state


def state_for(cls: type[BaseState], token: str) -> Any:
    """An instance of the state `cls` whose browser holds the session `token` (from `auth.open_session`);
    call its handlers through `.fn(state, …)`."""
    root = State(_reflex_internal_init=True)
    return with_session_cookie(root.get_substate(cls.get_full_name().split(".")[1:]), token)
