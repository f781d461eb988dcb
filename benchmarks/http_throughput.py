"""``perfproof http-throughput``: what a cache hit costs, over real HTTP.

Three uvicorn servers with the same settings (1 worker, uvloop, httptools, no
access log) run side by side on the ``--scale`` dataset:

* ``bare``: ``benchmarks/bare_redis.py``, one Redis GET of the same bytes the
  portal serves for the products page (the yardstick);
* ``cache on`` and ``cache off``: the portal with ``PORTAL_CACHE=on`` / ``off``.

wrk drives five arms — bare; products page cached and uncached; a heavy
buyer's orders cached and uncached — interleaved (the order rotates every
repetition), each after a warm-up, and the medians give the cache's ratios:
cached products hit vs bare (goal ≥ 0.70), products cache on vs off (goal ≥
3x), orders cache on vs off. A result folder keeps every run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import redis

from benchmarks.bare_redis import DEFAULT_KEY
from benchmarks.picks import user
from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import Served, serving
from benchmarks.wrk import WrkMissing, WrkRun, run_wrk, wrk_path
from portal.cli.args import dataset_options, positive_float, positive_int, results_option
from portal.cli.commands import invoke
from portal.cli.exit_codes import Exit
from portal.cli.serve import UVICORN_OPTIONS
from portal.datagen import database_for, load_dataset
from portal.datagen.tokens_file import read_tokens_file
from portal.db.indexes import set_indexes
from portal.devstack import ServiceUnavailable, ensure_database, services
from portal.files import write_json_atomically

PRODUCTS = "/api/products?limit=20"
ORDERS = "/api/orders?limit=20"
BARE_APP = "benchmarks.bare_redis:create_app"


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Throughput of the portal's cached hit path vs a bare Redis GET endpoint, "
        "and cache on vs off, over HTTP with wrk (apt-get install wrk): five arms, "
        "interleaved, medians over the repetitions; a run folder under --results.",
        epilog="Exit codes: 0 done, 1 wrk saw errors, 2 bad option, no wrk or no service.",
    )
    dataset_options(parser, scale="small")
    parser.add_argument(
        "--seconds", type=positive_float, default=5.0, help="per measured run (default 5)"
    )
    parser.add_argument(
        "--warmup", type=positive_float, default=2.0, help="per run, discarded (default 2)"
    )
    parser.add_argument(
        "--repetitions", type=positive_int, default=3, help="runs per arm (default 3)"
    )
    parser.add_argument("--connections", type=positive_int, default=32, help="wrk -c (default 32)")
    parser.add_argument(
        "--indexes",
        choices=["on", "off", "keep"],
        default="on",
        help="switch the dataset's performance indexes first, and leave them so "
        "(default on; keep: as they are)",
    )
    results_option(parser)
    return parser


def heavy_buyer(database_url: str, tokens_csv: Path) -> tuple[int, str]:
    """The buyer with the most orders, and its token from the generator's file."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"SELECT {user('orders', 'heavy')}").fetchone()
    assert row is not None and row[0] is not None, "the dataset has no orders"
    tokens = {user.user_id: user.token for user in read_tokens_file(tokens_csv)}
    return row[0], tokens[row[0]]


@dataclass(frozen=True)
class Arm:
    server: Served
    path: str
    headers: dict[str, str]

    def cpu_s(self) -> float:
        times = psutil.Process(self.server.process.pid).cpu_times()
        return float(times.user + times.system)


def measure(
    arms: dict[str, Arm], args: argparse.Namespace
) -> tuple[list[tuple[str, WrkRun]], list[dict[str, object]]]:
    """Every arm once per repetition, in an order that rotates: (arm, run) and JSON rows."""
    names = list(arms)
    runs: list[tuple[str, WrkRun]] = []
    rows: list[dict[str, object]] = []
    for repetition in range(args.repetitions):
        order = names[repetition % len(names) :] + names[: repetition % len(names)]
        for name in order:
            arm = arms[name]
            url = arm.server.url + arm.path
            run_wrk(url, seconds=args.warmup, connections=args.connections, headers=arm.headers)
            cpu_before = arm.cpu_s()
            run: WrkRun = run_wrk(
                url, seconds=args.seconds, connections=args.connections, headers=arm.headers
            )
            server_cpu = arm.cpu_s() - cpu_before
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


