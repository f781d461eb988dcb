"""``perfproof monitoring-cost``: throughput of cached ``GET /api/products``, monitoring on vs off.

    perfproof monitoring-cost                  # tiny data, 6 blocks x 20 pairs of 1 s
    perfproof monitoring-cost --blocks 10 --results results/
    perfproof monitoring-cost --calibrate      # A/A: both arms off, the noise floor

Two real servers (``benchmarks.servers.serving``: one uvicorn worker each, uvloop +
httptools, no access log) on 127.0.0.1, identical except for
``PORTAL_MONITORING``; wrk (one thread, keep-alive connections) loads them in
turn, A B B A …, so drift on a shared machine hits both arms alike. The route
is a cache hit on every request (checked first): the cheapest request the
portal serves, where a fixed per-request overhead weighs most.

Fresh servers per block: one Python process can run a few per cent faster
or slower than an identical one for its whole life (hash seed, memory
layout); an A/A run with one pair of processes for 200 pairs read a 6 %
"cost" between two identical servers. So each block starts both servers
anew (same ``PYTHONHASHSEED`` for both, a different one per block), the
effect is the median of the on/off throughput ratios of all pairs, and its
95 % interval comes from resampling whole blocks.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass

import httpx
import psutil

from benchmarks.servers import serving
from benchmarks.wrk import WrkMissing, run_wrk, wrk_path
from portal.cli.args import dataset_options, positive_float, positive_int, results_option
from portal.cli.commands import invoke
from portal.cli.exit_codes import Exit
from portal.datagen import database_for, load_dataset
from portal.datagen.tokens_file import read_tokens_file
from portal.devstack import ServiceUnavailable, ensure_database, services
from portal.files import write_json_atomically

PATH = "/api/products?limit=20"
ARMS = ("off", "on")

# On Linux with 2+ CPUs, wrk (and this script) run on the first CPU and both
# servers on the last: the arms then differ in their code only, not in which
# CPU the scheduler happened to give each server process.
_PINNING = hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2
LOAD_CPUS: set[int] = {0} if _PINNING else set()
SERVER_CPUS: set[int] = {(os.cpu_count() or 1) - 1} if _PINNING else set()


@dataclass
class ArmRun:
    arm: str
    block: int
    pair: int
    requests_per_s: float
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    server_cpu_s: float
    wrk_cpu_s: float


@contextmanager
def portal_server(
    arm: str, env: dict[str, str], *, calibrate: bool
) -> Iterator[tuple[str, psutil.Process]]:
    """The portal, one worker, ``PORTAL_MONITORING=arm`` (off if calibrating)."""
    monitoring = "off" if calibrate else arm
    with serving({**env, "PORTAL_MONITORING": monitoring}, cpus=SERVER_CPUS) as portal:
        yield portal.url, psutil.Process(portal.process.pid)


def check_cache_hit(url: str, headers: dict[str, str]) -> None:
    for _ in range(2):
        response = httpx.get(url + PATH, headers=headers, timeout=10)
        response.raise_for_status()
    if response.headers.get("x-cache") != "HIT":
        raise RuntimeError(f"{url}{PATH} is not served from the cache (PORTAL_CACHE=on?)")


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def measure(args: argparse.Namespace) -> dict[str, object]:
    if LOAD_CPUS:
        os.sched_setaffinity(0, LOAD_CPUS)  # wrk inherits it
    with services() as running:
        print(running.describe(), flush=True)
        url = ensure_database(running.database_url, database_for(args.scale))
        loaded = load_dataset(url, scale=args.scale, seed=args.seed, progress=True)
        assert loaded.tokens_path is not None
        buyer = next(u for u in read_tokens_file(loaded.tokens_path) if u.role == "buyer")
        headers = buyer.headers
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": url,
            "PORTAL_REDIS_URL": running.redis_url,
            "PORTAL_CACHE": "on",
        }
        runs: list[ArmRun] = []
        for block in range(args.blocks):
            runs += run_block(block, args, {**env, "PYTHONHASHSEED": str(block + 1)}, headers)
    return summarise(runs, args)


def run_block(
    block: int, args: argparse.Namespace, env: dict[str, str], headers: dict[str, str]
) -> list[ArmRun]:
    """Start both servers afresh, warm them up, run ``args.pairs`` interleaved pairs."""
    runs: list[ArmRun] = []
    with ExitStack() as stack:
        starting = ARMS if block % 2 == 0 else ARMS[::-1]
        servers = {
            arm: stack.enter_context(portal_server(arm, env, calibrate=args.calibrate))
            for arm in starting
        }
        for base, _ in servers.values():
            check_cache_hit(base, headers)
            run_wrk(base + PATH, seconds=args.warmup, connections=args.connections, headers=headers)
        for pair in range(args.pairs):
            for arm in ARMS if (pair + block) % 2 == 0 else ARMS[::-1]:
                base, process = servers[arm]
                before = cpu_seconds(process)
                run = run_wrk(
                    base + PATH, seconds=args.seconds, connections=args.connections, headers=headers
                )
                runs.append(
                    ArmRun(
                        arm=arm,
                        block=block,
                        pair=pair,
                        requests_per_s=run.requests_per_s,
                        errors=run.errors,
                        p50_ms=run.latency_ms.get("p50"),
                        p99_ms=run.latency_ms.get("p99"),
                        server_cpu_s=round(cpu_seconds(process) - before, 3),
                        wrk_cpu_s=run.wrk_cpu_s,
                    )
                )
    block_ratio = statistics.median(
        pair_ratio(runs[i], runs[i + 1]) for i in range(0, len(runs), 2)
    )
    print(f"block {block}: on/off {block_ratio:.4f} over {args.pairs} pairs", flush=True)
    return runs


def pair_ratio(first: ArmRun, second: ArmRun) -> float:
    on, off = (first, second) if first.arm == "on" else (second, first)
    return on.requests_per_s / off.requests_per_s


def cluster_bootstrap(blocks: list[list[float]], *, rounds: int = 5000) -> tuple[float, float]:
    """95 % interval of the pooled median, resampling whole blocks (seeded: reruns agree)."""
    rng = random.Random(1)
    medians = sorted(
        statistics.median([v for block in rng.choices(blocks, k=len(blocks)) for v in block])
        for _ in range(rounds)
    )
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975) - 1]


def summarise(runs: list[ArmRun], args: argparse.Namespace) -> dict[str, object]:
    pairs = [(runs[i], runs[i + 1]) for i in range(0, len(runs), 2)]
    by_block: dict[int, list[float]] = {}
    cpu_ratios: list[float] = []
    for first, second in pairs:
        by_block.setdefault(first.block, []).append(pair_ratio(first, second))
        on, off = (first, second) if first.arm == "on" else (second, first)
        # Server CPU per request: a second view, less sensitive than throughput
        # to a neighbour taking the CPU away for a while.
        cpu_ratios.append(
            (on.server_cpu_s / on.requests_per_s) / (off.server_cpu_s / off.requests_per_s)
        )
    ratios = [ratio for block in by_block.values() for ratio in block]
    median_ratio = statistics.median(ratios)
    low, high = cluster_bootstrap(list(by_block.values()))
    return {
        "calibration": args.calibrate,
        "cpu_pinning": {"load": sorted(LOAD_CPUS), "servers": sorted(SERVER_CPUS)},
        "path": PATH,
        "scale": args.scale,
        "connections": args.connections,
        "seconds_per_run": args.seconds,
        "blocks": args.blocks,
        "pairs_per_block": args.pairs,
        "median_rps": {
            arm: statistics.median(r.requests_per_s for r in runs if r.arm == arm) for arm in ARMS
        },
        "block_ratios_on_over_off": [round(statistics.median(b), 4) for b in by_block.values()],
        "median_ratio": round(median_ratio, 4),
        "median_ratio_ci95": [round(low, 4), round(high, 4)],
        "cost_percent": round((1 - median_ratio) * 100, 2),
        "cost_percent_ci95": [round((1 - high) * 100, 2), round((1 - low) * 100, 2)],
        "cpu_per_request_ratio_on_over_off": round(statistics.median(cpu_ratios), 4),
        "errors": sum(r.errors for r in runs),
        "runs": [asdict(r) for r in runs],
    }


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Throughput of a cached GET /api/products with monitoring on vs off, over "
        "HTTP with wrk (apt-get install wrk): fresh server pairs per block, interleaved pairs "
        "of wrk runs, a 95 % interval from resampling blocks (it needs 2 blocks or more). "
        "--calibrate runs the same with both arms off (the noise floor).",
        epilog="Exit codes: 0 done, 1 wrk saw errors, 2 bad option, no wrk or no service.",
    )
    # A cache hit costs the same on any data size; tiny loads in a second.
    dataset_options(parser, scale="tiny")
    # Many short pairs beat a few long ones on a shared machine: a neighbour's
    # burst then lands inside one pair and the median sets it aside.
    parser.add_argument("--seconds", type=positive_float, default=1.0, help="per run (default 1)")
    parser.add_argument("--warmup", type=positive_float, default=3.0, help="per server (default 3)")
    parser.add_argument(
        "--blocks", type=positive_int, default=6, help="fresh server pairs (default 6)"
    )
    parser.add_argument(
        "--pairs", type=positive_int, default=20, help="pairs per block (default 20)"
    )
    parser.add_argument("--connections", type=positive_int, default=32, help="wrk -c (default 32)")
    results_option(parser, default=None, what="folder for monitoring-cost.json")
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="A/A run: both servers with monitoring off, to see this machine's noise floor",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        wrk_path()  # before any server starts or data loads
        summary = measure(args)
    except (ServiceUnavailable, WrkMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT
    print(
        f"monitoring on/off throughput ratio {summary['median_ratio']} "
        f"(95 % CI {summary['median_ratio_ci95']}): cost {summary['cost_percent']} % "
        f"(95 % CI {summary['cost_percent_ci95']} %); server CPU per request on/off "
        f"{summary['cpu_per_request_ratio_on_over_off']}; median req/s {summary['median_rps']}; "
        f"per block {summary['block_ratios_on_over_off']}"
    )
    if args.results is not None:
        name = "monitoring-cost-calibration.json" if args.calibrate else "monitoring-cost.json"
        write_json_atomically(args.results / name, summary)
    if args.blocks < 2:
        print("one block: the interval needs 2 or more blocks to resample (--blocks)")
    if summary["errors"]:
        print(f"wrk saw {summary['errors']} errors: the throughput above is not trustworthy")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(
        invoke(sys.modules[__name__], sys.argv[1:], prog="python -m benchmarks.monitoring_cost")
    )
