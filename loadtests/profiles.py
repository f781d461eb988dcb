"""What a load profile holds: how long, how many, which arms (``perfproof loadtest --profile``).

The profiles themselves are rows of the run profiles, ``perfproof/profiles.py``; the
command gets them from there (``perfproof/loadtest_command.py``).
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
