"""The fault scenarios of ``perfproof faults``: one declared table (runner, tests, docs/faults.md).

Each scenario breaks one server the runner started itself, under load, for
the fault window, and says what the portal must still do. What it must do
follows from the portal's promises: with Redis gone or hung the cache falls
back and nothing fails (the write-up's "automatic fallback"); with
PostgreSQL gone or hung a request that needs it fails fast with a 503 within
the request deadline (``PORTAL_REQUEST_TIMEOUT_S``) and the portal recovers
by itself; a killed worker loses at most the requests it held and is
replaced. In every scenario the books balance afterwards and no cache entry
answers differently from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Target = Literal["redis", "postgres", "portal"]
Action = Literal["stop", "freeze", "kill-worker"]


@dataclass(frozen=True)
class FaultScenario:
    name: str
    target: Target
    action: Action
    summary: str  # what is done, for --help and docs/faults.md
    # Failures allowed while the fault lasts: "none", or "fast" (each one an answer
    # within the request deadline plus a second, or a dropped connection of a killed worker).
    during: Literal["none", "fast"]
    # The most seconds after the fault ends until the last failure.
    recover_within_s: float


@dataclass(frozen=True)
class FaultWindows:
    """Seconds of load before each fault, of the fault, and after the server is mended:
    ``perfproof faults``' defaults, and a run profile's (``perfproof/profiles.py``)."""

    before_s: float = 10.0
    fault_s: float = 10.0
    after_s: float = 15.0


FAULT_SCENARIOS: tuple[FaultScenario, ...] = (
    FaultScenario(
        "redis-stopped",
        "redis",
        "stop",
        "Redis shut down for the fault window, then started again on its port (empty)",
        during="none",
        recover_within_s=0.0,
    ),
    FaultScenario(
        "redis-frozen",
        "redis",
        "freeze",
        "Redis stopped with SIGSTOP (connections open, nothing answers), then SIGCONT",
        during="none",
        recover_within_s=0.0,
    ),
    FaultScenario(
        "postgres-restarted",
        "postgres",
        "stop",
        "PostgreSQL shut down (pg_ctl stop -m fast) for the fault window, then started again",
        during="fast",
        recover_within_s=5.0,
    ),
    FaultScenario(
        "postgres-frozen",
        "postgres",
        "freeze",
        "every PostgreSQL process stopped with SIGSTOP (sockets open, nothing answers), "
        "then SIGCONT",
        during="fast",
        recover_within_s=5.0,
    ),
    FaultScenario(
        "worker-killed",
        "portal",
        "kill-worker",
        "one of the portal's uvicorn workers killed with SIGKILL at the start of the window",
        during="fast",
        recover_within_s=5.0,
    ),
)
SCENARIOS_BY_NAME = {scenario.name: scenario for scenario in FAULT_SCENARIOS}
