"""``perfproof serve``: run the portal under uvicorn on configured or embedded services."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

import uvicorn

from portal.cli.args import positive_int, tcp_port
from portal.cli.exit_codes import STOPPED_EXIT, Exit
from portal.devstack import ServiceUnavailable, services
from portal.monitoring.multiproc import multiprocess_metrics
from portal.stop_signals import received

APP = "portal.app:create_app_from_env"
# How the portal is served, here and by every harness that starts it as a
# server of its own: the fast event loop and HTTP parser, no access log (a log
# line per request would be most of a cache hit's cost).
UVICORN_OPTIONS: dict[str, Any] = {
    "loop": "uvloop",
    "http": "httptools",
    "access_log": False,
}


def uvicorn_flags() -> list[str]:
    """``UVICORN_OPTIONS`` as ``uvicorn`` command-line flags, for servers started as commands."""
    flags: list[str] = []
    for name, value in UVICORN_OPTIONS.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            flags.append(flag if value else "--no-" + flag[2:])
        else:
            flags += [flag, str(value)]
    return flags


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
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
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="uvicorn's log level (default %(default)s: errors and warnings only)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Serve until a stop signal, then stop the embedded servers.

    uvicorn takes SIGINT and SIGTERM itself: one worker shuts down gracefully,
    raises the signal again with the handler it found (``portal.stop_signals``)
    and swallows the ``KeyboardInterrupt``, so the exit code is taken from what
    that handler received. Several workers: uvicorn's supervisor keeps the
    signals (SIGHUP restarts the workers, as uvicorn documents) and exits 0.
    """
    try:
        with services() as stack, multiprocess_metrics(args.workers) as metrics_dir:
            print(stack.describe(), flush=True)
            if metrics_dir is not None:
                print(f"Prometheus multiprocess metrics in {metrics_dir}", flush=True)
            # Worker processes read their settings from the environment.
            os.environ.update(stack.env())
            print(f"Serving on http://{args.host}:{args.port} (Ctrl-C stops)", flush=True)
            uvicorn.run(
                APP,
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=args.log_level,
                **UVICORN_OPTIONS,
            )
    except ServiceUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT
    except SystemExit as stop:
        # uvicorn exits 3 when it cannot start (address in use, bad host) and
        # has said why in one line: a user mistake like any other.
        return Exit.BAD_INPUT if stop.code == 3 else int(stop.code or 0)
    stopped = received()
    return STOPPED_EXIT[signal.Signals(stopped)] if stopped is not None else 0
