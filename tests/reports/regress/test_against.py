"""``--against``: the interleaving, refs, and the baseline's own environment (no bench run here;
``test_real_runs.py`` measures for real)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reports.regress import cli
from reports.regress.against import (
    AgainstError,
    repository_root,
    resolve_commit,
    schedule,
    shared_environment,
)

REPO = Path(__file__).resolve().parents[3]


def test_the_runs_are_interleaved_abba() -> None:
    assert schedule(1) == ["baseline", "candidate"]
    assert schedule(3) == [
        "baseline",
        "candidate",
        "candidate",
        "baseline",
        "baseline",
        "candidate",
    ]


def test_refs_resolve_to_commits_and_bad_ones_are_one_line() -> None:
    root = repository_root(REPO)
    head = resolve_commit(root, "HEAD")
    assert len(head) == 40
    with pytest.raises(AgainstError, match="no-such-branch"):
        resolve_commit(root, "no-such-branch")
    with pytest.raises(AgainstError, match="not a git ref"):
        resolve_commit(root, "--all")


def test_the_baseline_environment_imports_its_own_source_and_shares_the_packages(
    tmp_path: Path,
) -> None:
    source = tmp_path / "baseline"
    (source / "fakebaseline").mkdir(parents=True)
    (source / "fakebaseline" / "__init__.py").write_text("WHERE = 'baseline'\n")
    python = shared_environment(tmp_path / "venv", source)
    probe = (
        "import fakebaseline, numpy, importlib.util; "
        "print(fakebaseline.WHERE, importlib.util.find_spec('reports') is None)"
    )
    done = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # numpy from this environment; this checkout's own packages (its editable install) not.
    assert done.stdout.split() == ["baseline", "True"]


def test_a_bad_ref_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    parser = cli.build_parser("perfproof regress")
    code = cli.run(parser.parse_args(["--against", "no-such-branch", "--out", str(tmp_path)]))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: git rev-parse") and err.count("\n") == 1
