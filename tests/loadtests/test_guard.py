"""The validity guard on synthetic runs with known problems (no load is generated here)."""

from __future__ import annotations

from dataclasses import replace

from loadtests.guard import RunFacts, comparison_problems, run_problems

GOOD = RunFacts(
    arm="all-on",
    model="open",
    requests=1000,
    failures=0,
    scheduled=1000,
    late=2,
    generator_cpu=0.4,
    generator_processes=1,
    server_died=False,
    achieved_rps=100.0,
    offered_rps=100.0,
)


def test_a_clean_run_has_no_problems() -> None:
    assert run_problems(GOOD) == []
    assert comparison_problems([GOOD, replace(GOOD, arm="all-off", achieved_rps=98.0)]) == []


def test_each_problem_is_named() -> None:
    cases = {
        "died": replace(GOOD, server_died=True),
        "failed": replace(GOOD, failures=50),
        "late": replace(GOOD, late=60),
        "CPU-saturated": replace(GOOD, generator_cpu=0.95),
        "no request": replace(GOOD, requests=0, failures=0),
    }
    for word, facts in cases.items():
        (problem,) = run_problems(facts)
        assert word in problem, (word, problem)


def test_saturation_is_per_generator_process() -> None:
    assert run_problems(replace(GOOD, generator_cpu=1.5, generator_processes=2)) == []
    assert run_problems(replace(GOOD, generator_cpu=1.9, generator_processes=2)) != []


def test_arms_that_completed_fewer_requests_per_start_are_not_compared() -> None:
    queueing = replace(GOOD, arm="all-off", requests=800, achieved_rps=80.0)
    (problem,) = comparison_problems([GOOD, queueing])
    assert "differ by 20.0%" in problem and "queueing" in problem


def test_poisson_noise_in_the_achieved_rates_alone_is_not_queueing() -> None:
    # Seen in a real default run: arms 6 % apart in rate, each keeping its own schedule.
    fewer = replace(GOOD, arm="all-off", scheduled=940, requests=940, achieved_rps=94.0)
    assert comparison_problems([GOOD, fewer]) == []


def test_an_invalid_run_makes_its_comparison_invalid() -> None:
    problems = comparison_problems([GOOD, replace(GOOD, arm="all-off", server_died=True)])
    assert problems == ["all-off: the portal server died during the run"]


def test_the_closed_model_compares_capacity_not_rates() -> None:
    closed = replace(GOOD, model="closed", scheduled=0, late=0, offered_rps=None)
    assert comparison_problems([closed, replace(closed, arm="all-off", achieved_rps=10.0)]) == []
