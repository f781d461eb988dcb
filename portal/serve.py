"""``python -m portal serve``: run the portal under uvicorn on configured or embedded services."""

from __future__ import annotations

import argparse
import os

import uvicorn

from portal.devstack import ServiceUnavailable, services
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
    parser.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (default %(default)s)"
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("error: --workers must be at least 1")
        return 2
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
