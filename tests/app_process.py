"""The real app (`reflex run --env prod`) on a free port, for the e2e tests and the grid benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from catalog_ui.launcher import stop_children

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(env_overrides: dict[str, str], log_path: Path, timeout_s: float = 420) -> Iterator[str]:
    """Run the app (no Redis: in-process worker) with `env_overrides`; yield its URL; stop its process group."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        REFLEX_USE_NPM="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("REDIS_URL", None)
    env.update(env_overrides)
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
        _wait_until_up(url, process, log_path, timeout_s)
        yield url
    finally:
        stop_children([process], timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
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
    raise RuntimeError(f"the app did not start in {timeout_s:.0f} s:\n{log_path.read_text()[-4000:]}")
