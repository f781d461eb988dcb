"""``perfproof loadtest --cross-check``: Locust's p50 against wrk's on one cached endpoint.

The same connections, the same portal (cache and indexes on), one after the
other: if the two generators disagree by more than ``AGREEMENT``, the load
tests' latencies say more about Locust than about the portal.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import serving
from benchmarks.wrk import run_wrk
from loadtests import load_data
from loadtests.arms import ARMS_BY_NAME
from loadtests.context import RunContext
from loadtests.guard import run_problems
from loadtests.plan import Plan
from loadtests.recorder import latency_summary
from loadtests.runner import drive
from portal.cli.commands import stopped_exit_code
from portal.devstack import Services
from portal.files import write_json_atomically

CROSS_CHECK_PATH = "/api/products?limit=20"
AGREEMENT = 0.20  # the runner's p50 within this share of wrk's


def cross_check(
    args: argparse.Namespace,
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    data: load_data.LoadData,
) -> int:
    """wrk, then Locust, at ``plan.users`` connections on one cached endpoint: their p50s."""
    settings = {"kind": "loadtest-crosscheck", "scales": [args.scale], "path": CROSS_CHECK_PATH,
                "connections": plan.users, "duration_s": plan.duration_s, "runs": []}  # fmt: skip
    try:
        with run_folder(
            args.results, f"load-crosscheck-{args.scale}", settings, tables=lambda _: None
        ) as run:
            result = _cross_measure(plan, stack, database_url, data_path, data, run.folder)
            write_json_atomically(run.folder.file("crosscheck.json"), result)
    except KeyboardInterrupt as stop:  # the run folder says so, and where it is
        return stopped_exit_code(stop)
    locust, wrk, problems = result["locust"], result["wrk"], result["problems"]
    print(
        f"GET {CROSS_CHECK_PATH} at {plan.users} connections: Locust p50 "
        f"{locust['p50_ms']:.2f} ms ({locust['requests_per_s']:,.0f} req/s, generator CPU "
        f"{locust['cpu'].get('generator', 0):.0%}), wrk p50 {wrk['p50_ms']:.2f} ms "
        f"({wrk['requests_per_s']:,.0f} req/s): "
        + ("agree within 20 %" if result["agree"] else "DO NOT agree")
        + (f" ({'; '.join(problems)})" if problems else "")
    )
    print(f"results: {run.folder.path}")
    return 0


def _cross_measure(
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    data: load_data.LoadData,
    folder: ResultFolder,
) -> dict[str, Any]:
    arm = ARMS_BY_NAME["all-on"]
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": stack.redis_url,
        "PORTAL_CACHE": "on",
        "PORTAL_INDEXES": "on",
    }
    headers = {"Authorization": f"Bearer {data.buyers()[0].token}"}
    with serving(env, log=folder.file("server-crosscheck.log")) as served:
        url = served.url + CROSS_CHECK_PATH
        run_wrk(url, seconds=plan.warmup_s, connections=plan.users, headers=headers)
        wrk = run_wrk(url, seconds=plan.duration_s, connections=plan.users, headers=headers)
        context = RunContext(plan, stack, database_url, data_path, folder)
        locust = drive(context, served, arm, "single", 0, None, path=CROSS_CHECK_PATH)
    total = next(iter(locust.recorded["measured"].routes.values()))
    ours = float(latency_summary(total.service)["p50_s"]) * 1e3
    theirs = wrk.latency_ms.get("p50", 0.0)
    problems = run_problems(locust.facts())
    return {
        "path": CROSS_CHECK_PATH,
        "connections": plan.users,
        "wrk": {"p50_ms": theirs, "requests_per_s": wrk.requests_per_s, "cpu_s": wrk.wrk_cpu_s},
        "locust": {
            "p50_ms": ours,
            "requests_per_s": locust.facts().achieved_rps,
            "cpu": locust.cpu,
        },
        "within": AGREEMENT,
        "agree": bool(theirs) and abs(ours - theirs) / theirs <= AGREEMENT and not problems,
        "problems": problems,
    }
