"""`make run`: prepare the database and demo catalog, then run the web app and a worker until Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from catalog_ui.services.youtube.credentials import credential_source
from catalog_ui.services.youtube.errors import ConfigurationError
from catalog_ui.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


def child_environment() -> dict[str, str]:
    """The environment for the app and worker processes: one database URL, Reflex offline and quiet."""
    from catalog_ui.db import database_url

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url()  # children share the embedded server instead of starting their own
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def load_demo_catalog(videos: int) -> None:
    """When the catalog is empty, write demo reports and ingest them through the report pipeline."""
    from catalog_ui.db import session_scope
    from catalog_ui.services import reports
    from catalog_ui.services.catalog import count_videos
    from catalog_ui.services.demo_data import write_demo_reports
    from catalog_ui.services.ingest import ingest_report

    if videos <= 0:
        return
    with session_scope() as session:
        if count_videos(session) > 0:
            return
    folder = get_settings().data_dir / "demo"
    print(f"Loading a demo catalog of {videos:,} videos from {folder} …", flush=True)
    for path in write_demo_reports(folder, videos=videos, seed=1):
        with session_scope() as session:
            report, _ = reports.register_path(session, path)
        result = ingest_report(report.id)
        if result is not None:
            print(f"  {path.name}: {result.rows_inserted:,} new, {result.rows_updated:,} updated", flush=True)


def youtube_configured(settings: Settings) -> bool:
    """Whether any YouTube credentials are set: an API key or one of the OAuth sources (`credential_source`).

    Half-configured OAuth settings count as set: the tasks then say what is missing, rather than the demo
    simulator quietly standing in for YouTube."""
    if settings.youtube_api_key:
        return True
    try:
        return credential_source(settings) is not None
    except ConfigurationError:
        return True


def simulator_wanted(settings: Settings) -> bool:
    """Whether to start the YouTube API simulator: asked for (YOUTUBE_SIMULATOR, which `make run` sets) and
    no YouTube credentials set. A production `run` never starts it: its tasks would fail every real video."""
    return settings.youtube_simulator and not youtube_configured(settings)


def start_youtube_simulator(env: dict[str, str]) -> subprocess.Popen | None:
    """For the local demo (`simulator_wanted`), serve the demo catalog from the API simulator (tests/simulators).

    YouTube cannot be reached without credentials anyway; the simulator lets the queue's sync tasks run
    against the same HTTP clients production uses. Its URLs go into `env` for the app and worker.
    """
    settings = get_settings()
    if not simulator_wanted(settings):
        return None
    report = settings.data_dir / "demo" / "cms_videos_2026-01-02.csv.gz"
    command = [sys.executable, "-m", "tests.simulators.youtube", "--port", "0", "--changes-seed", "1"]
    if report.exists():
        command += ["--report", str(report)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key in ("YOUTUBE_DATA_API_URL", "YOUTUBE_CONTENT_ID_URL"):
            env[key] = value
        if "YOUTUBE_DATA_API_URL" in env and "YOUTUBE_CONTENT_ID_URL" in env:
            break
    add_demo_credentials(env)
    print(f"YouTube APIs: local simulator at {env.get('YOUTUBE_DATA_API_URL', '?')}", flush=True)
    return process


def add_demo_credentials(env: dict[str, str]) -> None:
    """Credentials for the simulator, which accepts any: an API key and an OAuth token on behalf of a
    content owner, so every task type runs (Content ID takes OAuth only, and YouTube lists private videos
    only to their owner)."""
    env.setdefault("YOUTUBE_API_KEY", "demo-key")
    env.setdefault("YOUTUBE_ACCESS_TOKEN", "demo-token")
    if not env.get("YOUTUBE_CONTENT_OWNER_ID"):
        env["YOUTUBE_CONTENT_OWNER_ID"] = "demo-owner"


def child_commands(settings: Settings) -> list[list[str]]:
    """What `run` starts: a worker when Redis carries the tasks and APP_STARTS_WORKER allows it (without
    Redis the app runs them itself), then the web app."""
    commands = []
    if settings.redis_url and settings.app_starts_worker:
        commands.append([sys.executable, "-m", "catalog_ui", "worker"])
    commands.append([sys.executable, "-m", "reflex", "run", "--env", "prod"])
    return commands


def start_children(env: dict[str, str]) -> list[subprocess.Popen]:
    """Start `child_commands`, each in its own process group."""
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        for command in child_commands(get_settings())
    ]


def wait_until_up(
    url: str, children: list[subprocess.Popen], stop: _StopFlag, timeout_s: float = 600.0
) -> bool:
    """Wait until the app answers on `url` (True); False when a child exits, a stop is asked or time runs out."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if stop.set or any(child.poll() is not None for child in children):
            return False
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    return False


def stop_children(children: list[subprocess.Popen], timeout: float = 15.0) -> None:
    """SIGTERM each child's process group, then SIGKILL what is left after `timeout`."""
    for child in children:
        # The whole group, even when its leader is gone: what it started may still run.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)


class _StopFlag:
    """Set by SIGINT/SIGTERM; the launcher polls it so children are always stopped cleanly."""

    def __init__(self) -> None:
        self.set = False
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, *_: object) -> None:
        self.set = True


def sign_in_reminder(email: str) -> str:
    """The banner's line when the first admin already exists: who to sign in as, and how to reset it."""
    return f"Sign in as {email} (reset with: python -m catalog_ui set-password --login {email})."


def _print_banner(lines: list[str]) -> None:
    width = max(len(line) for line in lines) + 4
    print(
        "\n" + "=" * width + "\n" + "\n".join(f"  {line}" for line in lines) + "\n" + "=" * width, flush=True
    )


def run_app(demo_videos: int = 5000) -> int:
    """Migrate, create the first admin, load the demo when empty, run app + worker until interrupted."""
    from catalog_ui import migrations
    from catalog_ui.cli import ensure_first_admin

    settings = get_settings()
    env = child_environment()
    migrations.upgrade(env["DATABASE_URL"])
    sign_in = ensure_first_admin()
    load_demo_catalog(demo_videos)
    stop = _StopFlag()
    simulator = start_youtube_simulator(env)
    children = ([simulator] if simulator else []) + start_children(env)
    url = settings.public_url or f"http://localhost:{settings.port}"
    print(
        f"\nCatalog is starting on {url} (the first start builds the frontend; Ctrl-C stops it).", flush=True
    )
    try:
        if wait_until_up(f"http://127.0.0.1:{settings.port}", children, stop):
            how = sign_in or sign_in_reminder(settings.admin_email)
            _print_banner([f"Catalog is running: {url}", how])
        while not stop.set and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop_children(children)
    failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stop.set else 0
