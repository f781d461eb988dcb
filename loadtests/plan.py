"""What one ``perfproof loadtest`` will run: the profile's settings with the options over them."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from loadtests.arms import ARMS_BY_NAME, MODELS, LoadArm, Model
from loadtests.profiles import LoadProfile
from loadtests.unit_order import new_order_seed


@dataclass(frozen=True)
class Plan:
    profile: LoadProfile
    arms: tuple[LoadArm, ...]
    models: tuple[Model, ...]
    repetitions: int
    warmup_s: float
    duration_s: float
    users: int
    rate: float | None
    arrivals: str
    processes: int
    workers: int
    budget_s: float  # the open model's paired units, per offered rate
    # Shares of the slowest arm's capacity the open model runs at, the verdicts' first.
    shares: tuple[float, ...]
    seed: int  # the dataset's
    # Draws the arms' order in each paired unit: one per run (``loadtests/unit_order.py``).
    order_seed: int = 0
    # Paired units between closed runs the open model's rate follows (0: the rate is fixed).
    capacity_every: int = 0


def plan_of(args: argparse.Namespace) -> Plan:
    profile: LoadProfile = args.load_profiles[args.profile]
    names = args.arms or profile.arms
    models: tuple[Model, ...] = MODELS if args.model == "both" else (args.model,)
    if models == ("open",) and args.rate is None:
        models = MODELS  # the offered rate comes from the closed model's capacity
    return Plan(
        profile=profile,
        arms=tuple(ARMS_BY_NAME[name] for name in names),
        models=models,
        repetitions=args.repetitions or profile.repetitions,
        warmup_s=args.warmup or profile.warmup_s,
        duration_s=args.duration or profile.duration_s,
        users=args.users or profile.users,
        rate=args.rate,
        arrivals=args.arrivals,
        processes=args.processes,
        workers=args.workers,
        budget_s=getattr(args, "load_budget", None) or profile.budget_s,
        shares=shares_of(getattr(args, "load_rates", None), profile.open_share),
        seed=args.seed,
        order_seed=new_order_seed(),
        capacity_every=(
            profile.capacity_every_units
            if getattr(args, "capacity_every", None) is None
            else args.capacity_every
        ),
    )


def shares_of(given: tuple[float, ...] | None, verdicts: float) -> tuple[float, ...]:
    """The open model's shares in the order they run: the verdicts' share first (the profile's
    when listed, else the first listed), the rest from low to high."""
    if not given:
        return (verdicts,)
    first = verdicts if verdicts in given else given[0]
    return (first, *sorted(share for share in given if share != first))
