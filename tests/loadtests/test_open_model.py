"""The open model times each request from its intended start: a server that stalls cannot hide.

A stand-in portal freezes for 1.5 s in the middle of a 4 s run. In the open
model the generator keeps starting requests on schedule, so every request
due during the freeze waits for it and the latency from the intended start
shows the whole wait; in the closed model the two users simply stop sending,
so only two requests see the freeze and its high percentiles stay short.
"""

from __future__ import annotations

import pytest

from loadtests.recorder import Recorder, RouteRecord, latency_summary
from tests.conftest import LiveServer
from tests.loadtests.conftest import Locust
from tests.loadtests.stub_portal import stub_app


def merged(recorded: dict[str, Recorder]) -> RouteRecord:
    total = RouteRecord()
    for record in recorded["measured"].routes.values():
        total.add(record)
    return total


@pytest.mark.parametrize("arrivals", ["poisson", "constant"])
def test_latency_from_the_intended_start_includes_the_stall(
    run_locust: Locust, arrivals: str
) -> None:
    with LiveServer(stub_app(delay_s=0.005, stall_after_s=1.5, stall_s=1.5)) as url:
        recorded, _ = run_locust(
            url, "-u", "1", "-r", "1", "-t", "4s",
            env={"PERFPROOF_LOAD_MODEL": "open", "PERFPROOF_RATE": "40",
                 "PERFPROOF_ARRIVALS": arrivals},
        )  # fmt: skip
    total = merged(recorded)
    intended = latency_summary(total.intended)
    assert intended["count"] >= 100  # ~40/s for 4 s, minus what was still in flight
    # A quarter of the requests were due during the freeze: p90 waited most of it.
    assert intended["p90_s"] > 0.5
    assert intended["max_s"] >= 1.2
    # The generator kept starting on schedule through the freeze: a generator that waited
    # for the stalled requests would have started over a quarter of them late. Not the
    # validity guard's 5 %: on two shared cores a wake-up is now and then >10 ms late (8 of
    # 133 seen in a full suite run), and this test is about the freeze, not the scheduler.
    assert recorded["measured"].late <= recorded["measured"].scheduled * 0.2


def test_the_closed_model_would_have_hidden_the_same_stall(run_locust: Locust) -> None:
    with LiveServer(stub_app(delay_s=0.005, stall_after_s=1.5, stall_s=1.5)) as url:
        recorded, _ = run_locust(url, "-u", "2", "-r", "2", "-t", "4s")
    service = latency_summary(merged(recorded).service)
    assert service["max_s"] >= 1.0  # the freeze is there...
    assert service["p90_s"] < 0.1  # ...in a handful of requests only
