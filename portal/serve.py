"""``python -m portal serve``: run the portal under uvicorn on configured or embedded services.

Harnesses and tests that need the portal as a real server of its own (a
process they can pin to a CPU, measure and stop) start this same command as
a child with :func:`serving`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from portal.cli_args import positive_int, tcp_port
from portal.devstack import ServiceUnavailable, free_port, services
from portal.monitoring.multiproc import multiprocess_metrics


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the portal with uvicorn",
        description=(
            "Serve the portal over HTTP. Uses PORTAL_DATABASE_URL / PORTAL_REDIS_URL when set, "
            "else starts the embedded PostgreSQL and Redis (stopped again on exit). Other "
            "settings come from PORTAL_* variables (PORTAL_CACHE, PORTAL_INDEXES, ...)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default %(default)s)")
    parser.add_argument("--port", type=tcp_port, default=8000, help="port (default %(default)s)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="uvicorn worker processes (default %(default)s)",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        with services() as stack, multiprocess_metrics(args.workers) as metrics_dir:
            print(stack.describe(), flush=True)
            if metrics_dir is not None:
                print(f"Prometheus multiprocess metrics in {metrics_dir}", flush=True)
            # Worker processes read their settings from the environment.
            os.environ.update(stack.env())
            uvicorn.run(
                "portal.app:create_app_from_env",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                loop="uvloop",
                http="httptools",
                access_log=False,
                log_level=args.log_level,
            )
    except ServiceUnavailable as error:
        print(f"error: {error}")
        return 2
    return 0


@dataclass(frozen=True)
class ServedPortal:
    """A ``python -m portal serve`` child that answers ``/healthz``."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def serving(
    env: Mapping[str, str],
    *,
    workers: int = 1,
    log: Path | None = None,
    cpus: set[int] | None = None,
    start_timeout_s: float = 60.0,
) -> Iterator[ServedPortal]:
    """Run the portal in a child process on a free port until the block ends.

    ``env`` is the child's whole environment (its PORTAL_* settings); ``cpus``
    pins the server (with one worker the server is this one process) so that
    two servers compared with each other get the same CPU. A child that exits
    or stays silent raises ``RuntimeError`` with the end of its log.
    """
    port = free_port()
    command = [sys.executable, "-m", "portal", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    sink = log.open("wb") if log is not None else None
    try:
        process = subprocess.Popen(
            command, env=dict(env), stdout=subprocess.DEVNULL, stderr=sink or subprocess.DEVNULL
        )
    finally:
        if sink is not None:
            sink.close()
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(process.pid, cpus)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace")[-2000:] if log is not None else ""
                raise RuntimeError(f"the portal server did not start on {url}. {said}".strip())
            time.sleep(0.2)
        yield ServedPortal(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
