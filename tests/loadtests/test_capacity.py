"""The open model's operating point: the median of the slowest arm's closed runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from loadtests import runner
from loadtests.arms import ARMS_BY_NAME
from loadtests.capacity import (
    EXTRA_RUNS,
    MOVED,
    OTHERS_CORES,
    STEAL_CORES,
    Capacity,
    ClosedRun,
    change,
    counted,
    follow_due,
    moved,
    open_rate,
    recheck,
    slowest,
)
from loadtests.context import RunContext
from loadtests.plan import Plan
from loadtests.profiles import LOAD_PROFILES


def test_the_slowest_arm_is_the_one_with_the_lowest_median_and_its_runs_are_counted() -> None:
    capacity = slowest({"all-on": [520.0], "all-off": [256.0, 243.0, 299.0, 222.0, 273.0]})
    assert capacity == Capacity(arm="all-off", per_s=256.0, runs=5)


def test_one_run_caught_in_a_burst_does_not_move_the_operating_point() -> None:
    steady = slowest({"all-off": [250.0, 255.0, 260.0]})
    burst = slowest({"all-off": [250.0, 255.0, 260.0, 40.0, 258.0]})
    assert steady is not None and burst is not None
    assert abs(burst.per_s - steady.per_s) <= 5.0  # a mean would have fallen by 40


def test_no_closed_run_gives_no_capacity_and_arms_without_runs_are_ignored() -> None:
    assert slowest({}) is None
    assert slowest({"all-off": []}) is None
    assert slowest({"all-off": [], "all-on": [500.0]}) == Capacity("all-on", 500.0, 1)


def test_the_rate_is_the_share_rounded_to_a_tenth_and_never_below_one_per_second() -> None:
    assert open_rate(Capacity("all-off", 256.3, 5), 0.5) == 128.2
    assert open_rate(Capacity("all-off", 0.5, 1), 0.5) == 1.0


class _Facts:
    def __init__(self, rps: float) -> None:
        self.achieved_rps = rps


class _Run:
    """What the runner reads of a closed run to find the capacity."""

    def __init__(self, arm: str, repetition: int, rps: float, steal: float = 0.0) -> None:
        self.arm, self.repetition, self.rps = ARMS_BY_NAME[arm], repetition, rps
        self.model = "closed"
        self.cpu = {"steal": steal, "others": 0.01}

    def facts(self) -> _Facts:
        return _Facts(self.rps)


class _Folder:
    def __init__(self) -> None:
        self.runs: list[str] = []
        self.notes: dict[str, object] = {}

    def add(self, key: str, entry: dict[str, object]) -> None:
        self.runs.append(f"{key}: {entry}")

    def note(self, **notes: object) -> None:
        self.notes.update(notes)


StandIn = Callable[[list[tuple[float, float]]], list[tuple[str, int]]]


@pytest.fixture
def closed_runs(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """Stands the runner's closed runs in (real ones take minutes): each run started takes
    the next ``(throughput, steal)``; the list returned names every run started, in order."""

    def stand_in(measured: list[tuple[float, float]]) -> list[tuple[str, int]]:
        taken = iter(measured)
        started: list[tuple[str, int]] = []

        def run_arm(*args: Any) -> _Run:
            arm, model, repetition = args[1:4]
            assert model == "closed"
            started.append((arm.name, repetition))
            rps, steal = next(taken)
            return _Run(arm.name, repetition, rps, steal)

        monkeypatch.setattr(runner, "_run_arm", run_arm)
        monkeypatch.setattr(runner, "run_entry", lambda run: {"name": run.arm.name})
        return started

    return stand_in


def test_the_slowest_arm_is_measured_until_the_rate_rests_on_the_profile_s_runs(
    closed_runs: StandIn,
) -> None:
    """The runner's top-up: a second arm that turns out slower on the median is measured
    as often."""
    started = closed_runs([(rps, 0.0) for rps in (300.0, 310.0, 240.0, 250.0, 245.0, 260.0)])
    profile = replace(LOAD_PROFILES["default"], capacity_runs=5)
    context = SimpleNamespace(plan=SimpleNamespace(profile=profile), folder=_Folder())
    runs: list[Any] = [_Run("all-off", 0, 250.0), _Run("no-indexes", 0, 280.0)]
    runner._measure_capacity(cast(RunContext, context), runs)
    # all-off's median reaches 300 after two more runs: no-indexes (280) is then the
    # slowest, and it is measured until five runs of it give the median (250).
    assert started == [("all-off", 1), ("all-off", 2)] + [("no-indexes", r) for r in range(1, 5)]
    assert len(context.folder.runs) == 6
    assert runner._open_rate(cast(Plan, context.plan), runs) == 125.0


def test_a_recheck_is_the_median_after_the_units_and_moved_means_beyond_the_closed_runs_noise() -> (
    None
):
    before = Capacity("all-off", 340.0, 3)
    steady = recheck(before, [350.0, 330.0])
    assert steady == Capacity("all-off", 340.0, 2) and not moved(before, steady)
    # Run 5 of a default series: 250/s before the units, where the others read 338-394/s.
    slow_start = recheck(Capacity("all-off", 250.0, 5), [355.0, 365.0])
    assert slow_start is not None
    assert change(Capacity("all-off", 250.0, 5), slow_start) == pytest.approx(0.44)
    assert moved(Capacity("all-off", 250.0, 5), slow_start)
    edge = Capacity("all-off", 340.0 * (1 + MOVED) - 1, 2)
    assert not moved(before, edge) and moved(before, Capacity("all-off", 340 * 0.75, 2))
    assert recheck(before, []) is None


def test_after_the_units_the_rate_s_arm_is_measured_again_and_the_manifest_names_those_runs(
    closed_runs: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rate rests on the runs before the units; the recheck runs the same arm the
    profile's ``capacity_after_runs`` times more, numbered on, and says how far it moved."""
    started = closed_runs([(300.0, 0.0), (320.0, 0.0)])
    assert (
        LOAD_PROFILES["default"].capacity_runs,
        LOAD_PROFILES["default"].capacity_after_runs,
    ) == (2, 1)
    profile = replace(LOAD_PROFILES["default"], capacity_after_runs=2)
    context = SimpleNamespace(plan=SimpleNamespace(profile=profile), folder=_Folder())
    runs: list[Any] = [_Run("all-off", r, rps) for r, rps in enumerate([250.0, 256.0, 262.0])]
    runs.append(_Run("all-on", 0, 600.0))
    runner._recheck_capacity(cast(RunContext, context), runs)
    assert started == [("all-off", 3), ("all-off", 4)]
    assert context.folder.notes == {"capacity_after": {"arm": "all-off", "repetitions": [3, 4]}}
    assert "capacity after the units: 310.0/s, +21 % against the 256.0/s" in capsys.readouterr().out


