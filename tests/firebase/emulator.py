"""The real Firebase Auth emulator for tests, started once per test session and stopped at its end.

`firebase-tools` comes from npm into the git-ignored .tools/firebase (`make firebase-tools`, or on first use).
Importing this module points the app at the emulator (FIREBASE_* variables) before any app process
starts: pytest imports every test module before it runs a fixture, so the e2e app sees them too.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from catalog_ui.launcher import stop_children

ROOT = Path(__file__).resolve().parents[2]
FIREBASE_TOOLS_VERSION = "15.34.2"
TOOLS_DIR = ROOT / ".tools" / "firebase"
FIREBASE_BIN = TOOLS_DIR / "node_modules" / ".bin" / "firebase"
PROJECT_ID = "demo-catalog"
API_KEY = "demo-api-key"
START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _configure_environment() -> str:
    host = f"127.0.0.1:{_free_port()}"  # our own emulator, never one a developer left running
    os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = host
    os.environ["FIREBASE_PROJECT_ID"] = PROJECT_ID
    os.environ["FIREBASE_API_KEY"] = API_KEY
    os.environ["FIREBASE_AUTH_DOMAIN"] = f"{PROJECT_ID}.firebaseapp.com"
    return host


EMULATOR_HOST = _configure_environment()


def install_firebase_tools() -> Path:
    """The firebase CLI, installed from npm into .tools/firebase when it is not there yet."""
    if not FIREBASE_BIN.exists():
        TOOLS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(TOOLS_DIR),
                f"firebase-tools@{FIREBASE_TOOLS_VERSION}",
            ],
            check=True,
            timeout=900,
        )
    return FIREBASE_BIN


@dataclass
class AuthEmulator:
    """A running Auth emulator and the REST calls tests need (accounts are made as the emulator's owner)."""

    host: str
    project_id: str = PROJECT_ID

    @property
    def base_url(self) -> str:
        """http://host:port of the emulator."""
        return f"http://{self.host}"

    def _post(self, path: str, body: dict, owner: bool = False) -> dict:
        headers = {"Authorization": "Bearer owner"} if owner else {}
        response = httpx.post(
            f"{self.base_url}/identitytoolkit.googleapis.com/v1/{path}",
            params={"key": API_KEY},
            json=body,
            headers=headers,
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def create_user(self, email: str, password: str, verified: bool = True) -> str:
        """Create an e-mail/password account; returns its uid."""
        body = {"email": email, "password": password, "emailVerified": verified}
        return self._post(f"projects/{self.project_id}/accounts", body, owner=True)["localId"]

    def id_token(self, email: str, password: str) -> str:
        """Sign in as the browser SDK would and return the ID token."""
        body = {"email": email, "password": password, "returnSecureToken": True}
        return self._post("accounts:signInWithPassword", body)["idToken"]

    def update_user(self, uid: str, **fields: object) -> None:
        """Change an account as an admin would (e.g. disableUser=True, validSince=<epoch seconds>)."""
        self._post(f"projects/{self.project_id}/accounts:update", {"localId": uid, **fields}, owner=True)

    def clear(self) -> None:
        """Delete every account."""
        httpx.delete(f"{self.base_url}/emulator/v1/projects/{self.project_id}/accounts", timeout=10)


class _Shared:
    """One emulator process per test session, however many modules use the fixture."""

    lock = threading.Lock()
    process: subprocess.Popen | None = None
    workdir: tempfile.TemporaryDirectory | None = None
    users = 0


def _start() -> None:
    firebase = install_firebase_tools()
    host, port = EMULATOR_HOST.rsplit(":", 1)
    _Shared.workdir = tempfile.TemporaryDirectory(prefix="firebase-emulator-")
    folder = Path(_Shared.workdir.name)
    config = {
        "emulators": {
            "auth": {"host": host, "port": int(port)},
            "hub": {"host": "127.0.0.1", "port": _free_port()},
            "logging": {"host": "127.0.0.1", "port": _free_port()},
            "ui": {"enabled": False},
            "singleProjectMode": True,
        }
    }
    (folder / "firebase.json").write_text(json.dumps(config))
    env = dict(os.environ, TMPDIR=str(folder), CI="true")  # TMPDIR: the hub locator file stays ours
    env.pop("FIREBASE_AUTH_EMULATOR_HOST", None)
    log = (folder / "emulator.log").open("w")
    _Shared.process = subprocess.Popen(
        [str(firebase), "emulators:start", "--only", "auth", "--project", PROJECT_ID],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if _Shared.process.poll() is not None:
            raise RuntimeError(
                f"the Firebase emulator exited:\n{(folder / 'emulator.log').read_text()[-3000:]}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://{EMULATOR_HOST}/", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    _stop()
    raise RuntimeError(f"the Firebase emulator did not start in {START_TIMEOUT_S} s")


def _stop() -> None:
    process = _Shared.process
    if process is not None and process.poll() is None:
        stop_children([process], timeout=20)
        process.wait(5)
    _Shared.process = None
    if _Shared.workdir is not None:
        _Shared.workdir.cleanup()
        _Shared.workdir = None


@pytest.fixture(scope="session")
def firebase_emulator() -> Iterator[AuthEmulator]:
    """The Auth emulator at FIREBASE_AUTH_EMULATOR_HOST, running for the whole test session."""
    with _Shared.lock:
        if _Shared.process is None:
            _start()
        _Shared.users += 1
    try:
        yield AuthEmulator(EMULATOR_HOST)
    finally:
        with _Shared.lock:
            _Shared.users -= 1
            if _Shared.users == 0:
                _stop()
