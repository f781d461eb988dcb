"""A run folder's ``manifest.json``, as one declared type: what a run says about itself.

Every run folder has one: the bench's, the load tests' (``load/<run>/``, or a
``perfproof loadtest`` of its own), the wrk cross-check's, the faults'
(``faults/<run>/``) and ``perfproof http-throughput``'s. Their writers go
through the one run lifecycle (``benchmarks/run_lifecycle.py``,
``benchmarks/results.py``), which refuses a key this type does not declare
and a value it would not read back; their readers (the report, the gate:
``reports/run_folder.py``) get this type, not a dictionary of strings.

Reading is strict (a number written as text, a flag written as 1, a NaN is
refused, not coerced: a reader of a hand-edited file must not guess) and
allows keys a newer perfproof adds. Fields a kind of run does not write are
None.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, NonNegativeFloat, NonNegativeInt, PositiveInt


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


class Step(_Part):
    """One step of a bench run (a child: a pytest, the load tests, the checks, the faults)."""

    name: str
    scale: str | None = None
    suites: list[str] | None = None
    growth_only: bool | None = None
    seconds: NonNegativeFloat | None = None
    pytest_exit_code: int | None = None
    interrupted: bool | None = None
    # host_cpu stays unchecked: the gate reads a garbled record as none (compatibility.py)
    host_cpu: Any = None


class Machine(_Part):
    hostname: str | None = None
    platform: str | None = None
    cpus: PositiveInt | None = None
    memory_gib: NonNegativeFloat | None = None


class LoadRun(_Part):
    """One finished run of the load tests (``runs``): its recording is named by these three."""

    model: str
    arm: str
    repetition: NonNegativeInt
    name: str | None = None
    offered_rps: float | None = None
    achieved_rps: float | None = None
    requests: NonNegativeInt | None = None
    cpu: Any = None  # shares per process, as measured (loadtests/cpu.py)
    problems: list[str] | None = None


class LookRecord(_Part):
    """One look of a sequential load run (``loadtests/paired_units.py``)."""

    fraction: NonNegativeFloat
    alpha: NonNegativeFloat
    units: NonNegativeInt
    elapsed_s: NonNegativeFloat
    met: bool
    half_widths: dict[str, float | None]


class SequentialRecord(_Part):
    """How the open model's paired units went: the looks, why sampling stopped."""

    budget_s: NonNegativeFloat
    looks: list[LookRecord]
    stopped: str  # "target": every watched claim precise enough; "budget": time was up
    alpha: NonNegativeFloat  # the alpha of the look that stopped the run
    units: NonNegativeInt
    unit_s: list[float]
    warmup_s: NonNegativeFloat
    window_s: NonNegativeFloat


class RatePhase(_Part):
    """The open model at one offered rate (``--load-rates``): its units and how they went."""

    share: NonNegativeFloat | None  # of the slowest arm's capacity; None: --rate pinned it
    rate: NonNegativeFloat
    first_unit: NonNegativeInt  # the phase's units are repetitions first_unit, first_unit+1, ...
    units: NonNegativeInt
    primary: bool  # the rate the load verdicts are judged at
    sequential: SequentialRecord


class ResetRecord(_Part):
    """One put-back of the dataset as loaded (``loadtests/loaded_state.py``)."""

    before: str  # what came next: "unit 3", "closed all-on 1", "the end"
    database: str
    seconds: NonNegativeFloat
    rows_added: dict[str, int]  # rows each written table had gained (net) since the last
    undeclared: list[str]  # tables written that the declaration does not name


class LoadedStateRecord(_Part):
    resets: list[ResetRecord]
    undeclared: list[str]


class WatchedRecord(_Part):
    """A load claim the sequential run watched, and the half-width it had to reach."""

    id: str
    half_width: float


class CapacityAfter(_Part):
    """The closed runs of the rate's arm after the units (``loadtests/capacity.py``): they
    measure whether the machine held still and do not count in the rate's capacity."""

    arm: str
    repetitions: list[NonNegativeInt]


class RateFollowed(_Part):
    """One closed run between paired units and the rate the units after it were offered
    (``loadtests/capacity.py``: the rate follows the capacity)."""

    before_unit: NonNegativeInt
    arm: str
    capacity: NonNegativeFloat  # the median of the arm's undisturbed closed runs so far
    runs: NonNegativeInt
    rate_before: NonNegativeFloat
    rate: NonNegativeFloat


class Manifest(_Part):
    # -- every run ------------------------------------------------------------------------
    finished: bool = False
    interrupted: bool | None = None
    signal: str | None = None  # the stop signal's name, when interrupted
    error: str | None = None
    result_format: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    command: list[str] | None = None
    git_commit: str | None = None
    versions: dict[str, str] | None = None
    machine: Machine | None = None
    files: list[str] | None = None
    kind: str | None = None  # "loadtest", "loadtest-crosscheck", "faults"; None: the bench
    scales: list[str] | None = None
    scale: str | None = None  # a load-test run folder of its own, from before "scales"
    seed: int | None = None
    postgres: str | None = None
    redis: str | None = None
    dataset_rows: dict[str, dict[str, NonNegativeInt]] | None = None
    # -- the bench --------------------------------------------------------------------------
    profile: str | None = None
    growth_scales: list[str] | None = None
    suites: list[str] | None = None
    arms: dict[str, list[str]] | list[str] | None = None  # the load tests': a list
    rounds: dict[str, float | int] | None = None
    steps: list[Step] | None = None
    pytest_exit_code: int | None = None
    report_seconds: NonNegativeFloat | None = None
    load_tests: str | None = None  # why the load tests were skipped
    faults_tests: str | None = None  # why the fault scenarios were skipped
    # -- the load tests -----------------------------------------------------------------------
    models: list[str] | None = None
    repetitions: PositiveInt | None = None
    warmup_s: NonNegativeFloat | None = None
    duration_s: NonNegativeFloat | None = None
    users: PositiveInt | None = None
    generator_processes: PositiveInt | None = None
    portal_workers: PositiveInt | None = None
    environment: dict[str, Any] | None = None
    planned: list[str] | None = None
    runs: list[LoadRun] | None = None
    open_rate: NonNegativeFloat | None = None
    open_rate_given: bool | None = None
    load_budget_s: NonNegativeFloat | None = None
    watched: list[WatchedRecord] | None = None
    sequential: SequentialRecord | None = None
    rate_phases: list[RatePhase] | None = None  # --load-rates: one per offered rate
    capacity_after: CapacityAfter | None = None  # closed runs after the units (a recheck)
    rate_followed: list[RateFollowed] | None = None  # closed runs between units, rates after
    loaded_state: LoadedStateRecord | None = None  # the dataset put back between units
    order_seed: NonNegativeInt | None = None  # the units' arm orders (loadtests/unit_order.py)
    # -- the wrk cross-check ----------------------------------------------------------------
    path: str | None = None
    connections: PositiveInt | None = None
    # -- the HTTP throughput over wrk (perfproof http-throughput) ---------------------------
    uvicorn: dict[str, Any] | None = None
    load_generator: str | None = None
    seconds: NonNegativeFloat | None = None
    warmup_seconds: NonNegativeFloat | None = None
    indexes: str | None = None
    orders_user_id: NonNegativeInt | None = None
    # -- the faults ---------------------------------------------------------------------------
    scenarios: list[str] | None = None
    before_s: NonNegativeFloat | None = None
    fault_s: NonNegativeFloat | None = None
    after_s: NonNegativeFloat | None = None
    rate: NonNegativeFloat | None = None
    request_timeout_s: NonNegativeFloat | None = None
    results: list[dict[str, Any]] | None = None


KEYS = frozenset(Manifest.model_fields)  # what a writer may say


def undeclared(keys: set[str] | frozenset[str]) -> list[str]:
    """The keys of ``keys`` that :class:`Manifest` does not declare (a writer's typo)."""
    return sorted(set(keys) - KEYS)