def test_a_profile_without_a_recheck_runs_nothing_after_the_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner, "_run_arm", lambda *_: pytest.fail("no closed run is due"))
    profile = replace(LOAD_PROFILES["default"], capacity_after_runs=0)
    context = SimpleNamespace(plan=SimpleNamespace(profile=profile), folder=_Folder())
    runs: list[Any] = [_Run("all-off", 0, 250.0)]
    runner._recheck_capacity(cast(RunContext, context), runs)
    assert context.folder.notes == {}


def test_a_closed_run_the_hypervisor_or_a_neighbour_took_cpu_from_does_not_count() -> None:
    """The second default run of 2026-12-07: steal of 0.26 and 0.07 of a core in all-off's
    first two closed runs (192 and 191/s), 0.01 in the third (233/s)."""
    runs = [
        ClosedRun("all-off", 192.4, steal=0.263),
        ClosedRun("all-off", 191.4, steal=0.069, others=0.06),
        ClosedRun("all-off", 233.3, steal=0.009, others=0.034),
        ClosedRun("all-on", 376.6, steal=0.16),  # every run of it disturbed: all count
        ClosedRun("no-cache", 550.0, others=OTHERS_CORES + 0.01),
        ClosedRun("no-cache", 540.0, steal=STEAL_CORES, others=OTHERS_CORES),  # at the limits
    ]
    assert counted(runs) == {"all-off": [233.3], "all-on": [376.6], "no-cache": [540.0]}
    assert runs[0].why() == "0.26 of a core went to the hypervisor (steal)"
    assert runs[4].why() == "0.16 of a core went to other processes"


def test_disturbed_runs_are_replaced_up_to_the_extra_runs_and_said(
    closed_runs: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three undisturbed runs are wanted. all-off's first run and two of the next four are
    stolen from, so the runner stops when the extra runs are spent, with two undisturbed,
    and says which runs did not count."""
    started = closed_runs([(191.0, 0.07), (250.0, 0.0), (240.0, 0.3), (260.0, 0.0)])
    profile = replace(LOAD_PROFILES["default"], capacity_runs=3)
    context = SimpleNamespace(plan=SimpleNamespace(profile=profile), folder=_Folder())
    runs: list[Any] = [_Run("all-off", 0, 192.0, steal=0.26), _Run("all-on", 0, 600.0)]
    runner._measure_capacity(cast(RunContext, context), runs)
    assert EXTRA_RUNS == 2 and started == [
        ("all-off", r) for r in range(1, 5)
    ]  # 3 + 2 runs of all-off in all
    # 192 (0.26), 191 (0.07) and 240 (0.3) were stolen from: the median of 250 and 260.
    assert runner._open_rate(cast(Plan, context.plan), runs) == 127.5
    said = capsys.readouterr().out
    assert (
        "closed all-off repetition 1: 0.26 of a core went to the hypervisor (steal): its "
        "192/s does not count toward the capacity" in said
    )
    assert said.count("does not count toward the capacity") == 3


def test_a_closed_run_comes_before_every_eighth_unit_of_a_rate_and_never_before_its_first() -> None:
    due = [unit for unit in range(30) if follow_due(unit, 0, every=8)]
    assert due == [8, 16, 24]
    assert [u for u in range(31, 50) if follow_due(u, 31, every=8)] == [39, 47]  # a later rate
    assert not any(follow_due(unit, 0, every=0) for unit in range(30))  # never at 0
    assert LOAD_PROFILES["default"].capacity_every_units == 8
    assert LOAD_PROFILES["quick"].capacity_every_units == 0
