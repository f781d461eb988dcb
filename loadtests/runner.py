"""``perfproof loadtest``: Locust against the real portal in every arm, interleaved, with evidence.

For each load model (closed, then open), each repetition and each arm
(cache on/off x indexes on/off; the order rotates every repetition), the
runner starts the portal with uvicorn on the generated dataset in that arm
(start-up switches the indexes; a fresh process has a cleared cache and zero
counters), runs Locust headless against it (a warm-up, then the measured
window), and records, for the measured window only: Locust's own CSV and
HTML, our HDR histograms per route, X-Cache answers and the hit ratio per
second, the database's and Redis's own counter deltas, the portal's
statement counter, and the CPU of generator, portal, PostgreSQL and Redis.
The open model's offered rate is ``--rate``, else a share of the slowest
arm's closed-model capacity, the same for every arm.

Everything it started stops when it ends, also on Ctrl-C, SIGTERM, SIGHUP, a
crash or a dead server; every run that finished is kept and the manifest lists
the rest (``benchmarks/run_lifecycle.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import Served, serving
from benchmarks.tidy import write_tidy
from benchmarks.wrk import WrkMissing, run_wrk, wrk_path
from loadtests import evidence, load_data
from loadtests.arms import ARMS_BY_NAME, MODELS, LoadArm, Model, rotated
from loadtests.cpu import CpuMeter
from loadtests.guard import RunFacts, comparison_problems, run_problems
from loadtests.locust_process import LOCUSTFILE, running_locust
from loadtests.profiles import LOAD_PROFILES, LoadProfile
from loadtests.recorder import Recorder, latency_summary
from loadtests.tables import observations, summary_lines
from portal.cli.args import dataset_seed, output_folder, positive_float, positive_int
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import SCALES, load_dataset, mark_written
from portal.devstack import Services, ServiceUnavailable, ensure_database, services
from portal.files import write_json_atomically, write_text_atomically
from portal.stop_signals import stop_line

# Failures a user can cause or fix: one line and exit 2 (what finished is kept).
_EXPECTED = (ServiceUnavailable, psycopg.Error, OSError, WrkMissing, RuntimeError)
START_TIMEOUT_S = 600.0  # start-up may build the indexes of a large dataset


def _arms(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in ARMS_BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"want arms among {', '.join(ARMS_BY_NAME)}, separated by commas, not {text!r}"
        )
    return names


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Drive the real portal with Locust (buyer and admin personas) in each arm, cache "
            "on/off x indexes on/off, interleaved, in a closed model (each arm's capacity) "
            "and an open one (the same offered rate for every arm, latency from each "
            "request's intended start), and keep client and server-side evidence in a run "
            "folder."
        ),
        epilog=(
            "Profiles: "
            + "; ".join(f"{p.name}: {p.summary}" for p in LOAD_PROFILES.values())
            + ". Arms: all-on, no-cache, no-indexes, all-off. Exit codes: 0 done (some runs may "
            "be marked invalid: see validity in the run folder), 2 bad option or no service, "
            f"{EXIT_STOPPED_HELP}. Example: perfproof loadtest --profile quick; "
            "perfproof loadtest --arms all-on,no-cache --rate 200"
        ),
    )
    parser.add_argument(
        "--profile", choices=list(LOAD_PROFILES), default="default", help="default: default"
    )
    parser.add_argument(
        "--scale", choices=list(SCALES), default="small", help="dataset size (default small)"
    )
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    parser.add_argument("--arms", type=_arms, help="comma-separated arms (default: the profile's)")
    parser.add_argument(
        "--model", choices=[*MODELS, "both"], default="both", help="load model (default both)"
    )
    parser.add_argument("--repetitions", type=positive_int, help="per arm and model")
    parser.add_argument("--duration", type=positive_float, help="measured seconds per run")
    parser.add_argument("--warmup", type=positive_float, help="warm-up seconds per run")
    parser.add_argument("--users", type=positive_int, help="closed model: simulated users")
    parser.add_argument(
        "--rate", type=positive_float, help="open model: offered tasks/s (default: measured)"
    )
    parser.add_argument(
        "--arrivals",
        choices=["poisson", "constant"],
        default="poisson",
        help="open model: how starts are spaced (default poisson)",
    )
    parser.add_argument(
        "--processes", type=positive_int, default=1, help="Locust generator processes"
    )
    parser.add_argument("--workers", type=positive_int, default=1, help="uvicorn workers")
    parser.add_argument(
        "--results", type=output_folder, default="results", help="results root (default results)"
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only load the dataset and write the load data file plain Locust reads, then exit",
    )
    parser.add_argument(
        "--cross-check",
        action="store_true",
        help="instead: Locust's p50 against wrk's on one cached endpoint, same connections",
    )
    return parser


@dataclass(frozen=True)
class Plan:
    profile: LoadProfile
    arms: tuple[LoadArm, ...]
    models: tuple[Model, ...]
    repetitions: int
    warmup_s: float
    duration_s: float
    users: int
    rate: float | None
    arrivals: str
    processes: int
    workers: int


def plan_of(args: argparse.Namespace) -> Plan:
    profile = LOAD_PROFILES[args.profile]
    names = args.arms or profile.arms
    models: tuple[Model, ...] = MODELS if args.model == "both" else (args.model,)
    if models == ("open",) and args.rate is None:
        models = MODELS  # the offered rate comes from the closed model's capacity
    return Plan(
        profile=profile,
        arms=tuple(ARMS_BY_NAME[name] for name in names),
        models=models,
        repetitions=args.repetitions or profile.repetitions,
        warmup_s=args.warmup or profile.warmup_s,
        duration_s=args.duration or profile.duration_s,
        users=args.users or profile.users,
        rate=args.rate,
        arrivals=args.arrivals,
        processes=args.processes,
        workers=args.workers,
    )


def run(args: argparse.Namespace) -> int:
    plan = plan_of(args)
    try:
        with services() as stack:
            print(stack.describe(), flush=True)
            database_url = ensure_database(stack.database_url, f"perfproof_{args.scale}")
            dataset = load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            assert dataset.tokens_path is not None
            data = load_data.prepare(
                database_url, dataset.tokens_path, scale=args.scale, seed=args.seed
            )
            data_path = load_data.write(data, load_data.default_path(args.scale, args.seed))
            if args.prepare:
                print(f"load data: {data_path}")
                print(f"PERFPROOF_LOAD_DATA={data_path} locust -f {LOCUSTFILE} --host URL")
                return 0
            if args.cross_check:
                wrk_path()  # before anything starts
                return _cross_check(args, plan, stack, database_url, data_path, data)
            # Checkouts and top-ups grow the data: the next run regenerates it.
            mark_written(database_url)
            return _run_all(args, plan, stack, database_url, data_path, dataset.rows)
    except _EXPECTED as error:
        return fail(error)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
        print(f"\n{stop_line(stop)} before the load tests started")
        return stopped_exit_code(stop)


@dataclass
class ArmRun:
    """One arm, one repetition, one model: what came back."""

    arm: LoadArm
    model: Model
    repetition: int
    offered_rps: float | None
    recorded: dict[str, Recorder]  # by phase: warmup, measured
    servers: dict[str, Any]  # evidence delta
    cpu: dict[str, float]
    portal_statements: float | None
    generator_processes: int
    server_died: bool
    seconds: float

    @property
    def name(self) -> str:
        return f"{self.model}-{self.arm.name}-{self.repetition}"

    def facts(self) -> RunFacts:
        measured = self.recorded["measured"]
        requests = sum(r.requests for r in measured.routes.values())
        return RunFacts(
            arm=self.arm.name,
            model=self.model,
            requests=requests,
            failures=sum(r.failures for r in measured.routes.values()),
            scheduled=measured.scheduled,
            late=measured.late,
            generator_cpu=self.cpu.get("generator", 0.0),
            generator_processes=self.generator_processes,
            server_died=self.server_died,
            achieved_rps=requests / self.seconds if self.seconds else 0.0,
            offered_rps=self.offered_rps,
        )


def _run_all(
    args: argparse.Namespace,
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    rows: dict[str, int],
) -> int:
    runs: list[ArmRun] = []  # every run that finished: kept however the whole ends
    try:
        with run_folder(
            args.results,
            f"load-{plan.profile.name}-{args.scale}",
            _settings(args, plan, stack, database_url, rows),
            tables=lambda folder: _write_tables(folder, runs, args.scale, rows),
        ) as run:
            _run_models(plan, stack, database_url, data_path, run.folder, runs)
    except KeyboardInterrupt as stop:  # the run folder says so, and where it is
        return stopped_exit_code(stop)
    print("\n" + "\n".join(run.tables or []))
    print(f"\nresults: {run.folder.path}")
    return 0


def _settings(
    args: argparse.Namespace, plan: Plan, stack: Services, database_url: str, rows: dict[str, int]
) -> dict[str, Any]:
    """What the manifest says about the run before it starts."""
    return {
        "kind": "loadtest",
        "profile": plan.profile.name,
        "scales": [args.scale],
        "seed": args.seed,
        "arms": [arm.name for arm in plan.arms],
        "models": list(plan.models),
        "repetitions": plan.repetitions,
        "warmup_s": plan.warmup_s,
        "duration_s": plan.duration_s,
        "users": plan.users,
        "generator_processes": plan.processes,
        "portal_workers": plan.workers,
        "postgres": stack.postgres_description,
        "redis": stack.redis_description,
        "dataset_rows": {args.scale: rows},
        "environment": _environment(database_url, stack.redis_url),
        # What was meant to run; "runs" lists what finished.
        "planned": [
            f"{model}-{arm.name}-{repetition}"
            for model in plan.models
            for repetition in range(plan.repetitions)
            for arm in rotated(plan.arms, repetition)
        ],
        "runs": [],
    }


def _run_models(
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    folder: ResultFolder,
    runs: list[ArmRun],
) -> None:
    total = len(plan.models) * plan.repetitions * len(plan.arms)
    for model in plan.models:
        offered = None
        if model == "open":
            offered = plan.rate or _open_rate(plan, runs)
            # Given (--rate): `regress --against` offers both commits one rate.
            folder.note(open_rate=offered, open_rate_given=plan.rate is not None)
        for repetition in range(plan.repetitions):
            for arm in rotated(plan.arms, repetition):
                print(
                    f"[{len(runs) + 1}/{total}] {model} {arm.name} repetition {repetition + 1}"
                    + (f" at {offered:g}/s" if offered else f" with {plan.users} users"),
                    flush=True,
                )
                result = _run_arm(plan, stack, database_url, data_path, folder,
                                  arm, model, repetition, offered)  # fmt: skip
                runs.append(result)
                folder.note(runs=[*folder.manifest["runs"], _run_entry(result)])


def _open_rate(plan: Plan, runs: list[ArmRun]) -> float:
    """The open model's rate: a share of the slowest arm's closed-model capacity."""
    capacities: dict[str, list[float]] = {}
    for run in runs:
        if run.model == "closed":
            capacities.setdefault(run.arm.name, []).append(run.facts().achieved_rps)
    slowest = min(statistics.median(values) for values in capacities.values())
    return max(1.0, round(slowest * plan.profile.open_share, 1))


def _run_arm(
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    folder: ResultFolder,
    arm: LoadArm,
    model: Model,
    repetition: int,
    offered: float | None,
) -> ArmRun:
    name = f"{model}-{arm.name}-{repetition}"
    portal_env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": stack.redis_url,
        "PORTAL_CACHE": arm.cache,
        "PORTAL_INDEXES": arm.indexes,
    }
    log = folder.file(f"server-{name}.log")
    with serving(
        portal_env, workers=plan.workers, log=log, start_timeout_s=START_TIMEOUT_S
    ) as served:
        return _drive(plan, stack, database_url, data_path, folder, served, arm, model,
                      repetition, offered)  # fmt: skip


def _drive(
    plan: Plan,
    stack: Services,
    database_url: str,
    data_path: Path,
    folder: ResultFolder,
    served: Served,
    arm: LoadArm,
    model: str,
    repetition: int,
    offered: float | None,
    *,
    path: str | None = None,
) -> ArmRun:
    """Locust against ``served``: snapshots and CPU around the measured window only."""
    name = f"{model}-{arm.name}-{repetition}"
    users = plan.processes if model == "open" else plan.users
    with running_locust(
        served.url, folder, name, users=users, seconds=plan.warmup_s + plan.duration_s,
        processes=plan.processes, env={
            load_data.DATA_ENV: str(data_path),
            "PERFPROOF_WARMUP_S": f"{plan.warmup_s:g}",
            "PERFPROOF_LOAD_MODEL": model,
            "PERFPROOF_RATE": f"{offered or 0:g}",
            "PERFPROOF_ARRIVALS": plan.arrivals,
            **({"PERFPROOF_PATH": path} if path else {}),
        },
    ) as locust:  # fmt: skip
        meter = CpuMeter(generator_pid=locust.process.pid, portal_pid=served.process.pid)
        locust.wait_for("measuring", timeout_s=plan.warmup_s + 120)
        before = evidence.snapshot(database_url, stack.redis_url)
        statements_before = _portal_statements(served.url)
        meter.start()
        started = time.monotonic()
        processes = CpuMeter.generator_processes(locust.process.pid)
        locust.wait_for("stopped", timeout_s=plan.duration_s + 120)
        seconds = time.monotonic() - started
        cpu = meter.stop()
        time.sleep(evidence.SETTLE_S)
        after = evidence.snapshot(database_url, stack.redis_url)
        statements_after = _portal_statements(served.url)
        locust.wait_exit()
    document = json.loads(locust.out.read_text())
    portal = (
        statements_after - statements_before
        if statements_before is not None and statements_after is not None
        else None
    )
    return ArmRun(
        arm=arm,
        model=model,  # type: ignore[arg-type]  # "single" only in the cross-check
        repetition=repetition,
        offered_rps=offered,
        recorded={phase: Recorder.from_document(doc) for phase, doc in document.items()},
        servers=evidence.delta(before, after),
        cpu=cpu,
        portal_statements=portal,
        generator_processes=processes,
        server_died=served.process.poll() is not None,
        seconds=seconds,
    )


CROSS_CHECK_PATH = "/api/products?limit=20"
AGREEMENT = 0.20  # the runner's p50 within this share of wrk's


def _cross_check(
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
        locust = _drive(plan, stack, database_url, data_path, folder, served, arm, "single", 0,
                        None, path=CROSS_CHECK_PATH)  # fmt: skip
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


def _portal_statements(url: str) -> float | None:
    """The portal's own statement count (all workers), from its Prometheus ``/metrics``."""
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    for family in text_string_to_metric_families(text):
        if family.name == "portal_db_statement_duration_seconds":
            return sum(s.value for s in family.samples if s.name.endswith("_count"))
    return None


