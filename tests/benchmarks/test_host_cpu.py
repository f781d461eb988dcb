"""A step's record of the whole machine's CPU: shares of the time that passed, steal named."""

from __future__ import annotations

from benchmarks.host_cpu import CpuTimes, now, shares


def test_shares_are_each_states_part_of_the_time_that_passed() -> None:
    # Synthetic readings: 10 s of two CPUs' time passed, 2 s of them stolen.
    before = CpuTimes(busy=100.0, steal=1.0, iowait=0.5, idle=50.0)
    after = CpuTimes(busy=106.0, steal=3.0, iowait=1.0, idle=51.5)

    assert shares(before, after) == {"busy": 0.6, "steal": 0.2, "iowait": 0.05}


def test_no_time_passed_is_no_shares_rather_than_a_division_by_zero() -> None:
    reading = CpuTimes(busy=1.0, steal=0.0, iowait=0.0, idle=1.0)

    assert shares(reading, reading) == {}


def test_the_machines_own_counters_only_grow() -> None:
    first = now()
    sum(range(200_000))  # some CPU time for the counters to count
    second = now()

    found = shares(first, second)
    assert set(found) <= {"busy", "steal", "iowait"}
    assert all(0.0 <= share <= 1.0 for share in found.values())
    assert second.total >= first.total
