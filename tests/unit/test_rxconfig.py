"""rxconfig takes what it sets from the app's settings: here, which X-Forwarded-For hops Reflex trusts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("hops", "expected"), [(None, "0"), ("2", "2")])
def test_trusted_proxy_hops_reach_reflex(hops: str | None, expected: str, tmp_path: Path) -> None:
    # Behind a reverse proxy, the sign-in throttle's client address must be the browser's, not the proxy's.
    env = {key: value for key, value in os.environ.items() if key != "TRUSTED_PROXY_HOPS"}
    if hops is not None:
        env["TRUSTED_PROXY_HOPS"] = hops
    done = subprocess.run(
        [sys.executable, "-c", "import rxconfig; print(rxconfig.config.trusted_proxy_hops)"],
        cwd=tmp_path,  # no .env from the work tree
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
