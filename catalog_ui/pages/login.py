"""Route /login: the sign-in page (password; Firebase when configured)."""

from __future__ import annotations

import reflex as rx

from catalog_ui.state.auth import LoginState


def login_page() -> rx.Component:
    """E-mail or username and password."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("library-big", size=26, color=rx.color("accent", 10)),
                    rx.heading("Sign in to Catalog", size="6"),
                    align="center",
                ),
                rx.form(
                    rx.vstack(
                        rx.text("E-mail or username", size="2", weight="medium"),
                        rx.input(name="login", id="login", auto_complete="username", width="100%", size="3"),
                        rx.text("Password", size="2", weight="medium"),
                        rx.input(
                            name="password",
                            id="password",
                            type="password",
                            auto_complete="current-password",
                            width="100%",
                            size="3",
                        ),
                        rx.cond(
                            LoginState.error != "",
                            rx.callout(
                                LoginState.error, icon="triangle-alert", color_scheme="red", id="login-error"
                            ),
                        ),
                        rx.button(
                            "Sign in",
                            type="submit",
                            loading=LoginState.busy,
                            width="100%",
                            size="3",
                            id="sign-in",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=LoginState.sign_in,
                    reset_on_submit=False,
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            width="24rem",
            padding="1.5rem",
        ),
        height="100vh",
        background=rx.color("gray", 2),
    )
