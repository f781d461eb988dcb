"""What a claims file may name: each suite's series and arms, read from the suites' own tables.

Nothing is listed twice: the query and endpoint series come from the case
tables the benchmarks run, the load arms from ``loadtests/arms.py``, the
cached routes from the cache policy, the functional checks from
``benchmarks/checks``. A claim naming a series no suite measures is refused
when the file is read, not discovered as a missing row after a run.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.checks import Count

LOAD_ROUTE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /\S*$")
ALL = "ALL"  # a load run's every request together
CACHED = "cached"  # every cached GET route of the cache policy


@cache
def _query_series() -> frozenset[str]:
    from benchmarks.query_cases import CASES

    return frozenset(case.series for case in CASES)


@cache
def growth_series() -> frozenset[str]:
    from benchmarks.query_cases import CASES

    return frozenset(case.series for case in CASES if case.growth)


@cache
def _endpoint_series() -> frozenset[str]:
    from benchmarks.endpoint_cases import CASES

    return frozenset(case.series for case in CASES)


@cache
def cached_routes() -> tuple[str, ...]:
    """The load series of the cached GET routes (``GET /api/products``, ...)."""
    from portal.cache.policy import CACHED_ROUTES

    return tuple(f"GET {route.path}" for route in CACHED_ROUTES)


def series_problem(suite: str, name: str) -> str | None:
    """Why ``name`` is not a series of ``suite``, or None when it is."""
    if suite == "queries" and name not in _query_series():
        return f"unknown series {name!r} in suite queries"
    if suite == "growth" and name not in growth_series():
        return (
            f"unknown series {name!r} in suite growth (the growth mode fits: "
            + ", ".join(sorted(growth_series()))
            + ")"
        )
    if suite == "endpoints" and name not in _endpoint_series():
        return f"unknown series {name!r} in suite endpoints"
    if suite == "load" and name not in (ALL, CACHED) and not LOAD_ROUTE.match(name):
        return (
            f"unknown series {name!r} in suite load (ALL, cached, or a route such as "
            "'GET /api/products')"
        )
    return None


def known_arms(suite: str) -> tuple[str, ...] | None:
    """The arm names of ``suite`` (None: the suite has no arms)."""
    if suite == "queries":
        from benchmarks.arms import INDEX_ARM_LABEL

        return tuple(INDEX_ARM_LABEL.values())
    if suite == "endpoints":
        from benchmarks.arms import ENDPOINT_ARMS

        return tuple(arm.name for arm in ENDPOINT_ARMS)
    if suite == "load":
        from loadtests.arms import LOAD_ARMS

        return tuple(arm.name for arm in LOAD_ARMS)
    return None


def check_ids() -> tuple[str, ...]:
    from benchmarks.checks import CHECK_IDS

    return tuple(CHECK_IDS)


def check_counts(check: str) -> dict[str, Count]:
    """The counts ``check`` records that a claim may hold to a number, by name."""
    from benchmarks.checks import CHECKS

    return {count.key: count for found in CHECKS if found.id == check for count in found.counts}
