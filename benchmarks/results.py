"""Result folders: one per run, with a manifest that says what ran and whether it finished.

A reader must never mistake a half-written run for a complete one: the manifest
and the tables the runner writes are written atomically, every file is listed
in the manifest before it is written (pytest-benchmark's JSON and the logs are
written by the child pytest), and the manifest says ``"finished": false``
until the end. What the manifest may say is one declared type,
:class:`benchmarks.manifest.Manifest`: a key it does not declare is refused here, a value it
would not read back is refused before it is written.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.manifest import Manifest, undeclared
from portal.files import write_json_atomically

# The version of what a run folder holds (manifest keys, tidy columns and their
# meaning). Bump it when a reader written for the old one would misread the new:
# the regression gate refuses to compare runs of another format.
RESULT_FORMAT = 1

PACKAGES = ("fastapi", "sqlalchemy", "psycopg", "redis", "pytest-benchmark", "locust", "uvicorn")


def _git_commit() -> str | None:
    """The commit of the code that measured (the checkout perfproof runs from, not the
    caller's folder); None for an installed copy, which has no history."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _machine() -> dict[str, Any]:
    import psutil

    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }


class ResultFolder:
    """``results/<UTC time>-<label>/`` with manifest.json kept up to date."""

    def __init__(self, root: Path, label: str, settings: dict[str, Any]) -> None:
        _declared(settings)
        started = datetime.now(UTC)
        self.path = root / f"{started:%Y%m%dT%H%M%SZ}-{label}"
        self.path.mkdir(parents=True, exist_ok=False)
        self._written: dict[str, Any] = {
            "finished": False,
            "result_format": RESULT_FORMAT,
            "started_at": started.isoformat(),
            "ended_at": None,
            "command": [sys.executable, *sys.argv],
            "git_commit": _git_commit(),
            "versions": _versions(),
            "machine": _machine(),
            **settings,
            "files": [],
        }
        self._save()

    @property
    def manifest(self) -> Manifest:
        """What the manifest says now, as its readers will read it."""
        return Manifest.model_validate(self._written)

    def file(self, name: str) -> Path:
        """The path of a file of this run, listed in the manifest (once) before it is written."""
        if name not in self._written["files"]:
            self._written["files"].append(name)
            self._save()
        return self.path / name

    def note(self, **values: Any) -> None:
        """Record ``values`` in the manifest now (progress a later reader can trust)."""
        _declared(values)
        self._written.update(values)
        self._save()

    def add(self, key: str, entry: Any) -> None:
        """One more entry of a list the manifest keeps (``steps``, ``runs``), saved now."""
        _declared({key: entry})
        self._written.setdefault(key, []).append(entry)
        self._save()

    def add_to(self, key: str, name: str, value: Any) -> None:
        """One more ``name: value`` of a mapping the manifest keeps (``dataset_rows``)."""
        _declared({key: value})
        self._written.setdefault(key, {})[name] = value
        self._save()

    def finish(self, *, ok: bool, **extra: Any) -> None:
        _declared(extra)
        self._written.update(extra, finished=ok, ended_at=datetime.now(UTC).isoformat())
        self._save()

    def _save(self) -> None:
        Manifest.model_validate(self._written)  # what its readers would refuse is never written
        write_json_atomically(self.path / "manifest.json", self._written)


def _declared(values: dict[str, Any]) -> None:
    """A key the manifest type does not declare is a writer's mistake: refused, not written."""
    if unknown := undeclared(set(values)):
        raise KeyError(f"manifest.json declares no {', '.join(unknown)} (benchmarks/manifest.py)")
