"""Benchmark profiles: how much to measure, as declared data (``perfproof bench --profile``).

Rounds are chosen per benchmark from a time budget: in an arm's first block
one call is timed after a warm-up call, and each of the arm's blocks gets
``budget_s / that time`` rounds, within ``min_rounds`` and ``max_rounds``. A
1 ms query then gets ``max_rounds`` and a 200 ms unindexed one
``min_rounds``, so the slow arms cannot eat the run; every arm runs in two
blocks (``benchmarks/arms.py``) with the same rounds, so it gets twice a
block's rounds in all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from loadtests.faults.scenarios import FAULT_SCENARIOS


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    scales: tuple[str, ...]  # the query and endpoint suites run at each
    scaling: tuple[str, ...]  # with --scaling: the growth queries at each of these
    scaling_always: bool  # the growth mode is part of the profile
    budget_s: float  # measured time per benchmark and block
    min_rounds: int
    max_rounds: int
    warmup_rounds: int
    # Blocks of each index arm, interleaved ABBA (``benchmarks/arms.py``).
    blocks: int = 2
    # ``perfproof faults`` in the run: these scenarios, (before, fault, after) seconds each.
    faults: tuple[str, ...] = ()
    fault_windows: tuple[float, float, float] = (10.0, 10.0, 15.0)

    def rounds_for(self, seconds_per_call: float) -> int:
        """Rounds of one block for a call that took ``seconds_per_call``."""
        if seconds_per_call <= 0:
            return self.max_rounds
        wanted = math.ceil(self.budget_s / seconds_per_call)
        return max(self.min_rounds, min(self.max_rounds, wanted))


ALL_FAULTS = tuple(scenario.name for scenario in FAULT_SCENARIOS)
PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="quick",
            summary="CI and a first look: scale tiny, few rounds (about 3 minutes)",
            scales=("tiny",),
            scaling=("tiny", "small", "medium"),
            scaling_always=False,
            budget_s=0.05,
            min_rounds=3,
            max_rounds=5,
            warmup_rounds=1,
            # One Redis fault (the write-up's fallback) and one database fault, short.
            faults=("redis-stopped", "postgres-frozen"),
            fault_windows=(2.0, 3.0, 3.0),
        ),
        Profile(
            name="gate",
            summary="the regression gate's: scale tiny, the query and endpoint suites in 16 "
            "short blocks per arm (independent blocks, not rounds, are what buy power here)",
            scales=("tiny",),
            scaling=("tiny", "small", "medium"),
            scaling_always=False,
            budget_s=0.02,
            min_rounds=3,
            max_rounds=3,
            warmup_rounds=1,
            blocks=16,
        ),
        Profile(
            name="default",
            summary="scale small, 2 x 15 rounds per arm at most, and the growth mode over "
            "tiny, small and medium (benchmarks about a minute and a half)",
            scales=("small",),
            scaling=("tiny", "small", "medium"),
            # The 1.3 s claim is judged from the growth fit: without it, the main
            # job's report would say "no evidence" for the write-up's headline number.
            scaling_always=True,
            budget_s=0.5,
            min_rounds=5,
            max_rounds=15,
            warmup_rounds=3,
            faults=ALL_FAULTS,
        ),
        Profile(
            name="full",
            summary="small, medium and large, and the growth mode over tiny to large (long)",
            scales=("small", "medium", "large"),
            scaling=("tiny", "small", "medium", "large"),
            scaling_always=True,
            budget_s=1.0,
            min_rounds=5,
            max_rounds=15,
            warmup_rounds=3,
            faults=ALL_FAULTS,
        ),
    )
}
