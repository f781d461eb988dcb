"""``judge``: what each fault scenario must do, held to synthetic requests with a known answer."""

from __future__ import annotations

from loadtests.faults.phases import Request, split
from loadtests.faults.results import ScenarioResult, judge
from loadtests.faults.scenarios import FAULT_SCENARIOS, SCENARIOS_BY_NAME

MARKS = {"load_start": 0.0, "fault_start": 10.0, "fault_end": 20.0, "load_end": 30.0}
CLEAN_BOOKS: dict[str, list[int]] = {"wallet equals its ledger": []}


def result(name: str, requests: list[Request], **changes: object) -> ScenarioResult:
    found = split(requests, start=0.0, fault_start=10.0, fault_end=20.0, end=30.0)
    fields: dict[str, object] = {
        "scenario": SCENARIOS_BY_NAME[name], "marks": MARKS, "split": found, "stale": [],
        "books": CLEAN_BOOKS, "workers_after": 2, "notes": [],
    }  # fmt: skip
    fields.update(changes)
    return ScenarioResult(**fields)  # type: ignore[arg-type]


def healthy(start: float, end: float) -> list[Request]:
    return [
        Request(t / 2, "GET /api/wallet", 200, True, 0.01)
        for t in range(int(2 * start), int(2 * end))
    ]


def test_every_scenario_is_declared_once_with_a_bound_to_recover() -> None:
    names = [s.name for s in FAULT_SCENARIOS]
    assert len(names) == len(set(names)) == 5
    assert all(s.recover_within_s >= 0 for s in FAULT_SCENARIOS)


def test_a_redis_fault_may_fail_nothing() -> None:
    clean = result("redis-frozen", healthy(0, 30))
    assert judge(clean, deadline_s=5, workers=2) == []
    one = [*healthy(0, 30), Request(12.0, "GET /api/wallet", 500, False, 0.1)]
    assert judge(result("redis-frozen", one), deadline_s=5, workers=2) == [
        "1 requests failed during or after the fault (none may)"
    ]


def test_a_database_fault_may_fail_fast_with_503_only() -> None:
    fast = [*healthy(0, 30), Request(12.0, "GET /api/orders", 503, False, 4.9)]
    assert judge(result("postgres-frozen", fast), deadline_s=5, workers=2) == []
    slow = [*healthy(0, 30), Request(12.0, "GET /api/orders", 503, False, 40.0)]
    assert judge(result("postgres-frozen", slow), deadline_s=5, workers=2) == [
        "1 failures took over 6 s (slowest 40.0 s)",
        "the last failure came 32.0 s after the fault ended (at most 5 s)",
    ]
    odd = [*healthy(0, 30), Request(12.0, "GET /api/orders", 500, False, 0.1)]
    assert judge(result("postgres-frozen", odd), deadline_s=5, workers=2) == [
        "failures answered 500, not 503"
    ]


def test_stale_answers_broken_books_and_lost_workers_fail_any_scenario() -> None:
    broken = result(
        "worker-killed",
        healthy(0, 30),
        stale=["user 7: wallet 100 (HIT), database 90"],
        books={"no negative balance": [7, 9]},
        workers_after=1,
    )
    assert judge(broken, deadline_s=5, workers=2) == [
        "1 cached answers differ from the database",
        "no negative balance broken for [7, 9]",
        "1 of 2 workers alive afterwards",
    ]


def test_a_run_that_failed_before_the_fault_says_nothing_of_the_fault() -> None:
    sick = [*healthy(0, 30), Request(2.0, "GET /api/wallet", 503, False, 0.1)]
    assert "1 requests failed before the fault" in judge(
        result("redis-stopped", sick), deadline_s=5, workers=2
    )
