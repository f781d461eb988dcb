"""Load profiles: how long, how many, which arms (``perfproof loadtest --profile``)."""

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


LOAD_PROFILES: dict[str, LoadProfile] = {
    profile.name: profile
    for profile in (
        LoadProfile(
            "quick",
            "CI and a first look: two arms, one repetition, 4 s each model (about a minute)",
            arms=("all-on", "all-off"),
            repetitions=1,
            warmup_s=1.0,
            duration_s=4.0,
            users=8,
            open_share=0.5,
        ),
        LoadProfile(
            "default",
            "all four arms, two interleaved repetitions, 15 s each model (about 6 minutes)",
            arms=("all-on", "no-cache", "no-indexes", "all-off"),
            repetitions=2,
            warmup_s=3.0,
            duration_s=15.0,
            users=16,
            open_share=0.5,
        ),
    )
}
