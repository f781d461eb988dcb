"""The files beside the tidy table: all a finished run lists, and the raw ones the report reads.

- A finished run (or load or faults run inside it) lacks no file its manifest
  lists: the manifest names every file before it is written
  (``benchmarks/results.py``), so in a finished run a listed file that is not
  there was lost or removed afterwards. An unfinished run may lack them.
  Not data, so never required: the report's own outputs (the report rewrites
  them) and logs (a saved baseline leaves them out, ``regress/baselines.py``).
- The load runs' HDR recordings (``load-<model>-<arm>-<repetition>.json``):
  the shape of ``documents.Recording``, every histogram decodes, and the
  service histogram holds exactly the route's requests (every request is
  recorded there; the intended-start one holds at most as many).
- pytest-benchmark's JSON of each step: every round's time finite and > 0 s.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from hdrh.codec import HdrCookieException, HdrHistogramSettingsException, HdrLengthException
from hdrh.histogram import HdrHistogram

from benchmarks.manifest import LoadRun, Manifest
from reports.run_schema.documents import BenchmarkFile, Recording, read_document, read_manifest
from reports.run_schema.refused import refuse

REPORT_OUTPUTS = ("verdicts.json", "verdicts.md", "report.html")
NOT_DATA = (*REPORT_OUTPUTS, "*.log")
# pytest-benchmark's JSON per step of perfproof bench (perfproof/bench/, Step.name)
BENCHMARK_FILES = ("benchmarks-*.json", "growth-*.json")
_UNDECODABLE = (
    ValueError,
    RuntimeError,
    zlib.error,
    struct.error,
    HdrLengthException,
    HdrCookieException,
    HdrHistogramSettingsException,
)


def check_listed_files(folder: Path, manifest: Manifest) -> None:
    """Refuse a finished run whose manifest lists a data file the folder lacks."""
    if manifest.finished is not True:
        return
    for name in manifest.files or ():
        if any(fnmatch(Path(name).name, pattern) for pattern in NOT_DATA):
            continue
        if not (folder / name).exists():
            raise refuse(folder / "manifest.json", "files", f"lists {name}, which the folder lacks")


def check_sub_run(folder: Path) -> Manifest | None:
    """A run inside a run (``load/<run>/``, ``faults/<run>/``): its manifest checked, its files."""
    manifest = read_manifest(folder / "manifest.json")
    if manifest is not None:
        check_listed_files(folder, manifest)
    return manifest


def check_recordings(load_path: Path, runs: Iterable[LoadRun]) -> None:
    """Every load run's HDR recording that exists (a missing one the report names)."""
    for run in runs:
        path = load_path / f"load-{run.model}-{run.arm}-{run.repetition}.json"
        document = read_document(path, Recording)
        if document is None:
            continue
        for phase in ("warmup", "measured"):
            for route, raw in document[phase]["routes"].items():
                _check_route(path, f"{phase}.routes[{route!r}]", raw)


def check_benchmark_files(folder: Path) -> None:
    for pattern in BENCHMARK_FILES:
        for path in sorted(folder.glob(pattern)):
            read_document(path, BenchmarkFile)


def _check_route(path: Path, where: str, raw: dict[str, Any]) -> None:
    service = _count(path, f"{where}.service", raw["service"])
    intended = _count(path, f"{where}.intended", raw["intended"])
    if service != raw["requests"]:
        raise refuse(
            path,
            f"{where}.service",
            f"a histogram of {service} requests, and the route counted {raw['requests']}",
        )
    if intended > raw["requests"]:
        raise refuse(
            path,
            f"{where}.intended",
            f"a histogram of {intended} requests, more than the route's {raw['requests']}",
        )


def _count(path: Path, where: str, encoded: str) -> int:
    try:
        return int(HdrHistogram.decode(encoded.encode()).get_total_count())
    except _UNDECODABLE as error:
        raise refuse(
            path, where, f"not an HDR histogram ({error or type(error).__name__})"
        ) from None
