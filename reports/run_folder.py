"""A finished (or unfinished) run folder, read once: the manifest, the tidy table, the files beside.

The report and the verdicts read a run only through this: ``tidy.csv`` as a
pandas frame, ``growth.json``, the load run's ``validity.json`` and
``manifest.json`` (``load/<run>/``), the functional checks' ``checks.json``, the fault
scenarios' ``faults.json`` (``faults/<run>/``).
What is missing is None, never an empty stand-in, so a claim whose evidence
was not measured says so. Everything read is checked first
(``reports/run_schema``): a run whose data could not have been measured is
refused whole, in one line, and never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The one error of every reader of run folders (defined with the checks that raise it).
from benchmarks.manifest import Manifest
from reports.run_schema.refused import RunFolderError as RunFolderError

if TYPE_CHECKING:
    import pandas as pd

CHECKS_FILE = "checks.json"
FAULTS_FILE = "faults.json"


@dataclass
class RunFolder:
    path: Path
    manifest: Manifest
    tidy: pd.DataFrame
    growth: dict[str, Any] | None
    load_path: Path | None
    load_manifest: Manifest | None
    validity: dict[str, Any] | None
    checks: dict[str, Any] | None
    faults: dict[str, Any] | None = None  # ``perfproof faults``: faults.json

    @property
    def finished(self) -> bool:
        return self.manifest.finished

    @property
    def unfinished_reason(self) -> str:
        if self.finished:
            return ""
        if self.manifest.interrupted:
            return "the run was interrupted (manifest: interrupted)"
        if self.manifest.error:
            return f"the run failed: {self.manifest.error}"
        if self.manifest.ended_at is None:
            return "the run has not finished (no end time: still running, or killed)"
        return "the run did not finish (manifest: finished false)"

    @property
    def name(self) -> str:
        return self.path.name


def _load_run(path: Path) -> Path | None:
    """The load run of a bench run (``load/<run>/``), or the folder itself for a loadtest run."""
    if (path / "validity.json").exists():
        return path
    found = sorted((path / "load").glob("*/manifest.json"))
    return found[-1].parent if found else None


def _faults_file(path: Path) -> Path | None:
    """``faults.json`` of a bench run (``faults/<run>/``), or of a faults run itself."""
    if (path / FAULTS_FILE).exists():
        return path / FAULTS_FILE
    found = sorted((path / "faults").glob(f"*/{FAULTS_FILE}"))
    return found[-1] if found else None


def read_run(path: Path) -> RunFolder:
    """The run at ``path``, checked whole; :class:`RunFolderError` when it is not one to read."""
    import pandas as pd

    from benchmarks.tidy import COLUMNS
    from reports import run_schema as schema

    if not path.is_dir():
        raise RunFolderError(f"{path}: no such run folder")
    manifest = schema.read_manifest(path / "manifest.json")
    if manifest is None:
        raise RunFolderError(f"{path}: no manifest.json (not a perfproof run folder)")
    schema.check_listed_files(path, manifest)
    tidy_path = path / "tidy.csv"
    tidy = (
        schema.read_tidy_table(tidy_path) if tidy_path.exists() else pd.DataFrame(columns=COLUMNS)
    )
    schema.check_benchmark_files(path)
    load_path = _load_run(path)
    load_manifest = None
    if load_path is not None:
        load_manifest = manifest if load_path == path else schema.check_sub_run(load_path)
        schema.check_recordings(load_path, load_manifest.runs or () if load_manifest else ())
    faults = _faults_file(path)
    if faults is not None and faults.parent != path:
        schema.check_sub_run(faults.parent)
    return RunFolder(
        path=path,
        manifest=manifest,
        tidy=schema.without_unrecorded(tidy),
        growth=schema.read_document(path / "growth.json", schema.Growth),
        load_path=load_path,
        load_manifest=load_manifest,
        validity=(
            schema.read_document(load_path / "validity.json", schema.Validity)
            if load_path
            else None
        ),
        checks=schema.read_document(path / CHECKS_FILE, schema.Checks),
        faults=schema.read_document(faults, schema.Faults) if faults else None,
    )
