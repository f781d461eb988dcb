"""The watched load claims: each window's figure, the units used, and when sampling stops.

Synthetic windows with known figures: the runner's arithmetic is checked
against hand-computed values, the validity guard's drops are the report's,
and the stopping rule takes its looks at the declared shares of the budget,
stopping at the first where every claim is precise enough, or at the last.
"""

from __future__ import annotations

import time

import pytest

from loadtests.arm_run import ArmRun
from loadtests.arms import ARMS_BY_NAME
from loadtests.progress import describe_look
from loadtests.recorder import Recorder
from loadtests.sequential import LOOKS
from loadtests.stopping import Sequential, should_stop
from loadtests.watch import Watched, figure, interval_of, unit_figures

CACHED = "GET /api/products"
OTHER = "GET /api/wallet"


def window(
    arm: str,
    unit: int,
    *,
    ms: float = 10.0,
    other_ms: float | None = None,
    hits: int = 0,
    misses: int = 0,
    statements: int | None = 100,
    failures: int = 0,
) -> ArmRun:
    """A window of 100 requests: 60 on the cached route (hits and misses among them)."""
    recorder = Recorder(scheduled=100)
    for n in range(60):
        label = "HIT" if n < hits else "MISS" if n < hits + misses else None
        recorder.record(CACHED, ms / 1e3, ok=n >= failures, x_cache=label, second=0,
                        intended_seconds=ms / 1e3)  # fmt: skip
    for _ in range(40):
        seconds = (other_ms if other_ms is not None else ms) / 1e3
        recorder.record(OTHER, seconds, ok=True, x_cache=None, second=0, intended_seconds=seconds)
    return ArmRun(
        arm=ARMS_BY_NAME[arm], model="open", repetition=unit, offered_rps=100.0,
        recorded={"warmup": Recorder(), "measured": recorder},
        servers={"pg_stat_statements_calls": statements}, cpu={"generator": 0.2},
        portal_statements=None, generator_processes=1, server_died=False, seconds=3.0,
    )  # fmt: skip


def test_a_windows_figures_are_the_reports() -> None:
    run = window("all-on", 0, ms=10.0, other_ms=20.0, hits=45, misses=15, statements=50)
    assert figure(run, "hit_ratio", ()) == pytest.approx(0.75)
    # Every request together: (60 x 10 + 40 x 20) / 100 ms; one route: its own mean.
    assert figure(run, "intended_mean", ()) == pytest.approx(0.014, rel=1e-3)
    assert figure(run, "intended_mean", (CACHED,)) == pytest.approx(0.010, rel=1e-3)
    assert figure(run, "db_statements_per_request", ()) == pytest.approx(0.5)
    assert figure(window("all-on", 0, statements=None), "db_statements_per_request", ()) is None


LATENCY = Watched("cache-latency", "paired", "intended_mean", (), 0.10,
                  baseline="no-cache", candidate="all-on")  # fmt: skip
HITS = Watched("cache-hit-ratio", "level", "hit_ratio", (), 0.03, arm="all-on")


def test_a_unit_with_a_window_the_guard_marked_is_left_out_as_the_report_leaves_it() -> None:
    runs = [
        window("no-cache", 0, ms=20.0), window("all-on", 0, ms=10.0, hits=40, misses=20),
        window("no-cache", 1, ms=20.0), window("all-on", 1, ms=10.0, hits=40, misses=20),
        window("all-off", 1, failures=5),  # 5 % failed: the whole unit goes
    ]  # fmt: skip
    assert [unit for unit, _ in unit_figures(LATENCY, runs)] == [0]
    # A level claim loses the marked window only (all-on of unit 1 is fine).
    assert [unit for unit, _ in unit_figures(HITS, runs)] == [0, 1]


def test_the_interval_is_the_ratio_of_means_over_units() -> None:
    runs = []
    for unit, (base, cand) in enumerate([(20.0, 10.0), (30.0, 12.0), (25.0, 14.0)]):
        runs += [window("no-cache", unit, ms=base), window("all-on", unit, ms=cand)]
    found = interval_of(LATENCY, runs, 0.05)
    assert found is not None
    assert found.value == pytest.approx(1 - 12.0 / 25.0, abs=1e-3)  # means 25 and 12 ms
    assert found.low is not None and found.low < found.value < (found.high or 1.0)


def units(n: int, *, noisy: bool) -> list[ArmRun]:
    runs = []
    for unit in range(n):
        spread = (unit % 3 - 1) * (9.0 if noisy else 0.05)
        runs += [window("no-cache", unit, ms=20.0 + spread),
                 window("all-on", unit, ms=10.0 - spread)]  # fmt: skip
    return runs


def test_sampling_stops_at_the_first_look_where_every_claim_is_precise() -> None:
    state = Sequential(budget_s=100.0, started=time.monotonic() - 45.0, unit_s=[10.0] * 4)
    assert should_stop(state, [LATENCY], units(4, noisy=False))
    assert state.stopped == "target"
    assert state.alpha == LOOKS[0].alpha  # 45 s of 100: the first look, at 40 %


def test_sampling_goes_on_between_looks_and_ends_when_the_budget_is_spent() -> None:
    state = Sequential(budget_s=100.0, started=time.monotonic() - 45.0, unit_s=[10.0] * 4)
    assert not should_stop(state, [LATENCY], units(4, noisy=True))
    assert [look["met"] for look in state.looks] == [False]
    state.started = time.monotonic() - 55.0  # before 70 %: no look is due
    assert not should_stop(state, [LATENCY], units(5, noisy=True))
    assert len(state.looks) == 1
    state.started = time.monotonic() - 95.0  # another unit would not fit: the last looks
    assert should_stop(state, [LATENCY], units(9, noisy=True))
    assert state.stopped == "budget" and state.alpha == LOOKS[-1].alpha
    assert len(state.looks) == len(LOOKS)
    assert sum(look["alpha"] for look in state.looks) <= 0.05 + 1e-12


def test_a_look_says_which_claims_are_still_too_wide_and_what_comes_next() -> None:
    """The per-unit line shows the last look's level; a look's own line says why a run whose
    intervals read "ok" there still goes on (an earlier look judges at a stricter level)."""
    hit, latency = HITS, LATENCY
    look = {"fraction": 0.7, "alpha": 0.01, "units": 20, "elapsed_s": 252.0, "met": False,
            "half_widths": {"cache-hit-ratio": 0.033, "cache-latency": 0.05}}  # fmt: skip
    said = describe_look(look, [hit, latency])
    assert said == (
        "look 2 of 3 (70 % of the budget, 20 units, level 99.0 %): "
        "cache-hit-ratio ±3.3 (target ±3); going on"
    )
    last = {**look, "fraction": 1.0, "alpha": 0.035}
    assert describe_look(last, [hit, latency]).endswith("the budget is spent: stopping")
    met = {**look, "met": True, "half_widths": {"cache-hit-ratio": 0.02, "cache-latency": 0.05}}
    assert describe_look(met, [hit, latency]).endswith(
        "every load claim within its target; stopping"
    )
