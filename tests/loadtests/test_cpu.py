"""The CPU meter counts processes that ended inside the window (a real process tree)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from loadtests.cpu import CpuMeter

# A parent that, once told to go, runs three children one after another, each
# burning about 0.3 s of CPU and exiting (what PostgreSQL's parallel workers and
# short backends do), says when they are done, and waits to be killed.
PARENT = textwrap.dedent(
    """
    import pathlib, subprocess, sys, time
    go, done = map(pathlib.Path, sys.argv[1:])
    while not go.exists():
        time.sleep(0.01)
    burn = "import time\\nend = time.process_time() + 0.3\\nwhile time.process_time() < end: pass"
    for _ in range(3):
        subprocess.run([sys.executable, "-c", burn], check=True)
    done.write_text("done")
    time.sleep(300)
    """
)


def test_cpu_of_children_that_exited_within_the_window_is_counted(tmp_path: Path) -> None:
    go, done = tmp_path / "go", tmp_path / "done"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(go), str(done)])
    try:
        meter = CpuMeter(generator_pid=parent.pid, portal_pid=os.getpid())
        meter.start()
        started = time.monotonic()
        go.write_text("go")
        deadline = started + 120
        while not done.exists():  # the children have run and exited
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        shares = meter.stop()
        wall = time.monotonic() - started
    finally:
        parent.kill()
        parent.wait()
    burned = shares["generator"] * wall
    assert 0.8 <= burned <= 2.0, shares  # three children of 0.3 s each, plus start-up


def test_a_process_outside_the_run_is_counted_as_the_machines_others(tmp_path: Path) -> None:
    """A neighbour burning CPU slows a window; the meter names it instead of the portal."""
    go, done = tmp_path / "go", tmp_path / "done"
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    neighbour = subprocess.Popen([sys.executable, "-c", PARENT, str(go), str(done)])
    try:
        meter = CpuMeter(generator_pid=idle.pid, portal_pid=idle.pid)
        meter.start()
        started = time.monotonic()
        go.write_text("go")
        deadline = started + 120
        while not done.exists():
            assert neighbour.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        shares = meter.stop()
        wall = time.monotonic() - started
    finally:
        for process in (idle, neighbour):
            process.kill()
            process.wait()
    assert shares["generator"] * wall < 0.1 and shares["portal"] * wall < 0.1
    assert shares["others"] * wall >= 0.8, shares  # the neighbour's 0.9 s, less rounding
    assert "steal" in shares  # the hypervisor's share, zero on bare metal
