"""Every event handler of every State class checks the session on the server, and admin handlers the role.

New handlers are covered automatically: the walk finds them, and a handler without a guard mark fails.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from reflex.state import BaseState, State

import catalog_ui.catalog_ui  # noqa: F401 - registers every page and state
from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.state.guards import ADMIN, AUTHENTICATED, PUBLIC, access_level, is_passive
from tests.states import with_session_cookie


def _walk(cls: type[BaseState]) -> Iterator[type[BaseState]]:
    yield cls
    for sub in cls.get_substates():
        yield from _walk(sub)


HANDLERS = [
    (cls, name, handler.fn)
    for cls in _walk(State)
    for name, handler in cls.event_handlers.items()
    if handler.fn.__module__.startswith("catalog_ui")
]
# Reflex's own handlers, which the walk above leaves out (not the app's code): reviewed, and none reads or
# changes the app's data. `setvar(name, value)` calls the state's `set_<name>`: see
# test_setvar_reaches_only_guarded_handlers. The others hydrate the page, run its on_load handlers (each
# guarded), apply browser-storage vars (`rx.LocalStorage`/`rx.Cookie` ones only) and log a page's error.
REFLEX_HANDLERS_REVIEWED = {
    "setvar",
    "hydrate",
    "hydrate_and_load",
    "set_is_hydrated",
    "on_load_internal",
    "update_vars_internal",
    "handle_frontend_exception",
}
PUBLIC_ALLOWED = {
    "require_session",
    "sign_in",
    "redirect_if_signed_in",
    "sign_out",  # only leaves the tab for the route that revokes the session: works with the database down
    "firebase_started",
    "firebase_sign_in",
    "upload_refused",  # resets this tab's upload dialog after the upload guard refused a signed-out browser
}


def _instance(cls: type[BaseState]) -> BaseState:
    root = State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _run_async(awaitable: Any) -> Any:
    # A thread of its own: another test (Playwright's sync API) may own this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, awaitable).result()


def _first_result(fn: Any, state: BaseState) -> Any:
    params = list(inspect.signature(fn).parameters)[1:]
    outcome = fn(state, *[None] * len(params))
    if inspect.isasyncgen(outcome):
        return _run_async(outcome.__anext__())
    if inspect.iscoroutine(outcome):
        return _run_async(outcome)
    if inspect.isgenerator(outcome):
        return next(outcome)
    return outcome


def _describes(result: Any, text: str) -> bool:
    return text in repr(result)


def test_handlers_were_found() -> None:
    names = {(cls.__name__, name) for cls, name, _ in HANDLERS}
    assert ("VideosState", "load") in names
    assert ("LoginState", "sign_in") in names
    assert ("UsersState", "set_admin") in names


def test_every_handler_reflex_adds_was_reviewed() -> None:
    # A Reflex upgrade that adds a handler every client may call fails here until it is looked at.
    added = {
        name
        for cls in _walk(State)
        for name, handler in cls.event_handlers.items()
        if not handler.fn.__module__.startswith("catalog_ui")
    }
    assert added == REFLEX_HANDLERS_REVIEWED


def test_setvar_reaches_only_guarded_handlers() -> None:
    # Any client may send `setvar` with any name: it calls `set_<name>` on the state. Reflex makes no
    # setters of its own here (state_auto_setters is off), so what it reaches are the app's handlers named
    # set_…, guarded like every handler, and Reflex's set_is_hydrated (a flag of the page's loading).
    for cls in _walk(State):
        if not cls.__module__.startswith("catalog_ui"):
            continue
        for name in dir(cls):
            if not name.startswith("set_") or name == "set_is_hydrated":
                continue
            handler = getattr(cls, name)
            level = access_level(getattr(handler, "fn", handler))
            assert level in (AUTHENTICATED, ADMIN), f"setvar reaches {cls.__name__}.{name} unguarded"


@pytest.mark.parametrize(("cls", "name", "fn"), HANDLERS, ids=[f"{c.__name__}.{n}" for c, n, _ in HANDLERS])
def test_every_handler_has_a_guard(cls: type[BaseState], name: str, fn: Any) -> None:
    level = access_level(fn)
    assert level in (PUBLIC, AUTHENTICATED, ADMIN), f"{cls.__name__}.{name} has no access guard"
    if level == PUBLIC:
        assert name in PUBLIC_ALLOWED, f"{cls.__name__}.{name} is public but not on the reviewed list"


GUARDED = [(c, n, f) for c, n, f in HANDLERS if access_level(f) in (AUTHENTICATED, ADMIN)]


def test_only_page_timers_leave_the_idle_clock_alone() -> None:
    # Refresh timers (grid poll, progress ticks) must not count as activity; everything else must.
    passive = {f"{cls.__name__}.{name}" for cls, name, fn in HANDLERS if is_passive(fn)}
    assert passive == {
        "VideosState.poll",
        "VideoActionsState.poll_job",
        "QueueState.tick",
        "ReportsState.tick",
        "ReportDetailState.tick",
        "VideoDetailState.tick",
    }


@pytest.mark.parametrize(("cls", "name", "fn"), GUARDED, ids=[f"{c.__name__}.{n}" for c, n, _ in GUARDED])
def test_guarded_handler_refuses_without_session(engine, cls: type[BaseState], name: str, fn: Any) -> None:
    state = with_session_cookie(_instance(cls), "not-a-valid-token")
    assert _describes(_first_result(fn, state), "/login?next=")


ADMIN_ONLY = [(c, n, f) for c, n, f in HANDLERS if access_level(f) == ADMIN]


def test_admin_handlers_refuse_a_signed_in_user(engine, session) -> None:
    user = create_user(session, "user@example.com", "correct-horse-42")
    token, _ = open_session(session, user, "127.0.0.1", "pytest", "flask-security")
    session.commit()
    assert ADMIN_ONLY
    for cls, name, fn in ADMIN_ONLY:
        state = with_session_cookie(_instance(cls), token)
        assert _describes(_first_result(fn, state), "admin role"), f"{cls.__name__}.{name} let a user in"


def test_admin_handler_lets_an_admin_in(engine, session) -> None:
    from catalog_ui.state.users import UsersState

    admin = create_user(session, "boss@example.com", "correct-horse-42", admin=True)
    token, _ = open_session(session, admin, "127.0.0.1", "pytest", "flask-security")
    session.commit()
    state = with_session_cookie(_instance(UsersState), token)
    assert UsersState.load.fn(state) is None
    assert [row["email"] for row in state.rows] == ["boss@example.com"]
    assert state.total_label == "1 user"