def run(args: argparse.Namespace) -> int:
    try:
        wrk_path()
        with services() as stack:
            print(stack.describe(), flush=True)
            database_url = ensure_database(stack.database_url, database_for(args.scale))
            dataset = load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            if args.indexes != "keep":
                set_indexes(database_url, args.indexes)
            assert dataset.tokens_path is not None
            user_id, token = heavy_buyer(database_url, dataset.tokens_path)
            return compare(args, stack.redis_url, database_url, user_id, token)
    except (ServiceUnavailable, WrkMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT


def compare(
    args: argparse.Namespace, redis_url: str, database_url: str, user_id: int, token: str
) -> int:
    auth = {"Authorization": f"Bearer {token}"}
    portal_env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": redis_url,
    }
    settings = {
        "kind": "http_throughput",
        "scale": args.scale,
        "seed": args.seed,
        "arms": ["bare redis GET", "products cached/uncached", "orders cached/uncached"],
        "uvicorn": {"workers": 1, **UVICORN_OPTIONS},
        "load_generator": f"wrk -t1 -c{args.connections}",
        "seconds": args.seconds,
        "warmup_seconds": args.warmup,
        "repetitions": args.repetitions,
        "indexes": args.indexes,
        "orders_user_id": user_id,
    }
    with run_folder(args.results, f"http-{args.scale}", settings, tables=lambda _: None) as run:
        runs, rows = _measure_arms(args, portal_env, redis_url, auth, user_id)
        summary = summarise(runs)
        write_json_atomically(
            run.folder.file("http_throughput.json"), {"runs": rows, **summary.as_json()}
        )
    ratios = summary.ratios
    print(f"\nMedians over {args.repetitions} interleaved repetitions ({args.seconds:g} s each):")
    for arm, rate in summary.medians.items():
        print(f"  {arm:<18} {rate:>9,.0f} req/s")
    print(f"  products hit / bare Redis GET: {ratios['products_hit_vs_bare']:.2f} (goal >= 0.70)")
    print(f"  products cache on / off: {ratios['products_cache_on_vs_off']:.2f}x (goal >= 3x)")
    print(f"  orders cache on / off: {ratios['orders_cache_on_vs_off']:.2f}x")
    print(f"  errors: {summary.errors}\nresults: {run.folder.path}")
    return Exit.OK if summary.errors == 0 else Exit.CHECK_FAILED


def _measure_arms(
    args: argparse.Namespace,
    portal_env: dict[str, str],
    redis_url: str,
    auth: dict[str, str],
    user_id: int,
) -> tuple[list[tuple[str, WrkRun]], list[dict[str, object]]]:
    """The three servers, the page stored for the bare endpoint, then every arm under wrk."""
    try:
        with ExitStack() as running:
            on = running.enter_context(serving({**portal_env, "PORTAL_CACHE": "on"}))
            off = running.enter_context(serving({**portal_env, "PORTAL_CACHE": "off"}))
            # Up whether or not the key is set yet (404 until it is).
            bare_env = {**os.environ, "BARE_REDIS_URL": redis_url}
            bare = running.enter_context(
                serving(bare_env, app=BARE_APP, ready="/bare", ready_statuses=(200, 404))
            )
            # The bare endpoint serves exactly the bytes of the portal's products page.
            page = httpx.get(off.url + PRODUCTS, headers=auth, timeout=10)
            page.raise_for_status()
            with redis.Redis.from_url(redis_url) as client:
                client.set(DEFAULT_KEY, page.content)
            if httpx.get(bare.url + "/bare", timeout=10).status_code != 200:
                raise RuntimeError("the bare endpoint does not serve the stored page")
            for _ in range(2):  # a miss, then the hit the cached arm measures
                check = httpx.get(on.url + PRODUCTS, headers=auth, timeout=10)
            if check.headers.get("x-cache") != "HIT":
                raise RuntimeError(f"the cached arm does not hit: {check.headers}")
            print(f"products page: {len(page.content):,} bytes; orders of user {user_id}")
            arms = {
                "bare redis GET": Arm(bare, "/bare", {}),
                "products cached": Arm(on, PRODUCTS, auth),
                "products uncached": Arm(off, PRODUCTS, auth),
                "orders cached": Arm(on, ORDERS, auth),
                "orders uncached": Arm(off, ORDERS, auth),
            }
            runs, rows = measure(arms, args)
    finally:
        with redis.Redis.from_url(redis_url) as client:
            client.delete(DEFAULT_KEY)
    return runs, rows


if __name__ == "__main__":
    sys.exit(
        invoke(sys.modules[__name__], sys.argv[1:], prog="python -m benchmarks.http_throughput")
    )