def _environment(database_url: str, redis_url: str) -> dict[str, Any]:
    """The server settings that matter for these figures."""
    found: dict[str, Any] = {}
    with psycopg.connect(database_url) as conn:
        for setting in ("server_version", "shared_buffers", "work_mem", "max_connections",
                        "effective_cache_size", "shared_preload_libraries"):  # fmt: skip
            row = conn.execute(f"SHOW {setting}").fetchone()
            found[f"postgres_{setting}"] = row[0] if row else None
    import redis

    with redis.Redis.from_url(redis_url, socket_timeout=5) as client:
        info = client.info()
        found["redis_version"] = info.get("redis_version")
        found["redis_maxmemory"] = info.get("maxmemory")
        found["redis_maxmemory_policy"] = info.get("maxmemory_policy")
    return found


def _run_entry(run: ArmRun) -> dict[str, Any]:
    facts = run.facts()
    return {
        "name": run.name,
        "arm": run.arm.name,
        "model": run.model,
        "repetition": run.repetition,
        "offered_rps": run.offered_rps,
        "achieved_rps": round(facts.achieved_rps, 2),
        "requests": facts.requests,
        "cpu": run.cpu,
        "problems": run_problems(facts),
    }


def _write_tables(
    folder: ResultFolder, runs: list[ArmRun], scale: str, rows: dict[str, int]
) -> list[str]:
    """tidy.csv, servers.json, validity.json, summary.txt; the summary lines."""
    run_id = folder.path.name
    write_tidy(folder.file("tidy.csv"), observations(runs, run=run_id, scale=scale, rows=rows))
    servers = {run.name: {"servers": run.servers, "cpu": run.cpu} for run in runs}
    write_json_atomically(folder.file("servers.json"), servers)
    comparisons = []
    for model in {run.model for run in runs}:
        for repetition in sorted({run.repetition for run in runs if run.model == model}):
            group = [
                run.facts() for run in runs if (run.model, run.repetition) == (model, repetition)
            ]
            problems = comparison_problems(group)
            comparisons.append({"model": model, "repetition": repetition,
                                "arms": [f.arm for f in group], "valid": not problems,
                                "problems": problems})  # fmt: skip
    validity = {
        "runs": {run.name: run_problems(run.facts()) for run in runs},
        "comparisons": comparisons,
    }
    write_json_atomically(folder.file("validity.json"), validity)
    lines = summary_lines(runs, validity)
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines
