"""The JSON files of a run folder, each as a pydantic model of what its readers take from it.

The models hold the fields the report and the gate read, with their types
and ranges; anything else a newer perfproof adds is allowed (``extra``).
Strict: a number written as text, a flag written as 1, a NaN or an infinity
is refused, not coerced — a reader of a hand-edited file must not guess.
The readers keep the plain dictionaries; a model only says whether they can.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    ValidationError,
    model_validator,
)

from benchmarks.manifest import Manifest
from reports.run_schema.refused import RunFolderError, field_name, refuse


class _Document(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


# -- manifest.json: one declared type, benchmarks/manifest.py, for its writers and readers --


# -- checks.json (benchmarks/checks) --------------------------------------------------------


class Check(_Document):
    id: str
    passed: bool
    tried: str
    observed: dict[str, Any]
    problems: list[str]
    seconds: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _counts_are_counts(self) -> Check:
        """The counts a claim may hold to a number (benchmarks/checks/table.py), where recorded:
        whole numbers >= 0, and no more than what could have been counted."""
        from reports.series import check_counts

        for count in check_counts(self.id).values():
            for key in (count.key, count.out_of):
                found = self.observed.get(key) if key else None
                if found is not None and (
                    isinstance(found, bool) or not isinstance(found, int) or found < 0
                ):
                    raise ValueError(
                        f"observed.{key}: a count must be a whole number >= 0 (found {found!r})"
                    )
            counted, out_of = self.observed.get(count.key), self.observed.get(count.out_of)
            if isinstance(counted, int) and isinstance(out_of, int) and counted > out_of:
                raise ValueError(f"observed.{count.key}: {counted} counted of {out_of}")
        return self


class Checks(_Document):
    checks: list[Check]


# -- validity.json (loadtests/guard.py) -----------------------------------------------------


class Comparison(_Document):
    model: str
    repetition: NonNegativeInt
    valid: bool
    problems: list[str]


class Validity(_Document):
    runs: dict[str, list[str]]
    comparisons: list[Comparison]


# -- faults.json (loadtests/faults/summary.py) ----------------------------------------------


class Phase(_Document):
    requests: NonNegativeInt
    failures: NonNegativeInt
    failure_max_s: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _failures_are_requests(self) -> Phase:
        if self.failures > self.requests:
            raise ValueError(f"{self.failures} failures of {self.requests} requests")
        return self


class Scenario(_Document):
    scenario: str
    summary: str
    passed: bool
    problems: list[str]
    phases: dict[Literal["before", "during", "after"], Phase]
    recovery_s: NonNegativeFloat
    stale_entries: NonNegativeInt
    book_violations: dict[str, list[int]]

    @model_validator(mode="after")
    def _every_phase(self) -> Scenario:
        missing = [p for p in ("before", "during", "after") if p not in self.phases]
        if missing:
            raise ValueError(f"no phase {', '.join(missing)}")
        return self


class FaultSettings(_Document):
    before_s: NonNegativeFloat | None = None
    fault_s: NonNegativeFloat | None = None
    after_s: NonNegativeFloat | None = None
    rate: NonNegativeFloat | None = None
    portal_workers: NonNegativeInt | None = None


class Faults(_Document):
    settings: FaultSettings
    scenarios: list[Scenario]


# -- load-<model>-<arm>-<repetition>.json (loadtests/recorder.py): the HDR recordings ------


class Route(_Document):
    service: str  # HDR histograms in their own encoding; decoded by raw_files.py
    intended: str
    requests: NonNegativeInt
    failures: NonNegativeInt
    x_cache: dict[str, NonNegativeInt]


class Recorded(_Document):
    routes: dict[str, Route]
    per_second: dict[str, list[NonNegativeInt]]
    scheduled: NonNegativeInt
    late: NonNegativeInt


class Recording(_Document):
    warmup: Recorded
    measured: Recorded


# -- benchmarks-<scale>.json, growth-<scale>.json: pytest-benchmark's own --------------------


class Stats(_Document):
    data: list[PositiveFloat] | None = None  # every round's time, s


class Benchmark(_Document):
    name: str
    stats: Stats
    extra_info: dict[str, Any] = Field(default_factory=dict)


class BenchmarkFile(_Document):
    benchmarks: list[Benchmark]


# -- growth.json (benchmarks/scaling.py): the laws the report draws ---------------------------


class Growth(_Document):
    series: dict[str, dict[str, Any]] = Field(default_factory=dict)
    absolute: dict[str, Any] | None = None


def read_manifest(path: Path) -> Manifest | None:
    """A run's ``manifest.json``: of this perfproof's result format, then of its shape."""
    document = _json_object(path)
    if document is None:
        return None
    _check_result_format(document, path.parent)
    check_document(document, Manifest, path)
    return Manifest.model_validate(document)


def read_document(path: Path, model: type[BaseModel]) -> dict[str, Any] | None:
    """The JSON object at ``path`` once ``model`` accepts it; None when there is no file."""
    document = _json_object(path)
    if document is not None:
        check_document(document, model, path)
    return document


def _check_result_format(manifest: dict[str, Any], folder: Path) -> None:
    """Refuse a run of another result format: these checks are of this one's files."""
    from benchmarks.results import RESULT_FORMAT

    # runs written before the key existed had none: the first format
    found = manifest.get("result_format", RESULT_FORMAT)
    if found != RESULT_FORMAT:
        raise RunFolderError(
            f"{folder}: result format {found!r}, and this perfproof reads {RESULT_FORMAT}"
        )


def _json_object(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(document, dict):
        raise RunFolderError(f"{path}: not a JSON object")
    return document


def check_document(document: Any, model: type[BaseModel], path: Path) -> None:
    """:class:`RunFolderError` naming the first field ``model`` refuses in ``document``."""
    try:
        model.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
        found = first.get("input")
        shown = "" if isinstance(found, dict | list) else f" (found {json.dumps(found)[:60]})"
        raise refuse(path, field_name(first["loc"]), message + shown) from None
