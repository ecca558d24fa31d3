"""Firebase sign-in through the browser UI against the real Auth emulator (Firebase Web SDK in Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlmodel import Session

from catalog_ui.models import User
from catalog_ui.services.users import create_user
from tests.e2e.conftest import wait_for_page
from tests.firebase import emulator as harness

pytestmark = pytest.mark.e2e

firebase_emulator = harness.firebase_emulator
FIREBASE_PASSWORD = "firebase-horse-42"


@pytest.fixture
def emulator(firebase_emulator: harness.AuthEmulator, engine):
    firebase_emulator.clear()
    yield firebase_emulator
    firebase_emulator.clear()


def _firebase_email_sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_role("button", name="Sign in with e-mail via Firebase").click()
    page.locator("#firebase-email").fill(email)
    page.locator("#firebase-password").fill(password)
    page.locator("#firebase-email-sign-in").click()


def test_an_invited_user_signs_in_with_firebase_email(engine, emulator, app_url: str, page: Page) -> None:
    with Session(engine) as session:
        create_user(session, "kim@example.com", None, auth_method="firebase")
        session.commit()
    uid = emulator.create_user("kim@example.com", FIREBASE_PASSWORD)

    page.goto(f"{app_url}/videos")
    page.wait_for_url(f"{app_url}/login?next=/videos")
    expect(page.locator("#firebase-google")).to_have_text("Sign in with Google")
    _firebase_email_sign_in(page, "kim@example.com", "not-the-password")
    expect(page.locator("#login-error")).to_have_text("Wrong e-mail or password.")
    page.locator("#firebase-password").fill(FIREBASE_PASSWORD)
    page.locator("#firebase-email-sign-in").click()
    wait_for_page(page, app_url, "/videos")
    expect(page.locator("#signed-in-as")).to_have_text("kim@example.com")
    with Session(engine) as session:
        linked = session.execute(select(User.firebase_uid, User.auth_method, User.login_count)).one()
    assert tuple(linked) == (uid, "firebase", 1)


def test_a_firebase_user_without_a_catalog_account_is_refused(
    engine, emulator, app_url: str, page: Page
) -> None:
    emulator.create_user("stranger@example.com", FIREBASE_PASSWORD)
    page.goto(f"{app_url}/login")
    _firebase_email_sign_in(page, "stranger@example.com", FIREBASE_PASSWORD)
    expect(page.locator("#login-error")).to_have_text(
        "There is no Catalog account for stranger@example.com. Ask an admin to invite you."
    )
    expect(page).to_have_url(re.compile(r".*/login/?$"))
