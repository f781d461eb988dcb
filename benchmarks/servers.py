"""Servers of their own: an ASGI app under uvicorn in a child process, on a free port.

Harnesses and tests that need a real server (a process they can pin to a CPU,
measure and stop) start it with :func:`serving`: the portal by default, or any
app factory such as the bare Redis endpoint, always with the options
``perfproof serve`` uses (``portal.cli.serve.UVICORN_OPTIONS``), so arms that
are compared differ in their app only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from portal.cli.serve import APP, uvicorn_flags
from portal.devstack import free_port
from portal.monitoring.multiproc import multiprocess_metrics


@dataclass(frozen=True)
class Served:
    """A child uvicorn process that answered its readiness check."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def serving(
    env: Mapping[str, str],
    *,
    app: str = APP,
    workers: int = 1,
    log: Path | None = None,
    cpus: set[int] | None = None,
    ready: str = "/healthz",
    ready_statuses: tuple[int, ...] = (200,),
    start_timeout_s: float = 60.0,
) -> Iterator[Served]:
    """Run ``app`` (a ``module:factory``) until the block ends; stopped with SIGTERM, then SIGKILL.

    ``env`` is the child's whole environment (for the portal, its PORTAL_*
    settings with both service URLs); ``cpus`` pins the server (with one
    worker the server is this one process) so that two servers compared with
    each other get the same CPU. Several workers share a Prometheus
    multiprocess folder (``PROMETHEUS_MULTIPROC_DIR`` of ``env``, else a
    temporary one). A child that exits or stays silent raises ``RuntimeError``
    with the end of its log.
    """
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    command += uvicorn_flags()
    child_env = dict(env)
    with multiprocess_metrics(workers, child_env):
        sink = log.open("wb") if log is not None else None
        try:
            process = subprocess.Popen(
                command,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=sink or subprocess.DEVNULL,
            )
        finally:
            if sink is not None:
                sink.close()
        try:
            if cpus and hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(process.pid, cpus)
            url = f"http://127.0.0.1:{port}"
            _wait_until_ready(process, url + ready, ready_statuses, start_timeout_s, log)
            yield Served(url, process)
        finally:
            _stop(process)


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    url: str,
    statuses: tuple[int, ...],
    timeout_s: float,
    log: Path | None,
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=1).status_code in statuses:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            said = log.read_text(errors="replace")[-2000:] if log is not None else ""
            raise RuntimeError(f"the server did not start on {url}. {said}".strip())
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
