"""Reflex states outside a browser, for integration tests: a page's state signed in as a given session."""

from __future__ import annotations

from typing import Any

from reflex.state import BaseState, State

import catalog_ui.catalog_ui  # noqa: F401 - registers every page and state


def state_for(cls: type[BaseState], token: str) -> Any:
    """An instance of the state `cls` whose browser holds the session `token` (from `auth.open_session`);
    call its handlers through `.fn(state, …)`."""
    root = State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.session_token = token
    return state
