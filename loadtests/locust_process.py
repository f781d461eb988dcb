"""The Locust child process: started headless on the locustfile, waited on, always stopped.

Both commands that generate load (``perfproof loadtest`` and ``perfproof faults``)
run Locust in a process of its own (it runs gevent: this process never imports it),
its files in the run folder under one name. The locustfile marks its phases with
files next to its out file, ``<out>.measuring`` when the warm-up is over and
``<out>.stopped`` when the load stopped: the parent times its snapshots and its
faults by them.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmarks.results import ResultFolder

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
EXIT_WAIT_S = 60.0  # Locust writes its statistics and HTML on the way out
STOP_WAIT_S = 15.0  # after SIGTERM, before SIGKILL

Phase = Literal["measuring", "stopped"]


@dataclass(frozen=True)
class LocustChild:
    """A running Locust and its out file (``load-<name>.json``, our recording)."""

    process: subprocess.Popen[bytes]
    out: Path

    def wait_for(self, phase: Phase, *, timeout_s: float) -> None:
        """Until the locustfile marks ``phase``; a RuntimeError if Locust exits or time runs out."""
        marker = Path(f"{self.out}.{phase}")
        deadline = time.monotonic() + timeout_s
        while not marker.exists():
            if self.process.poll() is not None and not marker.exists():
                raise RuntimeError(
                    f"Locust exited ({self.process.returncode}) before {marker.name}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"Locust did not reach {marker.name} within {timeout_s:g} s")
            time.sleep(0.05)

    def wait_exit(self) -> None:
        self.process.wait(timeout=EXIT_WAIT_S)


@contextmanager
def running_locust(
    host: str,
    folder: ResultFolder,
    name: str,
    *,
    users: int,
    seconds: float,
    processes: int,
    env: dict[str, str],
) -> Iterator[LocustChild]:
    """Locust headless on the locustfile, its files in ``folder`` under ``name``; stopped after.

    ``env`` adds the locustfile's settings (load data, model, rate, warm-up). However the
    block ends, a Locust still running is terminated (then killed).
    """
    out = folder.file(f"load-{name}.json").resolve()
    folder.file(f"locust-{name}.html")
    folder.file(f"locust-{name}.stats.json")  # Locust's final statistics (its CSV lags a second)
    folder.file(f"locust-{name}_stats.csv")
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", host,
        "--headless", "-u", str(users), "-r", str(users),
        # Locust takes whole seconds only ("614.2s" is refused): a fractional --duration
        # or --load-budget runs to the next second.
        "-t", f"{math.ceil(seconds)}s", "--stop-timeout", "5",
        "--csv", str(folder.path.resolve() / f"locust-{name}"),
        "--html", str(folder.path.resolve() / f"locust-{name}.html"),
        "--json-file", str(folder.path.resolve() / f"locust-{name}.stats"),
        "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    if processes > 1:
        command += ["--processes", str(processes)]
    child_env = {
        **os.environ,
        "PERFPROOF_LOAD_OUT": str(out),
        "PERFPROOF_GENERATORS": str(processes),
        **env,
    }
    output = folder.file(f"locust-{name}.log")
    with output.open("wb") as sink:
        process = subprocess.Popen(command, env=child_env, stdout=sink, stderr=subprocess.STDOUT)
    child = LocustChild(process, out)
    try:
        yield child
    finally:
        _stop(child.process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
