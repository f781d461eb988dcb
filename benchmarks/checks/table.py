"""The functional claims of the write-up and the check that runs each: one declared table.

Ids are the claims file's, so a verdict names its check (``money`` is the
harness's own: no claim names it, and a run whose books break fails); ``promise`` says
what the check tries, in the write-up's words where it has them. A claim of a
check is met when the check passes, unless the claim holds one of the check's
``counts`` to a number (``count = "used"`` with ``at_least = 20`` in the claims
file): then that number judges it, and the number lives in the claims file only.
The runner, the command line, the claims file's validation and the tests all
read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.checks.context import CheckContext
from benchmarks.checks.endpoints import check_monitoring_endpoints
from benchmarks.checks.fallback import check_fallback
from benchmarks.checks.indexes import check_indexes
from benchmarks.checks.invalidation import check_invalidation
from benchmarks.checks.money import check_money
from benchmarks.checks.result import Outcome
from benchmarks.checks.slow_query import check_slow_query
from benchmarks.checks.ttl import check_ttl
from benchmarks.checks.x_cache import check_x_cache


@dataclass(frozen=True)
class Count:
    """A number a check records in its ``observed`` that a claim may hold to a bound."""

    key: str  # its key in ``observed``, and the name a claim gives it (``count = key``)
    unit: str  # what is counted, in the verdict's words
    out_of: str = ""  # the ``observed`` key of how many could have been counted
    left_out: str = ""  # the ``observed`` key naming those that were not


@dataclass(frozen=True)
class Check:
    id: str
    promise: str
    run: Callable[[CheckContext], Outcome]
    counts: tuple[Count, ...] = ()


CHECKS: tuple[Check, ...] = (
    Check(
        "slow-query",
        "an operation over 100 ms is detected: in the log, the slow ring and /metrics",
        check_slow_query,
    ),
    Check(
        "fallback",
        "with Redis stopped under load, zero failed requests",
        check_fallback,
    ),
    Check(
        "ttl",
        "cache lifetimes: products 300 s, wallet 120 s, orders 180 s, user data 600 s",
        check_ttl,
    ),
    Check(
        "x-cache",
        "the first GET of a cached route is X-Cache MISS, the next identical one HIT",
        check_x_cache,
    ),
    Check(
        "invalidation",
        "a write is visible in the next read of every cached route it affects",
        check_invalidation,
    ),
    Check(
        "indexes",
        "how many performance indexes their own queries use (each under EXPLAIN ANALYZE)",
        check_indexes,
        counts=(
            Count("used", "indexes used by their queries", out_of="present", left_out="unused"),
        ),
    ),
    Check(
        "monitoring-endpoints",
        "/metrics and the admin-only /api/performance/* endpoints answer",
        check_monitoring_endpoints,
    ),
    # Not a claim of the write-up: what any shop must keep, and the harness's own bar.
    Check(
        "money",
        "concurrent checkouts and top-ups (1 and 2 workers) leave the books right",
        check_money,
    ),
)

CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)


def chosen(ids: list[str] | tuple[str, ...] | None) -> list[Check]:
    """The checks of ``ids`` in table order (all when None); ValueError for an unknown id."""
    if ids is None:
        return list(CHECKS)
    unknown = sorted(set(ids) - set(CHECK_IDS))
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)} (known: {', '.join(CHECK_IDS)})")
    return [check for check in CHECKS if check.id in ids]
