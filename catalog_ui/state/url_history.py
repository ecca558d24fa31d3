"""Putting a page's view in the browser's address: a new history entry, or the current one's URL changed.

The entry is pushed straight onto the browser's history rather than navigated to: the page already shows
the view, so a navigation would only run the page's on_load again for nothing. Back and forward are real
navigations (the router sees the popped URL) and arrive through the page's on_load, which reads the URL.
"""

from __future__ import annotations

import json

import reflex as rx

# A new history entry with its own key, keeping the router's bookkeeping in the entry's state. The entry
# left gets a new key too: it may be the one the router last navigated to, and the router takes a return to
# the location it holds (same URL, same key) for no navigation at all, so Back would not reach on_load.
_NEW_KEY = "{...(window.history.state || {}), key: Math.random().toString(36).slice(2, 10)}"
_PUSH_URL = (
    "window.history.replaceState(" + _NEW_KEY + ", ''); window.history.pushState(" + _NEW_KEY + ", '', %s)"
)
# The same entry with the new URL: a search being typed is one entry, not one per pause in the typing.
_REPLACE_URL = "window.history.replaceState(window.history.state, '', %s)"
_TO_TOP = "window.scrollTo(0, 0)"


def show_url(url: str, *, same_entry: bool = False, to_top: bool = False) -> rx.event.EventSpec:
    """Put `url` in the address bar: a new history entry (Back returns to the one before), or with
    `same_entry` the current entry's URL; `to_top` also scrolls the window to the top."""
    script = (_REPLACE_URL if same_entry else _PUSH_URL) % json.dumps(url)
    return rx.call_script(f"{script}; {_TO_TOP}" if to_top else script)


def settle_url(
    shown_url: str, problems: list[str], *, corrected: bool, toast_id: str
) -> list[rx.event.EventSpec]:
    """What on_load returns once it has shown the view its URL names.

    When values were ignored (`problems`) or the page shows another view than the URL named (`corrected`,
    e.g. a page past the last), the entry's URL becomes the shown view's, so a reload or a copied link shows
    the same; the problems are shown in a warning toast (`toast_id` keeps one toast per page)."""
    events: list[rx.event.EventSpec] = []
    if problems or corrected:
        events.append(show_url(shown_url, same_entry=True))
    if problems:
        events.append(rx.toast.warning(" ".join(problems[:3]), id=toast_id))
    return events
