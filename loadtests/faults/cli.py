"""``perfproof faults``: break PostgreSQL, Redis or a worker under load, and measure what follows.

For each scenario of ``loadtests/faults/scenarios.py`` the runner serves the
portal (cache and indexes on, two workers by default) on PostgreSQL and
Redis servers it started itself in a home folder of its own (configured
``PORTAL_*`` URLs are ignored: it never breaks a server it did not start),
drives it with the load test's personas in the open model (a fixed offered
rate, so a stalled server cannot slow the offered load down), and
``--before`` seconds in breaks one server for ``--fault`` seconds, then
mends it and goes on for ``--after`` seconds. Every request is written down
with its time and answer, so each phase has its requests, failures (and how
long a failure took to come back), and the time from the mend to the last
failure. When the load stops, it asks the portal for each buyer's wallet and
cart and compares them with the database (a stale cache entry is one that
answers differently), and checks the books in SQL (every wallet equals its
ledger, no negative balance or stock, every order has its items and one
matching debit). Each scenario then meets its expectations or names what
broke; exit 1 if any did not.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from benchmarks.checks.money import book_violations
from benchmarks.results import ResultFolder
from benchmarks.run_lifecycle import run_folder
from benchmarks.servers import serving
from loadtests import load_data
from loadtests.faults.injection import Injector
from loadtests.faults.phases import PHASES, Request, Split, split, status_name
from loadtests.faults.scenarios import FAULT_SCENARIOS, SCENARIOS_BY_NAME, FaultScenario
from loadtests.locust_process import running_locust
from portal.cli.args import dataset_seed, output_folder, positive_float, positive_int
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import SCALES, load_dataset, mark_written
from portal.devstack import EmbeddedPostgres, EmbeddedRedis, ServiceUnavailable
from portal.files import write_json_atomically, write_text_atomically
from portal.home import perfproof_home
from portal.settings import Settings
from portal.stop_signals import stop_line

EXIT_BROKEN = 1
# What faults.json repeats of the manifest, for readers of that file alone (the report).
SETTINGS = ("scales", "before_s", "fault_s", "after_s", "rate", "portal_workers")
STALE_SAMPLE = 40  # buyers whose wallet and cart are compared with the database afterwards
SLACK_S = 1.0  # a failure may take the request deadline plus this long to come back


def _scenarios(text: str) -> tuple[FaultScenario, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in SCENARIOS_BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"want scenarios among {', '.join(SCENARIOS_BY_NAME)}, separated by commas, "
            f"not {text!r}"
        )
    return tuple(SCENARIOS_BY_NAME[name] for name in names)


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Break one server at a time under load (Redis stopped or frozen, PostgreSQL "
            "restarted or frozen, a portal worker killed), on servers this command starts in "
            "its own home folder, and measure requests and failures before, during and after, "
            "the time to recover, stale cache entries and the books afterwards."
        ),
        epilog=(
            "Scenarios: "
            + "; ".join(f"{s.name}: {s.summary}" for s in FAULT_SCENARIOS)
            + ". Exit codes: 0 every scenario met its expectations, 1 one did not (named), "
            f"2 bad option or no service, {EXIT_STOPPED_HELP}. Example: perfproof faults; "
            "perfproof faults --scenarios redis-frozen --fault 5"
        ),
    )
    parser.add_argument(
        "--scenarios",
        type=_scenarios,
        default=FAULT_SCENARIOS,
        help="comma-separated scenarios (default: all five)",
    )
    parser.add_argument(
        "--before", type=positive_float, default=10.0, metavar="S",
        help="seconds of load before each fault (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--fault", type=positive_float, default=10.0, metavar="S",
        help="seconds the server stays broken (default 10; a restart ends when it is up)",
    )  # fmt: skip
    parser.add_argument(
        "--after", type=positive_float, default=15.0, metavar="S",
        help="seconds of load after the server is mended (default 15)",
    )  # fmt: skip
    parser.add_argument(
        "--rate", type=positive_float, default=20.0, help="offered tasks/s (default 20)"
    )
    parser.add_argument(
        "--workers", type=positive_int, default=2, help="the portal's uvicorn workers (default 2)"
    )
    parser.add_argument(
        "--scale", choices=list(SCALES), default="tiny",
        help="dataset size, loaded afresh into this command's own PostgreSQL (default tiny)",
    )  # fmt: skip
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--results", type=output_folder, default="results", help="results root (default results)"
    )
    return parser


@dataclass
class ScenarioResult:
    scenario: FaultScenario
    marks: dict[str, float]  # wall-clock: load start, fault start, fault end, load end
    split: Split
    stale: list[str]
    books: dict[str, list[int]]
    workers_after: int
    notes: list[str]
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        start = self.marks["load_start"]
        return {
            "scenario": self.scenario.name,
            "summary": self.scenario.summary,
            "passed": not self.problems,
            "problems": self.problems,
            "phases": {phase: self.split.phases[phase].as_dict() for phase in PHASES},
            "recovery_s": self.split.recovery_s,
            "recover_within_s": self.scenario.recover_within_s,
            "fault_s": round(self.marks["fault_end"] - self.marks["fault_start"], 3),
            "marks_s": {name: round(value - start, 3) for name, value in self.marks.items()},
            "stale_entries": len(self.stale),
            "stale_examples": self.stale[:5],
            "book_violations": self.books,
            "workers_after": self.workers_after,
            "notes": self.notes,
            "failure_examples": [
                {
                    "at_s": round(r.started - start, 3),
                    "route": r.route,
                    "status": status_name(r.status),
                    "seconds": r.seconds,
                }
                for r in self.split.failed[:5]
            ],
        }


def judge(result: ScenarioResult, *, deadline_s: float, workers: int) -> list[str]:
    """What a scenario broke of its expectations (``fault_scenarios``); empty when it held."""
    problems = _load_problems(result) + _failure_problems(result, deadline_s)
    if result.stale:
        problems.append(f"{len(result.stale)} cached answers differ from the database")
    problems += [f"{rule} broken for {ids}" for rule, ids in result.books.items() if ids]
    if result.workers_after < workers:
        problems.append(f"{result.workers_after} of {workers} workers alive afterwards")
    return problems


def _load_problems(result: ScenarioResult) -> list[str]:
    """A run that was failing before the fault, or never answered, says nothing of the fault."""
    phases = result.split.phases
    problems = []
    if phases["before"].failures:
        problems.append(f"{phases['before'].failures} requests failed before the fault")
    if not phases["before"].requests or not phases["after"].requests - phases["after"].failures:
        problems.append("no request was answered before the fault or after it")
    return problems


def _failure_problems(result: ScenarioResult, deadline_s: float) -> list[str]:
    scenario, phases = result.scenario, result.split.phases
    problems = []
    broken = phases["during"].failures + phases["after"].failures
    if scenario.during == "none" and broken:
        problems.append(f"{broken} requests failed during or after the fault (none may)")
    if scenario.during == "fast":
        slow = [r for r in result.split.failed if r.seconds > deadline_s + SLACK_S]
        if slow:
            problems.append(
                f"{len(slow)} failures took over {deadline_s + SLACK_S:g} s "
                f"(slowest {max(r.seconds for r in slow):.1f} s)"
            )
        odd = sorted({status_name(r.status) for r in result.split.failed} - {"503", "connection"})
        if odd:
            problems.append(f"failures answered {', '.join(odd)}, not 503")
    if result.split.recovery_s > scenario.recover_within_s:
        problems.append(
            f"the last failure came {result.split.recovery_s:.1f} s after the fault ended "
            f"(at most {scenario.recover_within_s:g} s)"
        )
    return problems


def run(args: argparse.Namespace) -> int:
    home = perfproof_home() / "faults"
    with ExitStack() as stack:
        try:
            postgres = EmbeddedPostgres(home)
            redis = EmbeddedRedis(home)
            stack.callback(_stop_quietly, postgres, redis)  # the run's own: always stopped
            postgres.start()
            redis.start()
            print(f"{postgres.describe()}\n{redis.describe()}", flush=True)
            dataset = load_dataset(postgres.url, scale=args.scale, seed=args.seed, progress=True)
            assert dataset.tokens_path is not None
            data = load_data.prepare(
                postgres.url, dataset.tokens_path, scale=args.scale, seed=args.seed
            )
            data_path = load_data.write(data, home / f"load-{args.scale}-{args.seed}.json")
            mark_written(postgres.url)  # checkouts and top-ups: the next run regenerates
            return _run_scenarios(args, postgres, redis, data, data_path)
        except (ServiceUnavailable, psycopg.Error, OSError, RuntimeError) as error:
            return fail(error)
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
            print(f"\n{stop_line(stop)}: stopping what this run started", flush=True)
            return stopped_exit_code(stop)


def _stop_quietly(*servers: EmbeddedPostgres | EmbeddedRedis) -> None:
    for server in servers:
        try:
            server.stop()
        except ServiceUnavailable as error:
            print(f"warning: {error}")


def _run_scenarios(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    redis: EmbeddedRedis,
    data: load_data.LoadData,
    data_path: Path,
) -> int:
    scenarios: tuple[FaultScenario, ...] = args.scenarios
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
        tables=lambda folder: _write(folder, results),
    ) as run:
        for number, scenario in enumerate(scenarios, 1):
            print(f"[{number}/{len(scenarios)}] {scenario.name}: {scenario.summary}", flush=True)
            result = _scenario(
                args, scenario, postgres, redis, data, data_path, run.folder, deadline_s
            )
            result.problems = judge(result, deadline_s=deadline_s, workers=args.workers)
            results.append(result)
            run.folder.note(results=[r.as_dict() for r in results])
            print("   " + _line(result), flush=True)
    print("\n" + "\n".join(run.tables or []))
    print(f"\nresults: {run.folder.path}")
    return EXIT_BROKEN if any(r.problems for r in results) else 0


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
        stale = _stale_answers(served.url, postgres.url, data)
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


def _stale_answers(url: str, database_url: str, data: load_data.LoadData) -> list[str]:
    """Buyers whose wallet or cart, as the portal answers it, differs from the database."""
    buyers = data.buyers()[:STALE_SAMPLE]
    stale = []
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        balances: dict[int, int] = dict(
            conn.execute(
                "SELECT user_id, balance_cents FROM wallets WHERE user_id = ANY(%s)",
                ([b.user_id for b in buyers],),
            ).fetchall()
        )
        lines: dict[int, set[int]] = {}
        for user_id, item_id in conn.execute(
            "SELECT user_id, id FROM cart_items WHERE user_id = ANY(%s)",
            ([b.user_id for b in buyers],),
        ):
            lines.setdefault(int(user_id), set()).add(int(item_id))
    with httpx.Client(base_url=url, timeout=10) as http:
        for buyer in buyers:
            headers = {"Authorization": f"Bearer {buyer.token}"}
            wallet = http.get("/api/wallet", headers=headers)
            cart = http.get("/api/cart", headers=headers)
            if wallet.status_code != 200 or cart.status_code != 200:
                stale.append(f"user {buyer.user_id}: {wallet.status_code}/{cart.status_code}")
                continue
            said = wallet.json()["balance_cents"]
            if said != balances.get(buyer.user_id):
                stale.append(
                    f"user {buyer.user_id}: wallet {said} ({wallet.headers.get('x-cache')}), "
                    f"database {balances.get(buyer.user_id)}"
                )
            items = {int(item["id"]) for item in cart.json()["items"]}
            if items != lines.get(buyer.user_id, set()):
                stale.append(f"user {buyer.user_id}: cart lines differ from the database")
    return stale


def _line(result: ScenarioResult) -> str:
    phases = result.split.phases
    counts = ", ".join(
        f"{phase} {phases[phase].failures}/{phases[phase].requests} failed" for phase in PHASES
    )
    verdict = "held" if not result.problems else "BROKE: " + "; ".join(result.problems)
    return f"{counts}; recovered in {result.split.recovery_s:.1f} s; {verdict}"


def table_lines(results: list[dict[str, Any]]) -> list[str]:
    """The summary table (Markdown), from ``faults.json`` entries: also the README's."""
    lines = [
        "| scenario | failed before | failed during | failed after | slowest failure "
        "| recovered in | stale | books | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in results:
        phases = entry["phases"]
        slowest = max((phases[p]["failure_max_s"] or 0.0) for p in PHASES)
        broken = sum(len(ids) for ids in entry["book_violations"].values())
        cells = [f"{phases[p]['failures']} / {phases[p]['requests']}" for p in PHASES]
        lines.append(
            f"| {entry['scenario']} | " + " | ".join(cells)
            + f" | {slowest:.2f} s | {entry['recovery_s']:.1f} s | {entry['stale_entries']} "
            f"| {broken} violations | {'held' if entry['passed'] else 'BROKE'} |"
        )  # fmt: skip
    return lines


def _write(folder: ResultFolder, results: list[ScenarioResult]) -> list[str]:
    entries = [result.as_dict() for result in results]
    settings = {key: folder.manifest[key] for key in SETTINGS}
    write_json_atomically(folder.file("faults.json"), {"settings": settings, "scenarios": entries})
    lines = table_lines(entries)
    for entry in entries:
        lines += [f"{entry['scenario']}: {problem}" for problem in entry["problems"]]
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines
