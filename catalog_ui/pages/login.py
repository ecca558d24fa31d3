"""Route /login: the sign-in page (password; Google or e-mail through Firebase when it is configured)."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.forms import error_callout, field_label
from catalog_ui.components.layout import standalone_card
from catalog_ui.services.firebase_auth import FirebaseConfig, browser_config
from catalog_ui.state.auth import LoginState

FIREBASE_SDK = "firebase@12.19.0"


class FirebaseBridge(rx.Component):
    """The Firebase Web SDK, loaded in the browser; exposes window.catalogFirebase to the buttons below."""

    library = rx.asset("firebase_bridge.jsx", shared=True).importable_path
    tag = "FirebaseBridge"
    lib_dependencies: list[str] = [FIREBASE_SDK]

    api_key: rx.Var[str]
    auth_domain: rx.Var[str]
    project_id: rx.Var[str]
    emulator_url: rx.Var[str]


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field_label("E-mail or username", "login"),
            rx.input(name="login", id="login", auto_complete="username", width="100%", size="3"),
            field_label("Password", "password"),
            rx.input(
                name="password",
                id="password",
                type="password",
                auto_complete="current-password",
                width="100%",
                size="3",
            ),
            rx.button(
                "Sign in", type="submit", loading=LoginState.busy, width="100%", size="3", id="sign-in"
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=LoginState.sign_in,
        reset_on_submit=False,
        width="100%",
    )


def _firebase_options(config: FirebaseConfig) -> rx.Component:
    email_sign_in = "window.catalogFirebase.emailFromInputs('firebase-email', 'firebase-password')"
    return rx.vstack(
        FirebaseBridge.create(
            api_key=config.api_key,
            auth_domain=config.auth_domain,
            project_id=config.project_id,
            emulator_url=config.emulator_url,
        ),
        rx.hstack(
            rx.separator(size="4"),
            rx.text("or", size="1", color_scheme="gray"),
            rx.separator(size="4"),
            align="center",
            width="100%",
        ),
        rx.button(
            rx.icon("globe", size=16),
            "Sign in with Google",
            variant="outline",
            width="100%",
            size="3",
            loading=LoginState.busy,
            on_click=[
                LoginState.firebase_started,
                rx.call_script("window.catalogFirebase.google()", callback=LoginState.firebase_sign_in),
            ],
            id="firebase-google",
        ),
        rx.accordion.root(
            rx.accordion.item(
                header="Sign in with e-mail via Firebase",
                content=rx.vstack(
                    field_label("E-mail", "firebase-email"),
                    rx.input(id="firebase-email", type="email", auto_complete="email", width="100%"),
                    field_label("Firebase password", "firebase-password"),
                    rx.input(
                        id="firebase-password",
                        type="password",
                        auto_complete="current-password",
                        width="100%",
                    ),
                    rx.button(
                        "Sign in via Firebase",
                        variant="soft",
                        width="100%",
                        loading=LoginState.busy,
                        on_click=[
                            LoginState.firebase_started,
                            rx.call_script(email_sign_in, callback=LoginState.firebase_sign_in),
                        ],
                        id="firebase-email-sign-in",
                    ),
                    spacing="2",
                    width="100%",
                ),
                value="firebase-email",
                id="firebase-email-toggle",
            ),
            collapsible=True,
            type="single",
            variant="ghost",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def login_page() -> rx.Component:
    """E-mail or username and password; Firebase options below when configured."""
    firebase = browser_config()
    return standalone_card(
        "Sign in to Catalog",
        error_callout(LoginState.error, "login-error"),
        _password_form(),
        _firebase_options(firebase) if firebase else rx.fragment(),
        width="24rem",
    )
