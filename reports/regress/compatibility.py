"""Whether two sets of runs can be compared at all, and what to warn about when they can.

Refused (:class:`CannotCompare`, exit 2): a run that did not finish (its
series would be missing or cut short, and a missing series is "removed",
which must never be how a crash looks), a tidy table of an older result
format, a manifest of a newer one, and runs on different data — another
scale, seed or row count makes every time different for a reason that is
not the code. Different hardware or software versions are a loud warning
(``--strict-environment``: refused too): a gate between two machines
measures the machines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from benchmarks.manifest import Step
from reports.run_folder import RunFolder

# A run's result format, its tidy table (columns, units, values a measurement can have) and
# its files are checked when it is read (reports/run_schema), for the gate and the report
# alike: what is left here is what makes two valid runs comparable.
MACHINE_KEYS = ("hostname", "platform", "cpus", "memory_gib")


class CannotCompare(ValueError):
    """Runs the gate cannot compare; the message is the one line to show."""


def check_usable(run: RunFolder) -> None:
    """Refuse a run that is unfinished or has no measurements."""
    if not run.finished:
        raise CannotCompare(f"{run.path}: {run.unfinished_reason}; a gate needs a finished run")
    if not (run.path / "tidy.csv").exists():
        raise CannotCompare(f"{run.path}: no tidy.csv (an older result format, or no benchmarks)")
    if run.tidy.empty:
        raise CannotCompare(f"{run.path}/tidy.csv: no measurements in it")


def _data(run: RunFolder) -> dict[str, Any]:
    """What decides the data a run measured: scales, seed, rows per table."""
    scales = run.manifest.scales
    if scales is None and run.manifest.scale is not None:  # a load-test run folder of its own
        scales = [run.manifest.scale]
    seed = run.manifest.seed
    if seed is None and run.load_manifest is not None:
        seed = run.load_manifest.seed
    return {
        "scales": sorted(scales or sorted({str(s) for s in run.tidy["scale"].unique()})),
        "seed": seed,
        "rows": run.manifest.dataset_rows or {},
    }


def check_same_data(baseline: Sequence[RunFolder], candidate: Sequence[RunFolder]) -> None:
    """Refuse runs whose data differ (scale, seed, row counts)."""
    first = baseline[0]
    reference = _data(first)
    for run in (*baseline[1:], *candidate):
        data = _data(run)
        if data["scales"] != reference["scales"]:
            raise CannotCompare(
                f"different data scale: {first.name} measured {', '.join(reference['scales'])}, "
                f"{run.name} {', '.join(data['scales'])}"
            )
        if data["seed"] != reference["seed"]:
            raise CannotCompare(
                f"different dataset: {first.name} has seed {reference['seed']}, "
                f"{run.name} seed {data['seed']}"
            )
        for scale in set(data["rows"]) & set(reference["rows"]):
            if data["rows"][scale] != reference["rows"][scale]:
                raise CannotCompare(
                    f"different data at {scale}: the row counts of {first.name} and "
                    f"{run.name} differ (another generator version?)"
                )


def _group(run: RunFolder, group: str) -> dict[str, Any]:
    """The manifest's ``machine`` or ``versions``, as a mapping to compare key by key."""
    if group == "machine":
        machine = run.manifest.machine
        return machine.model_dump(exclude_unset=True) if machine is not None else {}
    return dict(run.manifest.versions or {})


def environment_differences(
    baseline: Sequence[RunFolder], candidate: Sequence[RunFolder]
) -> list[str]:
    """One line per machine or version difference between the first baseline and any other run."""
    first = baseline[0]
    lines: list[str] = []
    for run in (*baseline[1:], *candidate):
        for group, keys in (("machine", MACHINE_KEYS), ("versions", None)):
            ours, theirs = _group(first, group), _group(run, group)
            for key in keys or sorted(set(ours) | set(theirs)):
                if ours.get(key) != theirs.get(key):
                    lines.append(
                        f"different {'machine' if group == 'machine' else 'version'}: {key} "
                        f"{ours.get(key)!r} in {first.name}, {theirs.get(key)!r} in {run.name}"
                    )
    return list(dict.fromkeys(lines))


# A step that lost more of the machine than this to other tenants ran on a busy host.
BUSY_STEAL = 0.05


def busy_host_warnings(runs: Sequence[RunFolder]) -> list[str]:
    """One line per run whose steps lost more than :data:`BUSY_STEAL` of the CPU to steal.

    ``host_cpu`` in the manifest's steps (``benchmarks/host_cpu.py``): on the
    development machine every comparison the gate got wrong came from runs
    while up to a third of the CPU was stolen. The verdicts stand; the reader
    is told which run to distrust (runs from before the record say nothing).
    """
    lines = []
    for run in runs:
        shares = [_steal(step) for step in run.manifest.steps or []]
        worst = max(shares, default=0.0)
        if worst > BUSY_STEAL:
            lines.append(
                f"busy host: {run.name} lost {worst:.0%} of the CPU to other tenants (steal) "
                "during a step; its times are partly the host's"
            )
    return lines


def _steal(step: Step) -> float:
    """A step's steal share; 0 where it is missing or not a number (a warning, not a check)."""
    host = step.host_cpu
    steal = host.get("steal") if isinstance(host, dict) else None
    if isinstance(steal, bool) or not isinstance(steal, int | float):
        return 0.0
    return float(steal) if math.isfinite(steal) else 0.0


def profile_differences(baseline: Sequence[RunFolder], candidate: Sequence[RunFolder]) -> list[str]:
    """Runs of different profiles compare (the tests take any sample sizes), with fewer rounds."""
    first = baseline[0]
    return [
        f"different profile: {first.manifest.profile!r} in {first.name}, "
        f"{run.manifest.profile!r} in {run.name} (other round counts)"
        for run in (*baseline[1:], *candidate)
        if run.manifest.profile != first.manifest.profile
    ]
