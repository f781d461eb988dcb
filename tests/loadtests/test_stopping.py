"""The load test runner stops what it started: when a server dies under it, and on Ctrl-C.

Real runs at tiny with one arm; every process the runner started (portal,
Locust) is noted while it runs and must be gone when it has returned.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from portal.datagen import dataset_fingerprint
from portal.devstack import Services, ensure_database


def start(stack: Services, results: Path, *extra: str) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "perfproof", "loadtest", "--profile", "quick", "--scale",
        "tiny", "--arms", "all-on", "--repetitions", "1", "--model", "closed", "--warmup", "1",
        "--results",
        str(results), *extra,
    ]  # fmt: skip
    return subprocess.Popen(
        command, env={**os.environ, **stack.env()}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


def measuring(results: Path, runner: subprocess.Popen[str]) -> list[psutil.Process]:
    """Wait for the measured window; the runner's descendants (portal, Locust) then."""
    deadline = time.monotonic() + 120
    while not list(results.glob("*/load-*.json.measuring")):
        assert runner.poll() is None and time.monotonic() < deadline, runner.stdout
        time.sleep(0.1)
    return psutil.Process(runner.pid).children(recursive=True)


def gone(processes: list[psutil.Process]) -> bool:
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def manifest_of(results: Path) -> dict[str, Any]:
    (path,) = results.glob("*/manifest.json")
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_a_server_that_dies_is_recorded_and_nothing_is_left(
    stack: Services, tmp_path: Path
) -> None:
    runner = start(stack, tmp_path, "--duration", "5")
    started = measuring(tmp_path, runner)
    (portal,) = [p for p in started if "uvicorn" in " ".join(p.cmdline())]
    portal.kill()
    output, _ = runner.communicate(timeout=180)
    assert runner.returncode == 0, output
    manifest = manifest_of(tmp_path)
    (run,) = manifest["runs"]
    assert any("died" in problem for problem in run["problems"])
    assert "the portal server died" in output
    assert gone(started)
    # Checkouts and top-ups grew the rows: the next run must not reuse them as generated.
    assert dataset_fingerprint(ensure_database(stack.database_url, "perfproof_tiny")) is None


def test_ctrl_c_stops_everything_and_says_what_finished(stack: Services, tmp_path: Path) -> None:
    runner = start(stack, tmp_path, "--duration", "20", "--repetitions", "2")
    started = measuring(tmp_path, runner)
    os.killpg(runner.pid, signal.SIGINT)
    output, _ = runner.communicate(timeout=120)
    assert runner.returncode == 130, output
    manifest = manifest_of(tmp_path)
    assert manifest["finished"] is False and manifest["interrupted"] is True
    assert manifest["runs"] == []  # the one that was running did not finish
    assert "interrupted: partial results in" in output
    assert "Traceback" not in output
    assert gone(started)
