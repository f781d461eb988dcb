"""Splitting a fault run's requests by phase, on synthetic timelines with a known answer."""

from __future__ import annotations

from loadtests.faults.phases import CONNECTION, Request, phase_of, split

START, FAULT_START, FAULT_END, END = 100.0, 110.0, 120.0, 135.0


def request(started: float, seconds: float = 0.01, status: int = 200) -> Request:
    return Request(started, "GET /api/wallet", status, 200 <= status < 300, seconds)


def test_a_request_counts_in_the_phase_it_ended_in() -> None:
    # Sent before the fault, broken by it: a failure of the fault, not of the healthy phase.
    assert phase_of(request(109.9, seconds=0.5), FAULT_START, FAULT_END) == "during"
    assert phase_of(request(109.0), FAULT_START, FAULT_END) == "before"
    assert phase_of(request(119.0, seconds=3.0), FAULT_START, FAULT_END) == "after"


def test_figures_per_phase_and_the_time_to_recover() -> None:
    requests = [request(START + i * 0.5) for i in range(20)]  # before: 20 answered
    requests += [request(FAULT_START + i, seconds=2.0, status=503) for i in range(8)]
    requests += [request(FAULT_START + 8.5, status=0, seconds=0.2)]  # no answer
    requests += [request(FAULT_END + 1.0, status=503, seconds=0.5)]  # last failure at +1.5 s
    requests += [request(FAULT_END + 2 + i) for i in range(10)]
    found = split(requests, start=START, fault_start=FAULT_START, fault_end=FAULT_END, end=END)

    before, during, after = (found.phases[p] for p in ("before", "during", "after"))
    assert (before.requests, before.failures) == (20, 0)
    assert (during.requests, during.failures) == (9, 9)
    assert during.statuses == {"503": 8, CONNECTION: 1}
    assert during.failure_max_s == 2.0
    assert (after.requests, after.failures) == (11, 1)
    assert found.recovery_s == 1.5
    assert before.as_dict()["answered_per_s"] == 2.0  # 20 answered in 10 s
    assert len(found.failed) == 10


def test_nothing_failed_after_the_fault_means_recovered_at_once() -> None:
    requests = [request(FAULT_START + 1, status=503), request(FAULT_END + 1)]
    found = split(requests, start=START, fault_start=FAULT_START, fault_end=FAULT_END, end=END)
    assert found.recovery_s == 0.0
    assert found.phases["before"].ok_p50_s is None  # no request: no latency, not a zero
