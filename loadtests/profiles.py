"""What a load profile holds: how long, how many, which arms (``perfproof loadtest --profile``).

The rows are here, ``LOAD_PROFILES``; each run profile of ``perfproof/profiles.py`` names
one, and the command gets them from there (``perfproof/loadtest_command.py``). Kept apart
from the runner, which starts the portal, so a team's target (``perfproof/targets``)
plans its run with the same budgets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadProfile:
    name: str
    summary: str
    arms: tuple[str, ...]
    repetitions: int  # closed model: runs per arm (its capacity sets the open model's rate)
    warmup_s: float  # closed model
    duration_s: float  # closed model
    users: int  # closed model: simulated users, no think time
    # Open model: offered rate as this share of the slowest arm's closed capacity (the
    # load verdicts' rate; --load-rates adds others, each its own paired units).
    open_share: float
    # Open model: seconds of paired units (``loadtests/paired_units.py``) at most;
    # sampling stops sooner when every watched claim is precise enough.
    budget_s: float = 60.0
    # Closed runs of the slowest arm the open model's rate rests on (their median;
    # ``loadtests/capacity.py``): the runs above count, the rest are added.
    capacity_runs: int = 1
    # Closed runs of that arm after the units, to see whether the machine held still
    # (``loadtests/capacity.py``: ``recheck``); they do not move the rate.
    capacity_after_runs: int = 0
    # Every this many paired units, one more closed run of that arm on the units' own
    # portal, and the rate follows the median of all its runs so far (0: never). It is
    # part of the units' time and budget (``loadtests/capacity.py``: ``FOLLOW``).
    capacity_every_units: int = 0


LOAD_PROFILES: dict[str, LoadProfile] = {
    profile.name: profile
    for profile in (
        LoadProfile(
            "quick",
            "CI and a first look: three arms; the closed model once per arm (3 s), the open "
            "model in paired units for at most 90 s, the slowest arm's closed run again "
            "after them (about two and a half minutes in all)",
            # no-cache is in: the cache claims compare cache off with on, everything else on.
            arms=("all-on", "no-cache", "all-off"),
            repetitions=1,
            warmup_s=1.0,
            duration_s=3.0,
            users=8,
            open_share=0.5,
            budget_s=90.0,
            capacity_after_runs=1,
        ),
        LoadProfile(
            "default",
            "all four arms in the closed model once (5 s each) and the slowest once more, "
            "the open model in paired units for at most 440 s, the slowest arm again every "
            "8 units (the rate follows its median) and once after them (about 10 minutes "
            "in all)",
            arms=("all-on", "no-cache", "no-indexes", "all-off"),
            # One closed run per arm shows each arm's capacity; the slowest arm's two set
            # the open model's first rate, one more every eight units moves it to half
            # their median (loadtests/capacity.py: the machine's speed wanders by 15 %
            # over minutes, and the latency claims follow the rate), and one after the
            # units shows whether the machine held still. The claims are judged in the
            # open model's paired units, many short windows, not over a few long
            # repetitions. The budget holds the runs between units (about 12 s each):
            # 440 s, 20 more than before they came, paid for by two runs fewer outside.
            repetitions=1,
            warmup_s=2.0,
            duration_s=5.0,
            users=16,
            open_share=0.5,
            capacity_runs=2,
            capacity_after_runs=1,
            capacity_every_units=8,
            budget_s=440.0,
        ),
    )
}
