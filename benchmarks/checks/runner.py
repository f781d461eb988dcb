"""``run_checks``: every functional check against the real portal, one result each.

A check that raises does not stop the others: it becomes a failed result
with the error as its problem (the portal not starting, a refused request, a
bug in the check). Only Ctrl-C and a run that cannot start at all (no
dataset) end the run; ``on_result`` has seen every result finished by then.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence

import psycopg

from benchmarks.checks.context import AskedTooMuch, CheckContext, MoneyLoad
from benchmarks.checks.result import CheckResult, Outcome
from benchmarks.checks.table import Check, chosen
from portal.cli.serve import APP
from portal.datagen import mark_written

ERROR_CHARS = 500


def run_checks(
    database_url: str,
    redis_url: str,
    *,
    scale: str,
    seed: int,
    only: Sequence[str] | None = None,
    portal_env: Mapping[str, str] | None = None,
    app: str = APP,
    on_start: Callable[[int, int, Check], None] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    money: MoneyLoad | None = None,
) -> list[CheckResult]:
    """Run the checks of ``only`` (default all, table order) on a loaded dataset.

    ``database_url`` must hold the ``scale`` dataset of ``seed`` (its tokens
    are derived from the seed). ``portal_env`` are ``PORTAL_*`` settings every
    portal of the run gets on top of the defaults, and ``app`` the factory
    it is served with: both for showing that a broken portal fails.
    """
    checks = chosen(None if only is None else tuple(only))
    results: list[CheckResult] = []
    with CheckContext(
        database_url=database_url,
        redis_url=redis_url,
        scale=scale,
        seed=seed,
        portal_env=portal_env,
        app=app,
        money=money,
    ) as context:
        try:
            for number, check in enumerate(checks, start=1):
                if on_start is not None:
                    on_start(number, len(checks), check)
                result = run_one(check, context)
                results.append(result)
                if on_result is not None:
                    on_result(result)
        finally:
            # The checks add products, orders and audit rows: the next load of
            # this dataset regenerates it (a later check on drifted rows once
            # found an index unused that a fresh load uses).
            with contextlib.suppress(psycopg.Error):
                mark_written(database_url)
    return results


def run_one(check: Check, context: CheckContext) -> CheckResult:
    started = time.perf_counter()
    try:
        outcome = check.run(context)
    except AskedTooMuch:
        raise  # not a finding: the command line asked for more than the data has
    except Exception as error:
        said = " ".join(str(error).split())[:ERROR_CHARS] or "no message"
        outcome = Outcome(
            tried=f"The {check.id} check could not finish: {type(error).__name__}.",
            problems=[f"{type(error).__name__}: {said}"],
        )
    return CheckResult(
        id=check.id,
        passed=outcome.passed,
        tried=outcome.tried,
        observed=outcome.observed,
        problems=outcome.problems,
        seconds=round(time.perf_counter() - started, 3),
    )
