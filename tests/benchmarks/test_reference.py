"""The reference call every benchmark round is paired with (``benchmarks/reference.py``)."""

from __future__ import annotations

import time

from benchmarks.reference import Reference


def test_each_round_times_its_reference_first_then_runs_its_own_setup() -> None:
    happened: list[str] = []

    def reference_call() -> None:
        happened.append("reference")
        time.sleep(0.002)

    reference = Reference(reference_call)
    setup = reference.before(lambda: happened.append("setup"))
    for _ in range(3):
        setup()
    assert happened == ["reference", "setup"] * 3
    assert len(reference.seconds) == 3 and min(reference.seconds) >= 0.002


def test_a_round_without_a_setup_still_times_its_reference() -> None:
    reference = Reference(lambda: None)
    reference.before(None)()
    assert len(reference.seconds) == 1


def test_the_measured_references_leave_out_the_warm_up_rounds() -> None:
    reference = Reference(lambda: None)
    reference.seconds[:] = [9.0, 1.0, 2.0, 3.0]  # one warm-up round, then three measured
    assert reference.measured(warmup_rounds=1, rounds=3) == [1.0, 2.0, 3.0]
