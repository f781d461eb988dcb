"""The run manifest is one declared type: its writer refuses what its readers would not read."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmarks.manifest import KEYS, Manifest, undeclared
from benchmarks.results import ResultFolder

ROOT = Path(__file__).resolve().parents[2]


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


def written_keys(root: Path = ROOT) -> dict[str, set[str]]:
    """Every manifest key the harness's source writes, by file: the settings dict given to
    ``run_folder``/``ResultFolder`` (a literal, or a name bound to one in the same function),
    the dict a ``*settings*`` function returns, ``note(...)``/``finish(...)`` keywords, and
    ``add``/``add_to``'s first argument."""
    found: dict[str, set[str]] = {}
    for package in ("perfproof", "benchmarks", "loadtests"):
        for path in sorted((root / package).rglob("*.py")):
            keys = found.setdefault(str(path.relative_to(root)), set())
            for function in ast.walk(ast.parse(path.read_text())):
                if isinstance(function, ast.FunctionDef | ast.Module):
                    keys |= _keys_in(function)
    return {name: keys for name, keys in found.items() if keys}


def _keys_in(scope: ast.FunctionDef | ast.Module) -> set[str]:
    bound = {
        target.id: node.value
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    keys: set[str] = set()
    if isinstance(scope, ast.FunctionDef) and "settings" in scope.name:
        for returned in (n for n in ast.walk(scope) if isinstance(n, ast.Return)):
            keys |= _dict_keys(returned.value, bound) if returned.value else set()
    for call in (n for n in ast.walk(scope) if isinstance(n, ast.Call)):
        name = call.func.attr if isinstance(call.func, ast.Attribute) else None
        name = call.func.id if isinstance(call.func, ast.Name) else name
        if name in ("run_folder", "ResultFolder") and len(call.args) >= 3:
            given = call.args[2]
            given = bound.get(given.id, given) if isinstance(given, ast.Name) else given
            keys |= _dict_keys(given, bound)
        elif name in ("note", "finish"):  # finish(ok=...) writes "finished"
            keys |= {k.arg for k in call.keywords if k.arg and (name, k.arg) != ("finish", "ok")}
        elif name in ("add", "add_to") and call.args and isinstance(call.args[0], ast.Constant):
            keys.add(str(call.args[0].value))
    return keys


def _dict_keys(node: ast.expr, bound: dict[str, ast.Dict]) -> set[str]:
    if not isinstance(node, ast.Dict):
        return set()
    keys = {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None and isinstance(value, ast.Name) and value.id in bound:  # {**settings}
            keys |= _dict_keys(bound[value.id], bound)
    return keys


def test_every_key_the_writers_use_is_declared() -> None:
    """The bench's, the load tests', the cross-check's, the faults' and http-throughput's own
    keys, read from their source: a writer that only runs with wrk installed is checked too."""
    found = written_keys()
    assert {"perfproof/bench/run.py", "loadtests/runner.py", "loadtests/faults/run.py",
            "loadtests/wrk_check.py", "benchmarks/http_throughput.py"} <= set(found)  # fmt: skip
    assert {"profile", "rounds", "steps"} <= found["perfproof/bench/run.py"]
    assert {"planned", "environment"} <= found["loadtests/manifest.py"]
    assert {name: undeclared(keys) for name, keys in found.items() if undeclared(keys)} == {}
    assert "finished" in KEYS


def test_the_key_reader_finds_an_undeclared_key(tmp_path: Path) -> None:
    """A writer with a typo, in a made-up tree: the check above can fail."""
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "typo.py").write_text(
        "def f(root):\n    settings = {'profil': 'quick'}\n"
        "    with run_folder(root, 'x', {**settings, 'seed': 1}) as run:\n"
        "        run.folder.note(colour=1)\n"
    )
    found = written_keys(tmp_path)
    assert undeclared(found[str(Path("benchmarks", "typo.py"))]) == ["colour", "profil"]
