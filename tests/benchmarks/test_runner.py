"""Ctrl-C during `python -m benchmarks` (`nox -s bench`) says so; no run looks complete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from portal.devstack import Services

ROOT = Path(__file__).resolve().parents[2]


def test_ctrl_c_marks_the_run_unfinished_and_explains_in_one_line(
    stack: Services, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": stack.database_url,
        "PORTAL_REDIS_URL": stack.redis_url,
    }
    command = [sys.executable, "-m", "benchmarks", "--scale", "tiny", "--results", str(tmp_path)]
    # Its own process group, so the interrupt reaches the runner and its pytest
    # child together, as Ctrl-C in a terminal does.
    run = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("*/manifest.json")):  # the run folder exists: pytest starts
        assert run.poll() is None and time.monotonic() < deadline, run.stdout
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    (manifest_path,) = tmp_path.glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    assert run.returncode == 130, output
    assert manifest["finished"] is False and manifest["interrupted"] is True
    assert output.rstrip().splitlines()[-1].startswith("interrupted: partial results in")
    assert "Traceback" not in output
