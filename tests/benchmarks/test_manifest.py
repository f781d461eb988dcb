"""The run manifest is one declared type: its writer refuses what its readers would not read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmarks.manifest import KEYS, Manifest, undeclared
from benchmarks.results import ResultFolder


def saved(folder: ResultFolder) -> dict[str, object]:
    document: dict[str, object] = json.loads((folder.path / "manifest.json").read_text())
    return document


def test_what_a_run_notes_is_read_back_typed(tmp_path: Path) -> None:
    folder = ResultFolder(tmp_path, "quick-tiny", {"profile": "quick", "scales": ["tiny"]})
    folder.add_to("dataset_rows", "tiny", {"orders": 5000})
    folder.add("steps", {"name": "benchmarks-tiny", "scale": "tiny", "seconds": 1.5})
    folder.finish(ok=True)
    read = Manifest.model_validate(saved(folder))
    assert read.profile == "quick" and read.finished is True
    assert read.dataset_rows == {"tiny": {"orders": 5000}}
    assert read.steps is not None and read.steps[0].seconds == 1.5
    assert folder.manifest == read


def test_an_undeclared_key_is_refused_and_not_written(tmp_path: Path) -> None:
    folder = ResultFolder(tmp_path, "run", {})
    with pytest.raises(KeyError, match="profil"):
        folder.note(profil="quick")  # a typo of profile
    assert "profil" not in saved(folder)
    with pytest.raises(KeyError, match="colour"):
        ResultFolder(tmp_path, "other", {"colour": "blue"})


def test_a_value_the_readers_would_refuse_is_never_written(tmp_path: Path) -> None:
    folder = ResultFolder(tmp_path, "run", {"seed": 1})
    with pytest.raises(ValidationError):
        folder.note(seed="7")  # a number written as text
    assert saved(folder)["seed"] == 1


def test_a_newer_perfproofs_keys_are_read_past() -> None:
    read = Manifest.model_validate({"finished": True, "written_by_a_later_version": [1, 2]})
    assert read.finished is True


def test_every_key_the_writers_use_is_declared() -> None:
    """The bench's, the load tests', the cross-check's and the faults' own keys."""
    written = {
        "profile", "growth_scales", "suites", "arms", "rounds", "steps", "report_seconds",
        "load_tests", "faults_tests", "kind", "models", "repetitions", "warmup_s", "duration_s",
        "users", "generator_processes", "portal_workers", "environment", "planned", "runs",
        "open_rate", "open_rate_given", "path", "connections", "scenarios", "before_s",
        "fault_s", "after_s", "rate", "request_timeout_s", "results", "interrupted", "signal",
        "error", "pytest_exit_code",
    }  # fmt: skip
    assert undeclared(written) == []
    assert undeclared({"nonsense"}) == ["nonsense"]
    assert "finished" in KEYS
