"""Run `python -m catalog_ui …` as an operator would: another process, with the repository on its path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_catalog_ui(
    *args: str, env: dict[str, str], cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`python -m catalog_ui *args` under `env` (PYTHONPATH added) in `cwd`; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "catalog_ui", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def printed_settings(env: dict[str, str], cwd: Path) -> dict[str, str]:
    """What `python -m catalog_ui settings` prints under `env`, by name (run in `cwd`, away from any .env);
    asserts that it succeeded."""
    done = run_catalog_ui("settings", env=env, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Secret" not in done.stdout + done.stderr  # the tests name every secret value "…Secret…"
    return dict(line.split("=", 1) for line in done.stdout.splitlines())
