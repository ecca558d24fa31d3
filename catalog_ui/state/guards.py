"""Server-side access checks for state event handlers.

Any client can call any event handler over the websocket, whatever the page shows, so every handler that
reads or changes data is wrapped: `@authenticated` needs a valid session, `@admin_only` also the admin role,
and `@public` marks the few that need neither (signing in). `@on_timer` is `@authenticated` for the timers
that refresh a page: their calls are not activity, so an open tab does not keep an idle session alive.
`tests/integration/test_handler_guards.py` walks every State class and fails for a handler with no mark.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx

from catalog_ui.db import session_scope
from catalog_ui.services.auth import Principal, resolve_session
from catalog_ui.session_cookie import session_token

log = logging.getLogger("catalog_ui.security")

F = TypeVar("F", bound=Callable[..., Any])
GUARD_ATTRIBUTE = "_catalog_access"
PASSIVE_ATTRIBUTE = "_catalog_passive"  # a timer's call: not user activity
PUBLIC, AUTHENTICATED, ADMIN = "public", "authenticated", "admin"


def browser_session_token(state: rx.State) -> str | None:
    """The session token the browser sent: the HttpOnly cookie, as it came in the Cookie header of the
    handshake of this tab's websocket (server-side only: Reflex does not send it to the page)."""
    return session_token(state.router.headers.cookie)


def current_principal(state: rx.State, *, touch: bool = True) -> Principal | None:
    """Resolve the session token the browser sent to a principal, or None."""
    with session_scope() as session:
        return resolve_session(session, browser_session_token(state), touch=touch)


def sign_in_url(state: rx.State) -> str:
    """The sign-in page, with the current page (and its query) to come back to (`sign_in_path`)."""
    url = state.router.url
    return sign_in_path(url.path, url.query)


def sign_in_path(path: str, query: str) -> str:
    """`/login?next=…` for the page at `path` with `query` (raw), leaving out any `next` parameter.

    No page of the app uses `next` but the sign-in page. A refused event sent late (a page's timer that
    fired just as the page was left for the sign-in page) carries its own page's path with the sign-in
    page's query; kept, that `next` would nest in the new one, and signing in would then land on
    `/videos?next=/videos`."""
    path = path.rstrip("/") or "/"
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] != "next"]
    if kept:
        path = f"{path}?{'&'.join(kept)}"
    return f"/login?next={quote(path, safe='/')}"


def _refusal(state: rx.State, level: str, handler: str, principal: Principal | None) -> Any:
    who = principal.email if principal else "anonymous"
    log.warning("refused %s call to %s.%s by %s", level, type(state).__name__, handler, who)
    if principal is None:
        return rx.redirect(sign_in_url(state), replace=True)
    return rx.toast.error("This action needs the admin role.")


def _guard(level: str, *, touch: bool = True) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        def check(self: rx.State) -> tuple[bool, Any]:
            principal = current_principal(self, touch=touch)
            allowed = principal is not None and (level != ADMIN or principal.is_admin)
            if allowed:
                self._principal = principal  # declared on AuthState; read through principal_of
                return True, None
            return False, _refusal(self, level, fn.__name__, principal)

        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def async_gen_wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                ok, refusal = check(self)
                if not ok:
                    yield refusal
                    return
                async for item in fn(self, *args, **kwargs):
                    yield item

            wrapper: Any = async_gen_wrapper
        elif inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                ok, refusal = check(self)
                return await fn(self, *args, **kwargs) if ok else refusal

            wrapper = async_wrapper
        elif inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                ok, refusal = check(self)
                if not ok:
                    yield refusal
                    return
                yield from fn(self, *args, **kwargs)

            wrapper = gen_wrapper
        else:

            @functools.wraps(fn)
            def sync_wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                ok, refusal = check(self)
                return fn(self, *args, **kwargs) if ok else refusal

            wrapper = sync_wrapper
        setattr(wrapper, GUARD_ATTRIBUTE, level)
        setattr(wrapper, PASSIVE_ATTRIBUTE, not touch)
        return wrapper  # type: ignore[return-value]

    return decorate


authenticated = _guard(AUTHENTICATED)
on_timer = _guard(AUTHENTICATED, touch=False)
admin_only = _guard(ADMIN)


def public(fn: F) -> F:
    """Mark a handler that deliberately needs no session (signing in, reading the sign-in page's options)."""
    setattr(fn, GUARD_ATTRIBUTE, PUBLIC)
    return fn


def principal_of(state: rx.State) -> Principal:
    """The principal a guarded handler was let in with."""
    principal = getattr(state, "_principal", None)
    if principal is None:
        raise RuntimeError("principal_of() called outside a guarded handler")
    return principal


def access_level(handler: Callable[..., Any]) -> str | None:
    """The guard mark of a handler function, or None when it has none."""
    return getattr(handler, GUARD_ATTRIBUTE, None)


def is_passive(handler: Callable[..., Any]) -> bool:
    """Whether a guarded handler's calls leave the session's idle clock alone (`@on_timer`)."""
    return bool(getattr(handler, PASSIVE_ATTRIBUTE, False))
