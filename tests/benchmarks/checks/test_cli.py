"""python -m benchmarks.checks, run as a user runs it: the file, the lines, the exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from portal.datagen import dataset_fingerprint
from portal.devstack import Services
from tests.benchmarks.checks.conftest import CHECKS_DATABASE

COMMAND = [sys.executable, "-m", "benchmarks.checks", "--scale", "tiny", "--seed", "1"]


def own_redis_servers() -> list[int]:
    """Redis servers running in a fallback check's temporary home (``checks-redis-*``)."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] == "redis-server" and "/checks-redis-" in process.cwd():
                found.append(process.pid)
        except psutil.Error:
            continue
    return found


def serving_portal(pid: int, timeout_s: float = 30) -> None:
    """Wait until process ``pid`` has a uvicorn child (the check's portal has been started)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            if any("uvicorn" in " ".join(c.cmdline()) for c in psutil.Process(pid).children()):
                return
        time.sleep(0.05)
    pytest.fail(f"no portal started by process {pid} within {timeout_s:.0f} s")


def environment(stack: Services, **changes: str) -> dict[str, str]:
    return {**os.environ, **stack.env(), **changes}


def test_a_run_writes_its_file_and_one_line_per_check(
    stack: Services, checks_database: str, tmp_path: Path
) -> None:
    out = tmp_path / "checks.json"
    done = subprocess.run(
        [*COMMAND, "--database", CHECKS_DATABASE, "--out", str(out),
         "--check", "monitoring-endpoints", "--check", "x-cache"],
        env=environment(stack), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("[1/2] x-cache: ") for line in lines)
    assert any(line.startswith("[2/2] monitoring-endpoints: ") for line in lines)
    assert any(line.startswith("x-cache PASSED: Sent two identical GETs") for line in lines)
    assert lines[-1].startswith("2 checks: 2 passed, 0 failed")
    written = json.loads(out.read_text())
    assert (written["finished"], written["interrupted"], written["scale"]) == (True, False, "tiny")
    assert [check["id"] for check in written["checks"]] == ["x-cache", "monitoring-endpoints"]
    first = written["checks"][0]
    assert set(first) == {"id", "passed", "tried", "observed", "problems", "seconds"}
    assert first["passed"] is True and first["problems"] == []
    # The checks add products: the next run regenerates the data rather than reuse it.
    assert dataset_fingerprint(checks_database) is None


def test_bad_input_and_no_service_are_one_line_and_exit_2(stack: Services, tmp_path: Path) -> None:
    cases = [
        (["--seed", "-3"], {}),
        (["--out", str(tmp_path)], {}),
        (["--check", "nope"], {}),
        (["--money-workers", "0"], {}),
        (["--money-workers", "1,x"], {}),
        (["--money-buyers", "0"], {}),
        (["--money-seconds", "soon"], {}),
        (["--out", str(tmp_path / "x.json")], {"PORTAL_REDIS_URL": "redis://127.0.0.1:1/0"}),
    ]
    for arguments, changes in cases:
        done = subprocess.run(
            [*COMMAND, *arguments], env=environment(stack, **changes),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2, (arguments, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert "error:" in done.stderr.strip().splitlines()[-1], done.stderr
        if changes:  # a service: our one line, not argparse's usage
            assert done.stderr.strip().startswith("error: Redis at 127.0.0.1:1"), done.stderr
            assert done.stderr.strip().count("\n") == 0, done.stderr


@pytest.mark.usefixtures("checks_database")
def test_the_money_load_is_the_one_asked_for(stack: Services, tmp_path: Path) -> None:
    out = tmp_path / "checks.json"
    done = subprocess.run(
        [*COMMAND, "--database", CHECKS_DATABASE, "--out", str(out), "--check", "money",
         "--money-buyers", "3", "--money-seconds", "2", "--money-workers", "1"],
        env=environment(stack), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (money,) = json.loads(out.read_text())["checks"]
    assert money["tried"].startswith("3 buyers at once for 2 s with 1 worker(s)"), money
    assert set(money["observed"]) == {"workers_1"}
    assert money["observed"]["workers_1"]["orders"] > 0


@pytest.mark.usefixtures("checks_database")
def test_more_money_buyers_than_the_data_has_is_one_line_and_exit_2(
    stack: Services, tmp_path: Path
) -> None:
    done = subprocess.run(
        [*COMMAND, "--database", CHECKS_DATABASE, "--out", str(tmp_path / "checks.json"),
         "--check", "money", "--money-buyers", "5000"],
        env=environment(stack), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]  # after the dataset's progress line
    assert line.startswith("error: ") and "5000 buyers" in line and "--money-buyers" in line, line


@pytest.mark.usefixtures("checks_database")
def test_ctrl_c_exits_130_and_says_it_did_not_finish(stack: Services, tmp_path: Path) -> None:
    out = tmp_path / "checks.json"
    child = subprocess.Popen(
        [*COMMAND, "--database", CHECKS_DATABASE, "--out", str(out), "--check", "fallback"],
        env=environment(stack), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(90, child.kill)
    watchdog.start()
    try:
        assert child.stdout is not None
        said = []
        for line in child.stdout:
            said.append(line)
            if line.startswith("[1/1] fallback"):
                break
        serving_portal(child.pid)  # inside the check: its Redis and portal are up
        assert own_redis_servers(), "the fallback check's Redis runs"
        child.send_signal(signal.SIGINT)  # at once: a check that had ended would exit 0
        time.sleep(0.2)
        child.send_signal(signal.SIGINT)  # an impatient second one must not cut the clean-up
        rest, errors = child.communicate(timeout=60)
    finally:
        watchdog.cancel()
    assert child.returncode == 130, "".join(said) + rest + errors
    assert "Traceback" not in errors
    written = json.loads(out.read_text())
    assert (written["finished"], written["interrupted"], written["checks"]) == (False, True, [])
    assert own_redis_servers() == []  # a daemon: only the check could have stopped it
