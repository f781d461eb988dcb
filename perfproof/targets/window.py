"""One measured window of a team's load: Locust started, its window's edges awaited, stopped.

A Locust process per window (about a second to start: paid outside the
window), on the team's Locust file (or the declared mix) with perfproof's
recording beside it (``recording_locustfile.py``), in a process group of
its own so that stopping it stops everything it started. The recording marks
the measured window's edges; the evidence (``evidence.py``) is read at those
edges, so every figure of a window covers the same seconds.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from loadtests.recorder import Recorder
from perfproof.targets import recording_settings as recording
from perfproof.targets.recording_settings import RECORDING

START_TIMEOUT_S = 60.0  # Locust's imports and the team file's own start
STOP_WAIT_S = 10.0

Model = Literal["closed", "open"]


class WindowFailed(RuntimeError):
    """Locust could not run the team's load; the message is the one line to show."""


class OpenUnavailable(RuntimeError):
    """The open model cannot start these users' tasks one at a time; the message says why."""


@dataclass(frozen=True)
class Load:
    """What Locust runs: the Locust file, its environment, the closed model's users."""

    locustfile: Path
    env: dict[str, str]
    users: int
    hit_header: str | None


@dataclass
class WindowResult:
    recorded: Recorder
    seconds: float  # the measured window, as the parent saw its edges
    edges: dict[str, Any] = field(default_factory=dict)  # what ``at_edges`` returned
    generator_pid: int = 0


def run_window(
    load: Load,
    url: str,
    out: Path,
    *,
    model: Model,
    warmup_s: float,
    window_s: float,
    rate: float | None = None,
    seed: int = 1,
    at_edges: Callable[[int], Callable[[], dict[str, Any]]] | None = None,
) -> WindowResult:
    """One window of ``model`` load on ``url``; its recording kept as ``out``.

    ``at_edges(generator_pid)`` is called as the window opens and returns what to call
    as it closes (the evidence's readers)."""
    for stale in out.parent.glob(out.name + ".*"):
        stale.unlink()
    users = 1 if model == "open" else load.users
    # A bound, not the window: the recording ends the closed model at its window's end and
    # the open model once its last start is answered.
    seconds = warmup_s + window_s + recording.ANSWER_TIMEOUT_S
    command = [
        sys.executable, "-m", "locust", "-f", f"{load.locustfile},{RECORDING}",
        "--host", url, "--headless", "-u", str(users), "-r", str(users),
        "-t", f"{math.ceil(seconds)}s", "--stop-timeout", "5", "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    if model == "open":
        command.append(recording.DRIVER)
    env = {
        **os.environ, **load.env,
        recording.OUT_ENV: str(out),
        recording.MODEL_ENV: model,
        recording.WARMUP_ENV: f"{warmup_s:g}",
        recording.WINDOW_ENV: f"{window_s:g}",
        recording.SEED_ENV: str(seed),
    }  # fmt: skip
    if rate is not None:
        env[recording.RATE_ENV] = f"{rate:g}"
    if load.hit_header:
        env[recording.HIT_HEADER_ENV] = load.hit_header
    log = out.with_suffix(".log")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait(process, out, "measuring", START_TIMEOUT_S + warmup_s, log)
        closing = at_edges(process.pid) if at_edges else None
        opened = time.monotonic()
        _wait(process, out, "measured", window_s + 30.0, log)
        measured = time.monotonic() - opened
        edges = closing() if closing else {}
        process.wait(timeout=seconds + 60.0)
        _raise_said(out, log)
        if not out.exists():
            raise WindowFailed(f"Locust exited ({process.returncode}) without its recording: "
                               f"{_tail(log)} (log: {log})")  # fmt: skip
        recorded = Recorder.from_document(json.loads(out.read_text()))
        return WindowResult(recorded, measured, edges, process.pid)
    finally:
        stop_group(process)
        for mark in ("measuring", "measured"):  # the edges' signals, not evidence
            Path(f"{out}.{mark}").unlink(missing_ok=True)


def _wait(process: subprocess.Popen[bytes], out: Path, mark: str, timeout_s: float,
          log: Path) -> None:  # fmt: skip
    marker = Path(f"{out}.{mark}")
    deadline = time.monotonic() + timeout_s
    while not marker.exists():
        _raise_said(out, log)
        if process.poll() is not None:
            _raise_said(out, log)
            raise WindowFailed(f"Locust exited ({process.returncode}) before the window "
                               f"{'opened' if mark == 'measuring' else 'closed'}: {_tail(log)} "
                               f"(log: {log})")  # fmt: skip
        if time.monotonic() > deadline:
            raise WindowFailed(f"Locust did not reach {marker.name} within {timeout_s:g} s "
                               f"(log: {log})")  # fmt: skip
        time.sleep(0.02)


def _raise_said(out: Path, log: Path) -> None:
    unavailable = Path(f"{out}.unavailable")
    if unavailable.exists():
        raise OpenUnavailable(unavailable.read_text().strip())
    failed = Path(f"{out}.failed")
    if failed.exists():
        raise WindowFailed(f"{failed.read_text().strip()} (log: {log})")


def _tail(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "it printed nothing"


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to Locust's process group, SIGKILL after a grace period."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_WAIT_S)
