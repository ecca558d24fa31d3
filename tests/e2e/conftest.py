"""End-to-end harness: the real app (`reflex run --env prod`) on the test database, driven by Chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.s3 import S3Endpoint, moto_endpoint
from tests.simulators.youtube import YouTubeSimulator

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 420


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    port = _free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PORT=str(port),
        REFLEX_USE_NPM="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("REDIS_URL", None)
    env.update(s3_endpoint.environment(app_bucket), REPORT_SCAN_INTERVAL_S="3600")  # tests scan when they ask
    env.update(youtube_environment(youtube))
    log_path = tmp_path_factory.mktemp("app") / "reflex.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url, process, log_path)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if (
                httpx.get(f"{url}/ping", timeout=2).status_code == 200
                and httpx.get(url, timeout=2).status_code == 200
            ):
                return
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {START_TIMEOUT_S} s:\n{log_path.read_text()[-4000:]}")


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
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page: Page, app_url: str, login: str, password: str, target: str = "/videos") -> None:
    """Sign in through the sign-in page and wait for `target`."""
    page.goto(f"{app_url}/login?next={target}")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("#sign-in").click()
    page.wait_for_url(f"{app_url}{target}*")


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
