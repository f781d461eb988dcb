"""The plan of ``perfproof bench``: which suites run at which data size, as steps.

Every suite runs at each size of the profile (or ``--scale``); the load
tests, the functional checks and the fault scenarios run once, at the first
size, each as a command of its own; the growth mode adds the sizes only its
queries run at.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from perfproof.profiles import RunProfile
from portal.datagen import SCALES

SUITE_FILES = {"queries": "test_queries.py", "endpoints": "test_endpoints.py"}
LOAD = "load"  # the Locust load tests (``loadtests/``), at the profile's first size
CHECKS = "checks"  # the functional checks (``benchmarks/checks``), at the same size
CHECKS_FILE = "checks.json"
FAULTS = "faults"  # ``perfproof faults``: the profile's scenarios, at the same size
SUITES_ALL = (*SUITE_FILES, LOAD, CHECKS, FAULTS)
CHILD_SUITES = (LOAD, CHECKS, FAULTS)  # each runs as a command of its own, not under pytest
NEEDS_LOCUST = (LOAD, FAULTS)


@dataclass(frozen=True)
class Step:
    """One child pytest: some suites at one data size."""

    scale: str
    suites: tuple[str, ...]
    growth_only: bool = False

    @property
    def name(self) -> str:
        if self.suites[0] in CHILD_SUITES:
            return f"{self.suites[0]}-{self.scale}"
        return f"{'growth' if self.growth_only else 'benchmarks'}-{self.scale}"

    def describe(self) -> str:
        if self.growth_only:
            return f"growth queries at {self.scale}"
        if self.suites == (LOAD,):
            return f"load tests (Locust) at {self.scale}"
        if self.suites == (CHECKS,):
            return f"functional checks against the real portal at {self.scale}"
        if self.suites == (FAULTS,):
            return f"fault scenarios under load (Redis, PostgreSQL, a worker) at {self.scale}"
        return f"{' and '.join(self.suites)} at {self.scale}"


def plan(args: argparse.Namespace, profile: RunProfile) -> list[Step]:
    """The steps of this run: every suite at each size, then the growth-only sizes."""
    scales = (args.scale,) if args.scale else profile.scales
    chosen = tuple(args.suites or SUITES_ALL)
    suites = tuple(suite for suite in chosen if suite in SUITE_FILES)
    steps = [Step(scale, suites) for scale in scales] if suites else []
    steps += [
        Step(scales[0], (suite,))
        for suite in CHILD_SUITES
        if suite in chosen and (suite != FAULTS or profile.faults)
    ]
    if args.scaling or args.scaling_scales or profile.scaling_always:
        growth_scales = args.scaling_scales or profile.scaling
        covered = scales if "queries" in suites else ()
        steps += [
            Step(s, ("queries",), growth_only=True) for s in growth_scales if s not in covered
        ]
    return sorted(steps, key=lambda step: list(SCALES).index(step.scale))


def main_scales(steps: list[Step]) -> list[str]:
    return sorted({s.scale for s in steps if not s.growth_only}, key=list(SCALES).index)
