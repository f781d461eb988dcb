"""The CPU meter counts processes that ended inside the window (a real process tree)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from loadtests.cpu import CpuMeter

# A parent that runs three children one after another, each burning about 0.3 s
# of CPU and exiting: what PostgreSQL's parallel workers and short backends do.
PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    time.sleep(0.5)
    burn = "import time\\nend = time.process_time() + 0.3\\nwhile time.process_time() < end: pass"
    for _ in range(3):
        subprocess.run([sys.executable, "-c", burn], check=True)
    time.sleep(30)
    """
)


def test_cpu_of_children_that_exited_within_the_window_is_counted() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT])
    try:
        meter = CpuMeter(generator_pid=parent.pid, portal_pid=os.getpid())
        time.sleep(0.2)
        meter.start()
        time.sleep(3.0)  # the children have run and exited by now
        started = time.monotonic()
        shares = meter.stop()
        wall = 3.0 + (time.monotonic() - started)
    finally:
        parent.kill()
        parent.wait()
    burned = shares["generator"] * wall
    assert 0.8 <= burned <= 2.0, shares  # three children of 0.3 s each, plus start-up
