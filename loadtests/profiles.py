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
            "CI and a first look: three arms, two interleaved repetitions, 3 s each model "
            "(about two minutes)",
            # no-cache is in: the cache claims compare cache off with on, everything else on.
            arms=("all-on", "no-cache", "all-off"),
            repetitions=2,
            warmup_s=1.0,
            duration_s=3.0,
            users=8,
            open_share=0.5,
        ),
        LoadProfile(
            "default",
            "all four arms, three interleaved repetitions, 10 s each model (about 7 minutes)",
            arms=("all-on", "no-cache", "no-indexes", "all-off"),
            # Three, not two: load verdicts are judged over repetitions (requests within
            # one run are not independent), and a t interval on two has one degree of
            # freedom (12.7 standard errors wide); on three, 4.3.
            repetitions=3,
            warmup_s=3.0,
            duration_s=10.0,
            users=16,
            open_share=0.5,
        ),
    )
}
