"""Putting a page's view in the browser's address: a new history entry, or the current one's URL changed.

The entry is pushed straight onto the browser's history rather than navigated to: the page already shows
the view, so a navigation would only run the page's on_load again for nothing. Back and forward are real
navigations (the router sees the popped URL) and arrive through the page's on_load, which reads the URL.

The address is written only while the browser is still on the page that asked for it (same path). The
answer of a page's event can arrive after a quick navigation to another page (Next, then a sidebar link at
once): written then, it put `/videos?page=2` over the channels page's address, and it even reached that
page's on_load. Reflex sends an event's router data as React Router's path with the live
`window.location.search` (reflex_base `state.js`, `withRouterData`), so a query written while the next page
was rendering gave its on_load `/channels?page=2`, and the channels page showed its page 2.
"""

from __future__ import annotations

import json
import time

import reflex as rx

# The scripts below run inside `(url) => { ... }`, `url` being the address to show.
# The browser is still on the page whose view `url` is: the same path, without a trailing slash (a reload
# adds one). Else the user has gone on to another page since, and its address is left alone.
_ON_ITS_PAGE = (
    "const bare = (path) => path.replace(/\\/$/, ''); "
    "if (bare(new URL(url, window.location.href).pathname) !== bare(window.location.pathname)) return; "
)
# A new history entry with its own key, keeping the router's bookkeeping in the entry's state. The entry
# left gets a new key too: it may be the one the router last navigated to, and the router takes a return to
# the location it holds (same URL, same key) for no navigation at all, so Back would not reach on_load.
_NEW_KEY = "{...(window.history.state || {}), key: Math.random().toString(36).slice(2, 10)}"
# Only when the address changes: a change that leaves the view as it is (Clear twice, the saved view shown)
# adds no entry that Back would have to step over.
_PUSH_URL = (
    "const address = (u) => u.replace(/\\/(?=\\?|$)/, ''); "
    "if (address(window.location.pathname + window.location.search) !== address(url)) { "
    f"window.history.replaceState({_NEW_KEY}, ''); window.history.pushState({_NEW_KEY}, '', url); }} "
)
# The same entry with the new URL: a search being typed is one entry, not one per pause in the typing.
_REPLACE_URL = "window.history.replaceState(window.history.state, '', url); "
# Class of a Radix table whose own scroll area holds the page's rows (the video grid): scrolled to its top
# with the window, its columns left where they were.
SCROLLS_TO_TOP = "scrolls-to-top"
_TO_TOP = (
    "window.scrollTo(0, 0); "
    f"document.querySelectorAll('.{SCROLLS_TO_TOP} .rt-ScrollAreaViewport').forEach((el) => {{ el.scrollTop = 0; }})"
)
# A pause this long ends a typed search: the next one gets a history entry of its own.
TYPING_PAUSE_S = 2.0


def show_url(url: str, *, same_entry: bool = False, to_top: bool = False) -> rx.event.EventSpec:
    """Put `url` in the address bar: a new history entry (Back returns to the one before), or with
    `same_entry` the current entry's URL; `to_top` also scrolls the window (and SCROLLS_TO_TOP tables) to
    the top. Nothing happens once the browser has left `url`'s page (another path): see the module's doc."""
    return rx.call_script(url_script(url, same_entry=same_entry, to_top=to_top))


def url_script(url: str, *, same_entry: bool = False, to_top: bool = False) -> str:
    """The browser script `show_url` runs."""
    body = (_REPLACE_URL if same_entry else _PUSH_URL) + (_TO_TOP if to_top else "")
    return f"((url) => {{ {_ON_ITS_PAGE}{body} }})({json.dumps(url)})"


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


def typing_continues(box: str, last_box: str, last_at: float) -> bool:
    """Whether a change typed into `box` ('' for a change that is not typed) goes on the run typed into
    `last_box`, which ended (its view shown) at `last_at` (`typing_ended`): the same history entry.

    A typed value replaces its history entry while the typing goes on in the same box: the whole search
    is one entry. A pause of TYPING_PAUSE_S, another box, or a cleared box ends the run, so each finished
    search stays one Back away. The pause is measured from when the last view was shown, not from when its
    change arrived: a slow search is not a pause of the typist's."""
    return bool(box) and box == last_box and _clock() - last_at < TYPING_PAUSE_S


def typing_ended(box: str, value: str) -> tuple[str, float]:
    """(last_box, last_at) to keep once the view of a change typed into `box` ('' if not typed), holding
    `value`, is shown: a cleared box or an untyped change ends the run."""
    return (box if box and value else ""), (_clock() if box else 0.0)


def _clock() -> float:
    """Seconds since the epoch (a function of its own so that tests can play a slow server)."""
    return time.time()
