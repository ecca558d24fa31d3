"""`make run`: prepare the database and demo catalog, then run the web app and a worker until Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from catalog_ui.settings import get_settings

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


def start_children(env: dict[str, str]) -> list[subprocess.Popen]:
    """Start the web app (and a worker when Redis is configured), each in its own process group."""
    settings = get_settings()
    children = []
    if settings.redis_url:
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "catalog_ui", "worker"], cwd=ROOT, env=env, start_new_session=True
            )
        )
    children.append(
        subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    )
    return children


def stop_children(children: list[subprocess.Popen], timeout: float = 15.0) -> None:
    """SIGTERM each child's process group, then SIGKILL what is left after `timeout`."""
    for child in children:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)


def run_app(demo_videos: int = 5000) -> int:
    """Migrate, create the first admin, load the demo when empty, run app + worker until interrupted."""
    from catalog_ui import migrations
    from catalog_ui.cli import ensure_first_admin

    settings = get_settings()
    env = child_environment()
    migrations.upgrade(env["DATABASE_URL"])
    sign_in = ensure_first_admin()
    load_demo_catalog(demo_videos)
    children = start_children(env)
    url = settings.public_url or f"http://localhost:{settings.port}"
    print(f"\nCatalog is starting on {url} (Ctrl-C stops it).", flush=True)
    if sign_in:
        print(sign_in, flush=True)

    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop_children(children)
    failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0
