"""End-to-end harness: the real app (`reflex run --env prod`) on the test database, driven by Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session

from catalog_ui.models import Report
from catalog_ui.services import reports
from catalog_ui.services.demo_data import write_demo_reports
from catalog_ui.services.ingest import ingest_report
from tests.app_process import running_app
from tests.s3 import S3Endpoint, moto_endpoint
from tests.simulators.youtube import YouTubeSimulator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# How long one step may take: an action (a click waits for its control), a navigation, and an `expect` (a
# page's answer to a click, a page shown after Back). On a loaded CI machine (2 cores, other suites
# building) a step was measured at up to 12 s: a page's events, read and rendered while Chromium, the
# server and PostgreSQL share the cores. Playwright's `expect` keeps its own default of 5 s, which
# `page.set_default_timeout` does not change: set both here, once.
STEP_TIMEOUT_MS = 20_000
# A server action on a few hundred videos in one event (a bulk change, undoing a change set) under that load.
BULK_ACTION_TIMEOUT_MS = 30_000
expect.set_options(timeout=STEP_TIMEOUT_MS)

# Above the largest report an e2e test uploads (some 40 MB), and small enough for a test to pass it.
MAX_UPLOAD_MB = 64


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """moto's S3 server, the app's report bucket (uploads go there, scans read it)."""
    with moto_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def app_bucket(s3_endpoint: S3Endpoint) -> str:
    """The bucket the app under test uses for reports."""
    return s3_endpoint.new_bucket()


@pytest.fixture(scope="session")
def youtube() -> Iterator[YouTubeSimulator]:
    """The YouTube APIs the app's workers call, simulated in this process; tests seed the videos they sync.

    It lives for the whole run: give each test's videos their own ids.
    """
    with YouTubeSimulator() as simulator:
        yield simulator


def youtube_environment(simulator: YouTubeSimulator) -> dict[str, str]:
    """Settings pointing the app's YouTube clients at the simulator (any key or token is accepted)."""
    return {
        "YOUTUBE_DATA_API_URL": simulator.data_api_url,
        "YOUTUBE_CONTENT_ID_URL": simulator.content_id_url,
        "YOUTUBE_API_KEY": "e2e-api-key",
        "YOUTUBE_ACCESS_TOKEN": "e2e-access-token",
        "YOUTUBE_CONTENT_OWNER_ID": "e2e-content-owner",
    }


@pytest.fixture(scope="session")
def app_url(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    s3_endpoint: S3Endpoint,
    app_bucket: str,
    youtube: YouTubeSimulator,
) -> Iterator[str]:
    """Start the app on a free port against the test database; stop it (and its children) at the end."""
    overrides = {
        "DATABASE_URL": database_url,
        "REPORT_SCAN_INTERVAL_S": "3600",  # tests scan when they ask
        "MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
    }
    overrides.update(s3_endpoint.environment(app_bucket))
    overrides.update(youtube_environment(youtube))
    with running_app(overrides, tmp_path_factory.mktemp("app") / "reflex.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page for one test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    yield page
    context.close()


def sign_in(page: Page, app_url: str, login: str, password: str, target: str = "/videos") -> None:
    """Sign in through the sign-in page and wait for `target`."""
    page.goto(f"{app_url}/login?next={target}")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("#sign-in").click()
    wait_for_page(page, app_url, target)


def wait_for_page(page: Page, app_url: str, target: str) -> None:
    """Wait until the page `target` (a path and its query, more parameters allowed after it) is loaded.

    Signing in and out load their page (the cookie comes with a backend redirect), and the server adds a
    slash to a loaded page's path: `/videos/`, `/videos/?channel=Echo`."""
    path, _, query = target.partition("?")
    tail = re.escape(f"?{query}") if query else ""
    page.wait_for_url(re.compile(f"^{re.escape(app_url + path.rstrip('/'))}/?{tail}[^/]*$"))


@pytest.fixture
def make_user(engine):
    """Factory: create a user (admin or not) in the test database; returns (email, password)."""
    from sqlmodel import Session

    from catalog_ui.services.users import create_user

    def make(
        email: str = "ana@example.com", admin: bool = False, password: str = "correct-horse-42"
    ) -> tuple[str, str]:
        with Session(engine) as session:
            create_user(session, email, password, admin=admin)
            session.commit()
        return email, password

    return make


def wait_for_view(page: Page, app_url: str, path: str, query: str = "") -> None:
    """Wait until the address is `path` with exactly `query`: pushed by the page, or loaded (the server then
    adds a slash to the path, `/queue/?status=failed`)."""
    tail = re.escape(f"?{query}") if query else ""
    page.wait_for_url(re.compile(f"^{re.escape(app_url + path)}/?{tail}$"))


def load_demo_day(session: Session, directory: Path, *, videos: int, seed: int) -> Report:
    """The demo catalog's first day (`videos` videos, `seed`) written under `directory` and ingested."""
    day_one, _ = write_demo_reports(directory, videos=videos, seed=seed)
    report, _ = reports.register_path(session, day_one)
    session.commit()
    assert ingest_report(report.id).status == "completed"
    return report
