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
    repetitions: int
    warmup_s: float
    duration_s: float
    users: int  # closed model: simulated users, no think time
    # Open model: offered rate as this share of the slowest arm's closed capacity.
    open_share: float
