"""``python -m benchmarks.http_throughput``: what a cache hit costs, over real HTTP.

Three uvicorn servers with the same settings (1 worker, uvloop, httptools, no
access log) run side by side on the ``--scale`` dataset:

* ``bare``: ``benchmarks/bare_redis.py``, one Redis GET of the same bytes the
  portal serves for the products page (the yardstick);
* ``cache on`` and ``cache off``: the portal with ``PORTAL_CACHE=on`` / ``off``.

wrk drives five arms — bare; products page cached and uncached; a heavy
buyer's orders cached and uncached — interleaved (the order rotates every
repetition), each after a warm-up, and the medians give the ratios issue 4
asks for: cached products hit vs bare (goal ≥ 0.70), products cache on vs off
(goal ≥ 3x), orders cache on vs off. A result folder keeps every run.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import redis

from benchmarks.bare_redis import DEFAULT_KEY
from benchmarks.results import ResultFolder, write_json_atomically
from benchmarks.wrk import WrkMissing, WrkRun, run_wrk, wrk_path
from portal.cli_args import dataset_seed, output_folder, positive_float, positive_int
from portal.datagen import SCALES, load_dataset
from portal.db.indexes import set_indexes
from portal.devstack import ServiceUnavailable, ensure_database, free_port, services

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = "/api/products?limit=20"
ORDERS = "/api/orders?limit=20"
UVICORN = ["--host", "127.0.0.1", "--workers", "1", "--loop", "uvloop", "--http", "httptools"]
UVICORN += ["--no-access-log", "--log-level", "warning"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.http_throughput",
        description="Throughput of the portal's cached hit path vs a bare Redis GET endpoint, "
        "and cache on vs off, over HTTP with wrk.",
    )
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--seed", type=dataset_seed, default=1)
    parser.add_argument("--seconds", type=positive_float, default=5.0, help="per measured run")
    parser.add_argument("--warmup", type=positive_float, default=2.0, help="per run, discarded")
    parser.add_argument("--repetitions", type=positive_int, default=3)
    parser.add_argument("--connections", type=positive_int, default=32)
    parser.add_argument(
        "--indexes", choices=["on", "off", "keep"], default="on", help="default: on"
    )
    parser.add_argument("--results", type=output_folder, default="results")
    return parser


class Server:
    """One uvicorn process; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, name: str, target: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", target, "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, *UVICORN], cwd=ROOT, env={**os.environ, **env}, stdin=subprocess.DEVNULL
        )
        self.stats = psutil.Process(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, ok: tuple[int, ...] = (200,), timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + path, timeout=5).status_code in ok:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout_s} s")

    def cpu_s(self) -> float:
        times = self.stats.cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def heavy_buyer(database_url: str, tokens_csv: Path) -> tuple[int, str]:
    """The buyer with the most orders, and its token from the generator's file."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT o.user_id FROM orders o JOIN users u ON u.id = o.user_id"
            " WHERE u.role = 'buyer' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()
    assert row is not None, "the dataset has no orders"
    with tokens_csv.open() as handle:
        tokens = {int(r["user_id"]): r["token"] for r in csv.DictReader(handle)}
    return row[0], tokens[row[0]]


def measure(
    arms: dict[str, tuple[Server, str, dict[str, str]]], args: argparse.Namespace
) -> tuple[list[tuple[str, WrkRun]], list[dict[str, object]]]:
    """Every arm once per repetition, in an order that rotates: (arm, run) and JSON rows."""
    names = list(arms)
    runs: list[tuple[str, WrkRun]] = []
    rows: list[dict[str, object]] = []
    for repetition in range(args.repetitions):
        order = names[repetition % len(names) :] + names[: repetition % len(names)]
        for name in order:
            server, path, headers = arms[name]
            url = server.url + path
            run_wrk(url, seconds=args.warmup, connections=args.connections, headers=headers)
            cpu_before = server.cpu_s()
            run: WrkRun = run_wrk(
                url, seconds=args.seconds, connections=args.connections, headers=headers
            )
            server_cpu = server.cpu_s() - cpu_before
            runs.append((name, run))
            rows.append(
                {
                    "arm": name,
                    "repetition": repetition,
                    **asdict(run),
                    "server_cpu_s": round(server_cpu, 3),
                    "server_cpu_share": round(server_cpu / run.seconds, 3),
                    # This 2-core machine is shared: a high load says "suspect run".
                    "loadavg_1m": round(os.getloadavg()[0], 2),
                }
            )
            print(
                f"  rep {repetition} {name:<18} {run.requests_per_s:>9,.0f} req/s"
                f"  p50 {run.latency_ms.get('p50', 0):6.2f} ms  errors {run.errors}"
                f"  server CPU {server_cpu / run.seconds:4.0%}"
                f"  wrk CPU {run.wrk_cpu_s / run.seconds:4.0%}",
                flush=True,
            )
    return runs, rows


@dataclass(frozen=True)
class Summary:
    medians: dict[str, float]  # requests/s per arm
    ratios: dict[str, float]
    errors: int

    def as_json(self) -> dict[str, object]:
        return {
            "median_requests_per_s": self.medians,
            "ratios": self.ratios,
            "goals": {"products_hit_vs_bare": 0.70, "products_cache_on_vs_off": 3.0},
            "errors": self.errors,
        }


def summarise(runs: list[tuple[str, WrkRun]]) -> Summary:
    arms = list(dict.fromkeys(arm for arm, _ in runs))
    medians = {
        arm: statistics.median(run.requests_per_s for name, run in runs if name == arm)
        for arm in arms
    }
    ratios = {
        "products_hit_vs_bare": medians["products cached"] / medians["bare redis GET"],
        "products_cache_on_vs_off": medians["products cached"] / medians["products uncached"],
        "orders_cache_on_vs_off": medians["orders cached"] / medians["orders uncached"],
    }
    return Summary(medians, ratios, sum(run.errors for _, run in runs))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        wrk_path()
        with services() as stack:
            print(stack.describe(), flush=True)
            database_url = ensure_database(stack.database_url, f"perfproof_{args.scale}")
            dataset = load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            if args.indexes != "keep":
                set_indexes(database_url, args.indexes)
            assert dataset.tokens_path is not None
            user_id, token = heavy_buyer(database_url, dataset.tokens_path)
            return run(args, stack.redis_url, database_url, user_id, token)
    except (ServiceUnavailable, WrkMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run(
    args: argparse.Namespace, redis_url: str, database_url: str, user_id: int, token: str
) -> int:
    auth = {"Authorization": f"Bearer {token}"}
    portal_env = {"PORTAL_DATABASE_URL": database_url, "PORTAL_REDIS_URL": redis_url}
    portal = "portal.app:create_app_from_env"
    servers = {
        "on": Server("cache on", portal, portal_env | {"PORTAL_CACHE": "on"}),
        "off": Server("cache off", portal, portal_env | {"PORTAL_CACHE": "off"}),
        "bare": Server("bare", "benchmarks.bare_redis:create_app", {"BARE_REDIS_URL": redis_url}),
    }
    folder = ResultFolder(
        args.results,
        f"http-{args.scale}",
        {
            "kind": "http_throughput",
            "scale": args.scale,
            "seed": args.seed,
            "arms": ["bare redis GET", "products cached/uncached", "orders cached/uncached"],
            "uvicorn": UVICORN,
            "load_generator": f"wrk -t1 -c{args.connections}",
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "repetitions": args.repetitions,
            "indexes": args.indexes,
            "orders_user_id": user_id,
        },
    )
    try:
        servers["on"].wait_ready("/healthz")
        servers["off"].wait_ready("/healthz")
        servers["bare"].wait_ready("/bare", ok=(200, 404))  # up, whether or not the key is set
        # The bare endpoint serves exactly the bytes of the portal's products page.
        page = httpx.get(servers["off"].url + PRODUCTS, headers=auth, timeout=10)
        page.raise_for_status()
        with redis.Redis.from_url(redis_url) as client:
            client.set(DEFAULT_KEY, page.content)
        servers["bare"].wait_ready("/bare")
        for _ in range(2):  # a miss, then the hit the cached arm measures
            check = httpx.get(servers["on"].url + PRODUCTS, headers=auth, timeout=10)
        if check.headers.get("x-cache") != "HIT":
            raise RuntimeError(f"the cached arm does not hit: {check.headers}")
        print(f"products page: {len(page.content):,} bytes; orders of user {user_id}", flush=True)
        arms = {
            "bare redis GET": (servers["bare"], "/bare", {}),
            "products cached": (servers["on"], PRODUCTS, auth),
            "products uncached": (servers["off"], PRODUCTS, auth),
            "orders cached": (servers["on"], ORDERS, auth),
            "orders uncached": (servers["off"], ORDERS, auth),
        }
        runs, rows = measure(arms, args)
    finally:
        for server in servers.values():
            server.stop()
        with redis.Redis.from_url(redis_url) as client:
            client.delete(DEFAULT_KEY)
    summary = summarise(runs)
    write_json_atomically(folder.file("http_throughput.json"), {"runs": rows, **summary.as_json()})
    folder.finish(ok=True)
    ratios = summary.ratios
    print(f"\nMedians over {args.repetitions} interleaved repetitions ({args.seconds:g} s each):")
    for arm, rate in summary.medians.items():
        print(f"  {arm:<18} {rate:>9,.0f} req/s")
    print(f"  products hit / bare Redis GET: {ratios['products_hit_vs_bare']:.2f} (goal >= 0.70)")
    print(f"  products cache on / off: {ratios['products_cache_on_vs_off']:.2f}x (goal >= 3x)")
    print(f"  orders cache on / off: {ratios['orders_cache_on_vs_off']:.2f}x")
    print(f"  errors: {summary.errors}\nresults: {folder.path}")
    return 0 if summary.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
