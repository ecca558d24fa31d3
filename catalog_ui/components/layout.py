"""The page frames: sidebar navigation, header with the theme switch and content area for signed-in pages; a
centred card for the pages outside them (sign-in, not found)."""

from __future__ import annotations

import reflex as rx

from catalog_ui.state.auth import AuthState

# (label, route, lucide icon); the one list the sidebar is built from.
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("Dashboard", "/", "layout-dashboard"),
    ("Videos", "/videos", "clapperboard"),
    ("Channels", "/channels", "tv"),
    ("Audit", "/audit", "history"),
    ("Queue", "/queue", "list-checks"),
    ("Reports", "/reports", "file-spreadsheet"),
]
ADMIN_NAV_ITEM = ("Users", "/users", "users")


def _nav_link(label: str, route: str, icon: str) -> rx.Component:
    # The browser's path, not `router.page.path`: that is the matched route, "/index" for "/".
    path = rx.State.router.url.path
    active = (path == route) | ((route != "/") & path.startswith(route))
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3"), align="center", spacing="3"),
        href=route,
        underline="none",
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="var(--radius-3)",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        id=f"nav-{label.lower()}",
        custom_attrs={"aria-current": rx.cond(active, "page", "false")},
    )


def sidebar() -> rx.Component:
    """The left navigation."""
    return rx.vstack(
        rx.hstack(
            rx.icon("library-big", size=22, color=rx.color("accent", 10)),
            # The app's mark, not a heading: the page's title is its one top-level heading.
            rx.text("Catalog", size="5", weight="bold"),
            align="center",
            padding_x="0.75rem",
            padding_bottom="1rem",
        ),
        *[_nav_link(*item) for item in NAV_ITEMS],
        rx.cond(AuthState.user_is_admin, _nav_link(*ADMIN_NAV_ITEM)),
        rx.spacer(),
        rx.vstack(
            rx.text(AuthState.user_email, size="1", color_scheme="gray", id="signed-in-as", trim="both"),
            rx.cond(AuthState.user_is_admin, rx.badge("admin", variant="soft", size="1")),
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out",
                on_click=AuthState.sign_out,
                variant="ghost",
                size="1",
                id="sign-out",
            ),
            spacing="1",
            padding_x="0.75rem",
            align="start",
        ),
        width="220px",
        min_width="220px",
        height="100vh",
        position="sticky",
        top="0",
        padding="1rem",
        spacing="1",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        # Landmarks: a screen reader (or a keyboard extension) jumps between the navigation and the page.
        custom_attrs={"role": "navigation", "aria-label": "Main"},
    )


def header(title: str, *actions: rx.Component) -> rx.Component:
    """The page header: title, page actions, theme switch."""
    return rx.hstack(
        rx.heading(title, size="6", id="page-title"),
        rx.spacer(),
        *actions,
        # An icon alone: named for screen readers and for get_by_role.
        rx.color_mode.button(variant="ghost", aria_label="Switch light or dark theme", id="theme-switch"),
        align="center",
        width="100%",
        padding_bottom="1rem",
    )


MAIN_ID = "main-content"


def skip_to_content() -> rx.Component:
    """The page's first stop for Tab, shown only while it has focus: Enter moves focus past the sidebar to
    the page's own content, so a keyboard user does not Tab through the navigation on every page."""
    return rx.button(
        "Skip to content",
        on_click=rx.vars.FunctionStringVar.create(f"(() => document.getElementById({MAIN_ID!r})?.focus())"),
        id="skip-to-content",
        position="absolute",
        left="-10000px",
        top="0.75rem",
        z_index="100",
        _focus={"left": "0.75rem"},
    )


def page_frame(
    title: str,
    *children: rx.Component,
    actions: list[rx.Component] | None = None,
    fill_window: bool = False,
) -> rx.Component:
    """Sidebar + header + content: the frame of every signed-in page.

    With `fill_window` the content is exactly the window's height, a column whose last child takes the
    room the header leaves (`flex="1"`, `min_height="0"`): a page whose own parts scroll (the video grid)
    keeps its scrollbars, headers and pager in the window instead of at the bottom of a long page.
    """
    fill = {"height": "100vh", "display": "flex", "flex_direction": "column"} if fill_window else {}
    return rx.hstack(
        skip_to_content(),
        sidebar(),
        rx.box(
            header(title, *(actions or [])),
            *children,
            padding="1.5rem",
            width="100%",
            min_width="0",
            id=MAIN_ID,
            # Focusable from the skip button only (not a Tab stop); no ring around the whole page then.
            tab_index=-1,
            _focus={"outline": "none"},
            custom_attrs={"role": "main"},
            **fill,
        ),
        spacing="0",
        align="start",
        width="100%",
    )


def standalone_card(
    title: str, *children: rx.Component, width: str, title_id: str | None = None
) -> rx.Component:
    """A card with the app's mark and `title`, centred on the grey page: the frame of pages without the sidebar."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("library-big", size=26, color=rx.color("accent", 10)),
                    rx.heading(title, size="6", id=title_id),
                    align="center",
                ),
                *children,
                spacing="4",
                width="100%",
            ),
            width=width,
            padding="1.5rem",
        ),
        height="100vh",
        background=rx.color("gray", 2),
        custom_attrs={"role": "main"},
    )
