"""The reports page while the workers cannot be reached (Redis down): uploads, scans and retries still
register their reports as pending, say so, and never leave a button spinning; a reload shows a fresh page.

The page's state runs in another process whose REDIS_URL names a port nothing listens on: the broker is
chosen when `workers.actors` is first imported, so this process's (the in-memory one, or the Redis of
test_workers) cannot be turned off.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from catalog_ui.models import Report
from catalog_ui.services import reports
from catalog_ui.state.reports import ReportsState
from tests.s3 import S3Endpoint, clear_storage_caches
from tests.states import state_for

ROOT = Path(__file__).resolve().parents[2]
DAY_ONE = ROOT / "tests" / "fixtures" / "reports" / "cms_videos_2026-03-01.csv"
NOT_STARTED = "ingestion starts when the workers can be reached."

# Runs one handler of the page's state, signed in with argv[1]; prints the state's flags, the rows it
# shows and the text of the events it returned.
PAGE = textwrap.dedent(
    """
    import asyncio, io, json, sys
    from pathlib import Path
    import reflex as rx
    from catalog_ui.state.reports import ReportsState
    from tests.states import state_for

    token, action, argument = sys.argv[1:4]
    state = state_for(ReportsState, token)
    state.upload_open = True

    async def collect(events):
        return [event async for event in events]

    if action == "upload":
        path = Path(argument)
        upload = rx.UploadFile(file=io.BytesIO(path.read_bytes()), path=Path(path.name))
        events = asyncio.run(collect(ReportsState.upload_report.fn(state, [upload])))
    elif action == "scan":
        events = asyncio.run(collect(ReportsState.scan_now.fn(state)))
    else:
        events = [ReportsState.retry.fn(state, int(argument))]
    print(json.dumps({
        "uploading": state.uploading,
        "scanning": state.scanning,
        "upload_open": state.upload_open,
        "rows": [row.status for row in state.rows],
        "events": " ".join(str(event) for event in events),
    }))
    """
)


@pytest.fixture
def redis_down() -> str:
    """A Redis URL on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/11"


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[dict[str, str]]:
    """No S3: uploads are kept under a temporary DATA_DIR (the environment of the page's process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
    yield {
        **env,
        "DATA_DIR": str(tmp_path / "data"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }


def page(token: str, action: str, argument: str, env: dict[str, str], redis_url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PAGE, token, action, argument],
        cwd=ROOT,
        env={**env, "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def statuses(session: Session) -> list[str]:
    session.expire_all()
    found = list(session.execute(select(Report.status).order_by(Report.id)).scalars())
    session.commit()
    return found


def test_an_upload_with_redis_down_is_registered_says_so_and_stops_spinning(
    session: Session, token: str, local_storage: dict[str, str], redis_down: str
) -> None:
    shown = page(token, "upload", str(DAY_ONE), local_storage, redis_down)

    assert (shown["uploading"], shown["upload_open"], shown["rows"]) == (False, False, ["pending"])
    assert f"1 report stored and registered; {NOT_STARTED}" in shown["events"]
    assert "ingestion started" not in shown["events"]
    assert statuses(session) == ["pending"]  # the workers' next scan sends it


def test_a_scan_with_redis_down_registers_the_new_files_says_so_and_stops_spinning(
    session: Session, token: str, s3_endpoint: S3Endpoint, s3_bucket: str, redis_down: str
) -> None:
    s3_endpoint.client().put_object(Bucket=s3_bucket, Key="reports/cms_videos_2026-03-01.csv", Body=b"x")

    shown = page(token, "scan", "", dict(os.environ), redis_down)

    assert (shown["scanning"], shown["rows"]) == (False, ["pending"])
    assert f"1 new report found and registered; {NOT_STARTED}" in shown["events"]
    assert statuses(session) == ["pending"]


def test_a_retry_with_redis_down_leaves_the_report_pending_and_says_so(
    session: Session, token: str, local_storage: dict[str, str], redis_down: str
) -> None:
    report, _ = reports.register_path(session, DAY_ONE)
    session.execute(update(Report).where(Report.id == report.id).values(status="error", error_message="x"))
    session.commit()

    shown = page(token, "retry", str(report.id), local_storage, redis_down)

    assert shown["rows"] == ["pending"]
    assert f"cms_videos_2026-03-01.csv is pending again; {NOT_STARTED}" in shown["events"]
    assert statuses(session) == ["pending"]


def test_a_reload_shows_no_dialog_or_spinner_left_from_before(session: Session, token: str) -> None:
    state = state_for(ReportsState, token)
    state.upload_open = state.uploading = state.scanning = True
    clear_storage_caches()

    ReportsState.load.fn(state)

    assert (state.upload_open, state.uploading, state.scanning) == (False, False, False)
