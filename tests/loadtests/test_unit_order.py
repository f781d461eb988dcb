"""The arms' order in each paired unit: afresh per unit, afresh per run, and readable back."""

from __future__ import annotations

import argparse
from collections import Counter

from loadtests.plan import plan_of
from loadtests.profiles import LOAD_PROFILES
from loadtests.unit_order import new_order_seed, unit_order

ARMS = ("all-on", "all-on-twin")


def test_one_seed_and_unit_give_one_order_and_every_arm_once() -> None:
    first = unit_order(LOAD_PROFILES["quick"].arms, 7, 3)
    assert first == unit_order(LOAD_PROFILES["quick"].arms, 7, 3)
    assert sorted(first) == sorted(LOAD_PROFILES["quick"].arms)


def test_runs_with_their_own_seeds_put_each_arm_first_in_about_half_of_a_unit() -> None:
    """Over 400 runs' seeds, unit 0's first arm is each of two arms about half the time
    (binomial, 400 draws: 0.40-0.60 is over four standard deviations either side), and so
    is every other unit's: no position belongs to an arm across a series of runs."""
    for unit in range(10):
        firsts = Counter(unit_order(ARMS, seed, unit)[0] for seed in range(400))
        assert 160 <= firsts["all-on"] <= 240, (unit, firsts)


def test_within_a_run_the_units_orders_differ() -> None:
    orders = {tuple(unit_order(LOAD_PROFILES["default"].arms, 11, unit)) for unit in range(30)}
    assert len(orders) > 10  # 24 possible orders of four arms, 30 draws


def test_the_closed_and_open_units_of_a_run_draw_apart() -> None:
    arms = LOAD_PROFILES["default"].arms
    closed = [unit_order(arms, 5, unit, "closed") for unit in range(8)]
    opened = [unit_order(arms, 5, unit) for unit in range(8)]
    assert closed != opened


def test_every_plan_draws_a_seed_of_its_own() -> None:
    args = argparse.Namespace(
        load_profiles=LOAD_PROFILES, profile="quick", arms=None, model="both",
        repetitions=None, warmup=None, duration=None, users=None, rate=None,
        arrivals="poisson", processes=1, workers=1, seed=1,
    )  # fmt: skip
    seeds = {plan_of(args).order_seed for _ in range(5)} | {new_order_seed()}
    assert len(seeds) == 6  # 32 random bits each: a repeat is a one-in-a-billion draw
