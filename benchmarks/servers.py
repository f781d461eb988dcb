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
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

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
    with the end of its log; one whose port was taken between ``free_port()``
    and its bind (a connection of anyone on the machine may take it) is started
    again on another port, so a benchmark or check does not fail on that race.
    """
    child_env = dict(env)
    with multiprocess_metrics(workers, child_env), tempfile.TemporaryDirectory() as spare:
        log = log or Path(spare) / "server.log"  # read when the child fails to start
        log.write_bytes(b"")
        for attempt in range(1, PORT_ATTEMPTS + 1):
            port = free_port()
            offset = log.stat().st_size  # this attempt's lines (a lost port's stay above)
            process = _launch(port, app, workers, child_env, log)
            try:
                if cpus and hasattr(os, "sched_setaffinity"):
                    os.sched_setaffinity(process.pid, cpus)
                url = f"http://127.0.0.1:{port}"
                try:
                    _wait_until_ready(process, port, url + ready, ready_statuses, start_timeout_s,
                                      (log, offset))  # fmt: skip
                except _LostPort:
                    if attempt == PORT_ATTEMPTS:
                        raise RuntimeError(
                            f"the server lost the race for a free port {attempt} times; last {port}"
                        ) from None
                    continue
                yield Served(url, process)
                return
            finally:
                _stop(process)


PORT_ATTEMPTS = 3  # free_port() hands out a port; another socket may bind it before uvicorn does


class _LostPort(Exception):
    """The child exited because its port was taken between free_port() and its bind."""


def _launch(
    port: int, app: str, workers: int, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    command += uvicorn_flags()
    with log.open("ab") as sink:
        return subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sink
        )


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    port: int,
    url: str,
    statuses: tuple[int, ...],
    timeout_s: float,
    log: tuple[Path, int],
) -> None:
    """Until ``url`` answers from the child itself: uvicorn binds only after the app's
    startup, so a server that took the port meanwhile would answer first."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=1).status_code in statuses and _listens(process.pid, port):
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            path, offset = log
            with path.open("rb") as handle:
                handle.seek(offset)
                said = handle.read().decode(errors="replace")[-2000:]
            if process.returncode is not None and _BIND_FAILED in said.lower():
                raise _LostPort
            raise RuntimeError(f"the server did not start on {url}. {said}".strip())
        time.sleep(0.1)


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` (uvicorn's supervisor binds for its workers) listens on ``port``."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.AccessDenied:
        return True  # a platform that will not say: the answer on the port is taken as its
    except psutil.Error:
        return False
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in connections
    )


_BIND_FAILED = "address already in use"  # uvicorn's log line for EADDRINUSE


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
