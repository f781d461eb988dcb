"""A load claim at every offered rate the run measured (``--load-rates``), the verdict at one.

"40-60 % faster" holds at some loads and not at others: at a low rate both
arms answer at their service time, near saturation the slower one queues. With
``--load-rates 0.25,0.5,0.75`` the open model runs paired units at each share
of the slowest arm's capacity, each rate with units, a budget and looks of its
own (``loadtests/runner.py``). Here each rate is judged on its own units
alone, with its own stopping look's alpha, by the claim's own estimator: the
claim's verdict is the primary rate's (the profile's share), and the others go
in ``details.by_rate`` for the report's effect-against-load plot. A rate's
interval never borrows another rate's windows: pooling them would answer a
question nobody asked (the effect at a mixture of loads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from benchmarks.manifest import RatePhase
from reports.evidence import Evidence, NoEvidence

if TYPE_CHECKING:
    from reports.claims import Claim
    from reports.run_folder import RunFolder

    Estimator = Callable[[Claim, RunFolder], Evidence]


def phases_of(run: RunFolder) -> list[RatePhase]:
    """The run's offered rates, each with its units; empty for a run at one rate."""
    manifest = run.load_manifest or run.manifest
    return list(manifest.rate_phases or [])


def only(run: RunFolder, phase: RatePhase) -> RunFolder:
    """``run`` as if ``phase`` were its only open-model rate: its windows, its looks."""
    units = range(phase.first_unit, phase.first_unit + phase.units)
    tidy = run.tidy
    if not tidy.empty:
        open_rows = (tidy["suite"] == "load") & (tidy["variant"] == "open")
        tidy = tidy[~open_rows | tidy["repetition"].astype(int).isin(units)]
    update = {"sequential": phase.sequential, "open_rate": phase.rate}
    if run.load_manifest is not None:
        return replace(run, tidy=tidy, load_manifest=run.load_manifest.model_copy(update=update))
    return replace(run, tidy=tidy, manifest=run.manifest.model_copy(update=update))


def at_rates(estimate: Estimator) -> Estimator:
    """``estimate`` at the primary rate, with every rate's estimate in ``details.by_rate``."""

    def judged(claim: Claim, run: RunFolder) -> Evidence:
        from reports.verdicts import verdict_for  # verdicts read claims, which read this

        phases = phases_of(run)
        if len(phases) < 2:
            return estimate(claim, run)
        primary = next((p for p in phases if p.primary), phases[0])
        found = estimate(claim, only(run, primary))
        entries: list[dict[str, Any]] = []
        for phase in sorted(phases, key=lambda p: p.rate):
            entry: dict[str, Any] = {"share": phase.share, "rate": phase.rate,
                                     "primary": phase is primary}  # fmt: skip
            try:
                at = found if phase is primary else estimate(claim, only(run, phase))
            except NoEvidence as missing:
                entries.append({**entry, "missing": str(missing)})
                continue
            value, low, high = at.estimate.value, at.estimate.low, at.estimate.high
            word = verdict_for(claim.claimed, low, high) if claim.claimed else "no evidence"
            entries.append({**entry, "value": value, "low": low, "high": high,
                            "n": at.estimate.n, "verdict": word})  # fmt: skip
        found.details["by_rate"] = entries
        return found

    judged.__doc__ = estimate.__doc__
    return judged
