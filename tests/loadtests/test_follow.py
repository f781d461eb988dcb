"""The rate follows the capacity, for real: a closed run between paired units moves the rate.

``perfproof loadtest --capacity-every 1`` at the quick profile and tiny scale, with the
all-off arm alone (one window per unit keeps it to about a minute): the closed run
before the units sets the first rate; before the second unit all-off runs closed again,
on the units' own index-less portal with arrivals paused, and every window after it is
offered half the median of its runs so far.
The manifest names the step, and the rate the verdicts read is the windows' mean.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from loadtests.capacity import ClosedRun, counted, open_rate, slowest
from loadtests.unit_timing import unit_seconds
from portal.devstack import Services


@pytest.fixture(scope="module")
def followed(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("follow")
    budget = 2 * unit_seconds(1) + 8.0  # two units and the closed run between them
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", "loadtest", "--profile", "quick", "--scale", "tiny",
         "--arms", "all-off", "--capacity-every", "1", "--load-budget", f"{budget:g}",
         "--warmup", "0.5", "--duration", "1.5",  # each closed run: 2 s, not 4
         "--results", str(results)],
        env={**os.environ, **stack.env()}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = results.iterdir()
    return folder


def closed_run(entry: dict[str, Any]) -> ClosedRun:
    """What the capacity reads of a closed run's manifest entry."""
    cpu = entry["cpu"]
    return ClosedRun(entry["arm"], entry["achieved_rps"], cpu.get("steal", 0.0),
                     cpu.get("others", 0.0))  # fmt: skip


@pytest.mark.slow
def test_a_closed_run_between_units_moves_the_rate_of_the_windows_after_it(
    followed: Path,
) -> None:
    manifest: dict[str, Any] = json.loads((followed / "manifest.json").read_text())
    runs = manifest["runs"]
    steps = manifest["rate_followed"]
    assert len(steps) >= 1
    first = steps[0]
    assert first["before_unit"] == 1
    # It ran between unit 0's windows and unit 1's, on the units' portal: no portal of its
    # own was started for it (a busy machine may have added closed runs before the units
    # in place of disturbed ones: loadtests/capacity.py).
    starts = [i for i, run in enumerate(runs) if run["model"] == "open" and run["repetition"] == 1]
    ends = [i for i, run in enumerate(runs) if run["model"] == "open" and run["repetition"] == 0]
    at = [i for i in range(max(ends) + 1, min(starts)) if runs[i]["model"] == "closed"]
    assert len(at) == 1
    between = runs[at[0]]
    before = slowest(
        counted([closed_run(run) for run in runs[: at[0]] if run["model"] == "closed"])
    )
    assert before is not None and between["arm"] == before.arm  # the slowest arm then
    assert (followed / f"server-closed-{between['arm']}-0.log").exists()
    assert not (followed / f"server-{between['name']}.log").exists()
    # Its rate: half the median of all-off's undisturbed closed runs so far, offered in the
    # windows after it.
    capacity = slowest(counted([closed_run(run) for run in runs[: min(starts)]
                                if run["model"] == "closed"]))  # fmt: skip
    assert capacity is not None and (capacity.arm, capacity.runs) == (first["arm"], first["runs"])
    # The manifest keeps each run's rate to 0.01/s, the rate was set from the unrounded
    # runs: the two may land either side of a tenth.
    assert first["rate"] == pytest.approx(open_rate(capacity, 0.5), abs=0.1)
    windows = [run for run in runs if run["model"] == "open"]
    for window in windows:
        step = [s for s in steps if s["before_unit"] <= window["repetition"]]
        assert window["offered_rps"] == (step[-1]["rate"] if step else first["rate_before"])
    mean = statistics.fmean(window["offered_rps"] for window in windows)
    assert manifest["open_rate"] == round(mean, 1)
    # The recheck after the units is still its own: named, and left out of the rate.
    after = manifest["capacity_after"]
    rechecked = [
        i for i, run in enumerate(runs)
        if (run["model"], run["arm"]) == ("closed", after["arm"])
        and run["repetition"] in after["repetitions"]
    ]  # fmt: skip
    last_window = max(i for i, run in enumerate(runs) if run["model"] == "open")
    assert rechecked and min(rechecked) > last_window
