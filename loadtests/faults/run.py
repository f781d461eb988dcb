"""The scenarios of a ``perfproof faults`` run, one after the other, each under load.

Per scenario: the portal served on the run's own servers, Locust in the open
model writing every request to a timeline, the fault begun ``--before``
seconds in and ended ``--fault`` seconds later, then the stale answers and
the books once the load stopped; each result judged as it comes and noted in
the manifest, so a run stopped half-way keeps what finished.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime
from pathlib import Path

import psycopg

from benchmarks.checks.money import book_violations
from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import serving
from loadtests import load_data
from loadtests.faults.injection import Injector
from loadtests.faults.phases import Request, split
from loadtests.faults.results import ScenarioResult, judge
from loadtests.faults.scenarios import SCENARIOS_BY_NAME, FaultScenario
from loadtests.faults.stale_cache import stale_answers
from loadtests.faults.summary import progress_line, write_files
from loadtests.locust_process import running_locust
from portal.cli.exit_codes import Exit
from portal.devstack import EmbeddedPostgres, EmbeddedRedis
from portal.settings import Settings


def run_scenarios(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    redis: EmbeddedRedis,
    data: load_data.LoadData,
    data_path: Path,
) -> int:
    scenarios = tuple(SCENARIOS_BY_NAME[name] for name in args.scenarios)
    settings = {
        "kind": "faults",
        "scales": [args.scale],
        "seed": args.seed,
        "scenarios": [s.name for s in scenarios],
        "before_s": args.before,
        "fault_s": args.fault,
        "after_s": args.after,
        "rate": args.rate,
        "portal_workers": args.workers,
        "postgres": postgres.describe(),
        "redis": redis.describe(),
        "results": [],
    }
    deadline_s = Settings().request_timeout_s
    results: list[ScenarioResult] = []  # every scenario that finished: kept however the whole ends
    with run_folder(
        args.results,
        f"faults-{args.scale}",
        {**settings, "request_timeout_s": deadline_s},
        tables=lambda folder: write_files(folder, results),
    ) as run:
        for number, scenario in enumerate(scenarios, 1):
            print(f"[{number}/{len(scenarios)}] {scenario.name}: {scenario.summary}", flush=True)
            result = _scenario(
                args, scenario, postgres, redis, data, data_path, run.folder, deadline_s
            )
            result.problems = judge(result, deadline_s=deadline_s, workers=args.workers)
            results.append(result)
            run.folder.note(results=[r.as_dict() for r in results])
            print("   " + progress_line(result), flush=True)
    print("\n" + "\n".join(run.tables or []))
    print(f"\nresults: {run.folder.path}")
    return Exit.CHECK_FAILED if any(r.problems for r in results) else 0


def _scenario(
    args: argparse.Namespace,
    scenario: FaultScenario,
    postgres: EmbeddedPostgres,
    redis: EmbeddedRedis,
    data: load_data.LoadData,
    data_path: Path,
    folder: ResultFolder,
    deadline_s: float,
) -> ScenarioResult:
    with psycopg.connect(postgres.url, autocommit=True, connect_timeout=10) as conn:
        since: datetime = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": postgres.url,
        "PORTAL_REDIS_URL": redis.url,
        "PORTAL_CACHE": "on",
        "PORTAL_INDEXES": "on",
        # The portal's deadline is the one the verdict holds it to (PORTAL_REQUEST_TIMEOUT_S).
        "PORTAL_REQUEST_TIMEOUT_S": repr(deadline_s),
    }
    seconds = args.before + args.fault + args.after
    timeline = folder.file(f"timeline-{scenario.name}.jsonl").resolve()
    with serving(
        env, workers=args.workers, log=folder.file(f"server-{scenario.name}.log")
    ) as served:
        injector = Injector(postgres, redis, served.process.pid)
        if not injector.wait_for_workers(args.workers):
            raise RuntimeError(f"the portal did not start {args.workers} workers")
        with running_locust(
            served.url, folder, scenario.name, users=1, seconds=seconds, processes=1,
            env={load_data.DATA_ENV: str(data_path), "PERFPROOF_LOAD_MODEL": "open",
                 "PERFPROOF_RATE": f"{args.rate:g}", "PERFPROOF_TIMELINE": str(timeline)},
        ) as locust:  # fmt: skip
            marks: dict[str, float] = {}
            locust.wait_for("measuring", timeout_s=120)
            marks["load_start"] = time.time()
            time.sleep(args.before)
            marks["fault_start"] = time.time()
            try:
                injector.begin(scenario)
                time.sleep(max(0.0, marks["fault_start"] + args.fault - time.time()))
                injector.end(scenario)
            finally:
                injector.release()
            marks["fault_end"] = time.time()
            locust.wait_for("stopped", timeout_s=seconds + 120)
            marks["load_end"] = time.time()
            locust.wait_exit()
        workers_after = injector.workers_alive()
        stale = stale_answers(served.url, postgres.url, data)
    requests = [Request.from_row(json.loads(line)) for line in timeline.read_text().splitlines()]
    with psycopg.connect(postgres.url, connect_timeout=10) as conn:
        products = [int(row[0]) for row in conn.execute("SELECT id FROM products")]
        books = book_violations(conn, [u.user_id for u in data.buyers()], products, since)
    return ScenarioResult(
        scenario=scenario,
        marks=marks,
        split=split(
            requests,
            start=marks["load_start"],
            fault_start=marks["fault_start"],
            fault_end=marks["fault_end"],
            end=marks["load_end"],
        ),
        stale=stale,
        books=books,
        workers_after=workers_after,
        notes=injector.notes,
    )
