"""A finished (or unfinished) run folder, read once: the manifest, the tidy table, the files beside.

The report and the verdicts read a run only through this: ``tidy.csv`` as a
pandas frame, ``growth.json``, the load run's ``validity.json`` and
``manifest.json`` (``load/<run>/``), the functional checks' ``checks.json``, the fault
scenarios' ``faults.json`` (``faults/<run>/``).
What is missing is None, never an empty stand-in, so a claim whose evidence
was not measured says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

CHECKS_FILE = "checks.json"
FAULTS_FILE = "faults.json"


class RunFolderError(ValueError):
    """A folder that is not a run folder perfproof can read; the message is the one line to show."""


@dataclass
class RunFolder:
    path: Path
    manifest: dict[str, Any]
    tidy: pd.DataFrame
    growth: dict[str, Any] | None
    load_path: Path | None
    load_manifest: dict[str, Any] | None
    validity: dict[str, Any] | None
    checks: dict[str, Any] | None
    faults: dict[str, Any] | None = None  # ``perfproof faults``: faults.json

    @property
    def finished(self) -> bool:
        return bool(self.manifest.get("finished"))

    @property
    def unfinished_reason(self) -> str:
        if self.finished:
            return ""
        if self.manifest.get("interrupted"):
            return "the run was interrupted (manifest: interrupted)"
        if self.manifest.get("error"):
            return f"the run failed: {self.manifest['error']}"
        if self.manifest.get("ended_at") is None:
            return "the run has not finished (no end time: still running, or killed)"
        return "the run did not finish (manifest: finished false)"

    @property
    def name(self) -> str:
        return self.path.name


def _json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(document, dict):
        raise RunFolderError(f"{path}: not a JSON object")
    return document


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
    """The run at ``path``; :class:`RunFolderError` when it is not one."""
    import pandas as pd

    if not path.is_dir():
        raise RunFolderError(f"{path}: no such run folder")
    manifest = _json(path / "manifest.json")
    if manifest is None:
        raise RunFolderError(f"{path}: no manifest.json (not a perfproof run folder)")
    tidy_path = path / "tidy.csv"
    if tidy_path.exists():
        try:
            tidy = pd.read_csv(tidy_path, dtype={"series": str, "arm": str, "variant": str})
        except (OSError, ValueError) as error:
            raise RunFolderError(f"{tidy_path}: not a readable table ({error})") from None
    else:
        tidy = pd.DataFrame(columns=["suite", "series", "arm", "metric", "value"])
    load_path = _load_run(path)
    return RunFolder(
        path=path,
        manifest=manifest,
        tidy=tidy,
        growth=_json(path / "growth.json"),
        load_path=load_path,
        load_manifest=_json(load_path / "manifest.json") if load_path else None,
        validity=_json(load_path / "validity.json") if load_path else None,
        checks=_json(path / CHECKS_FILE),
        faults=_json(faults) if (faults := _faults_file(path)) else None,
    )
