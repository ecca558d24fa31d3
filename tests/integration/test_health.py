"""/api/health asks the database (Reflex's /ping does not), and the image's HEALTHCHECK reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from catalog_ui.api import api_routes
from catalog_ui.db import get_engine
from catalog_ui.settings import get_settings

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def test_healthy_with_the_database_up(engine: Engine) -> None:
    response = TestClient(api_routes()).get("/api/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_unavailable_with_the_database_down(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://catalog:db-Secret-1@127.0.0.1:5999/catalog")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        response = TestClient(api_routes()).get("/api/health")
    finally:
        get_engine().dispose()
        monkeypatch.undo()
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert response.status_code == 503
    # anybody may ask: the answer names no host, role or database; the log has the reason
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert "cannot reach the database at 127.0.0.1:5999: connection refused" in caplog.text


@pytest.fixture
def health_server() -> Iterator[tuple[int, list[int]]]:
    """A stand-in app on a free port answering /api/health with the status code last in the list."""
    statuses = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code = statuses[-1] if self.path == "/api/health" else 404
            self.send_response(code)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], statuses
    server.shutdown()
    server.server_close()


def test_the_image_healthcheck_follows_api_health(health_server: tuple[int, list[int]]) -> None:
    port, statuses = health_server
    line = next(
        line for line in DOCKERFILE.read_text().splitlines() if line.strip().startswith('CMD ["python", "-c"')
    )
    command = json.loads(line.strip().removeprefix("CMD "))
    env = {**os.environ, "PORT": str(port)}

    def check() -> int:
        return subprocess.run(
            [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30
        ).returncode

    assert check() == 0
    statuses.append(503)
    assert check() != 0
