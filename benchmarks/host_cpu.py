"""How busy the whole machine was while a step ran: its CPU shares, steal included.

On a shared virtual machine the hypervisor gives a vCPU to other tenants
for stretches (``steal``), and a benchmark round that spans one takes
longer for reasons that are not the code's. Measured on the 2-core
development machine: runs of the gate profile took 64-104 s instead of
60 while up to a third of the CPU was stolen, and every comparison the
regression gate got wrong came from those runs. So each step of a run
records the machine's CPU shares over its wall time (``/proc/stat`` via
psutil, all CPUs together), and the regression gate warns about a run
that lost more than 5 % to steal (``reports/regress/compatibility.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

# The shares a step records, each a fraction of all CPUs' time over the step.
SHARES = ("busy", "steal", "iowait")


@dataclass(frozen=True)
class CpuTimes:
    """All CPUs' cumulative seconds per state, as the kernel counts them."""

    busy: float  # user, nice, system, irq, softirq
    steal: float
    iowait: float
    idle: float

    @property
    def total(self) -> float:
        return self.busy + self.steal + self.iowait + self.idle


def now() -> CpuTimes:
    """The machine's cumulative CPU times at this moment."""
    import psutil

    times = psutil.cpu_times()
    busy = sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))
    return CpuTimes(
        busy=busy,
        steal=getattr(times, "steal", 0.0),
        iowait=getattr(times, "iowait", 0.0),
        idle=times.idle,
    )


def shares(before: CpuTimes, after: CpuTimes) -> dict[str, float]:
    """Each state's share of all CPUs' time between two readings (empty when none passed)."""
    total = after.total - before.total
    if total <= 0:
        return {}
    return {
        name: round(max(0.0, getattr(after, name) - getattr(before, name)) / total, 4)
        for name in SHARES
    }
