"""``perfproof``: one command for every user-facing task, portal and harness alike.

The harness owns it (the harness depends on the portal, never the other way
round): the portal's own commands come from ``portal.cli.PORTAL_COMMANDS``,
the measurements from the rows below. A new task (load tests, the report,
the regression gate) is one more row and one module with ``build_parser``
and ``run``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from portal.cli import PORTAL_COMMANDS, Command
from portal.cli.commands import EXIT_STOPPED_HELP, dispatch

HARNESS_COMMANDS = (
    Command(
        "bench",
        "perfproof.bench.cli",
        "the main job: data, then the benchmark suites, into one run folder",
    ),
    Command(
        "index-proof",
        "benchmarks.indexes.proof_cli",
        "show that the planner uses each performance index for its query",
    ),
    Command(
        "write-cost",
        "benchmarks.indexes.write_cost_cli",
        "measure what the performance indexes cost on inserts",
    ),
    Command(
        "loadtest",
        "perfproof.loadtest_command",
        "Locust against the real portal in every arm, closed and open load, with evidence",
    ),
    Command(
        "faults",
        "loadtests.faults.cli",
        "break Redis, PostgreSQL or a worker under load: failures, recovery, stale entries, books",
    ),
    Command(
        "checks",
        "benchmarks.checks.cli",
        "run the write-up's functional promises against the real portal (Redis stopped, ...)",
    ),
    Command(
        "report",
        "reports.cli",
        "judge a run folder against a claims file: verdicts and the HTML report",
    ),
    Command(
        "across",
        "reports.across_cli",
        "several runs' verdicts side by side: the spread between runs and a pooled verdict",
    ),
    Command(
        "regress",
        "perfproof.regress.cli",
        "the CI regression gate: two runs (or --against a commit) compared, exit 1 on a regression",
    ),
    Command(
        "target",
        "perfproof.targets.cli",
        "your own service as the target: `target check FILE` checks a target file, prints the plan",
    ),
    Command(
        "http-throughput",
        "benchmarks.http_throughput",
        "cache hit path vs a bare Redis GET endpoint, cache on vs off, over HTTP (wrk)",
    ),
    Command(
        "monitoring-cost",
        "benchmarks.monitoring_cost",
        "throughput with monitoring on vs off, with an A/A calibration (wrk)",
    ),
)

COMMANDS = (HARNESS_COMMANDS[0], *PORTAL_COMMANDS, *HARNESS_COMMANDS[1:])


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(
        COMMANDS,
        argv,
        prog="perfproof",
        description=(
            "Checks the numbers of a performance write-up on a reference B2B portal "
            "(FastAPI, PostgreSQL, Redis): data, benchmarks, and the portal itself."
        ),
        epilog=(
            "Services: PORTAL_DATABASE_URL / PORTAL_REDIS_URL when set, else an embedded "
            "PostgreSQL and Redis in $PERFPROOF_HOME (default .perfproof/ in a checkout, "
            "else ~/.perfproof). "
            "Exit codes: 0 done, 1 a check failed, 2 bad input or no service, "
            f"{EXIT_STOPPED_HELP}: stopped by a signal, each handled like Ctrl-C. Embedded "
            "servers a killed command left running are stopped by the next command."
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
