"""``--against``: the interleaving, refs, and the baseline's own environment (no bench run here;
``test_real_runs.py`` measures for real)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perfproof.regress import cli
from perfproof.regress.against import (
    AgainstError,
    Side,
    one_offered_rate,
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


def bench_run(folder: Path, load: dict[str, object] | None) -> Path:
    """A bench run folder as far as the rate is concerned: its load run's manifest."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"finished": True}))
    if load is not None:
        (folder / "load" / "20261204T000000Z-quick-tiny").mkdir(parents=True)
        (folder / "load" / "20261204T000000Z-quick-tiny" / "manifest.json").write_text(
            json.dumps(load)
        )
    return folder


def older_checkout(folder: Path) -> Path:
    """A checkout whose ``bench --help`` predates ``--load-rate``."""
    (folder / "benchmarks").mkdir(parents=True)
    (folder / "benchmarks" / "__init__.py").write_text("")
    (folder / "benchmarks" / "cli.py").write_text("print('usage: perfproof bench [--profile]')\n")
    return folder


def test_every_run_after_the_first_is_offered_the_first_runs_open_rate(tmp_path: Path) -> None:
    """A slower candidate measuring its own rate would be offered less load, and its open-model
    latency compared at another rate (the gate refuses rates 5 % apart)."""
    first = bench_run(tmp_path / "run", {"open_rate": 123.4, "open_rate_given": False})
    sides = {
        "baseline": Side("baseline", Path(sys.executable), REPO, "b" * 40),
        "candidate": Side("candidate", Path(sys.executable), REPO, "c" * 40),
    }
    assert one_offered_rate(first, ["bench", "--profile", "quick"], sides) == {
        "baseline": ["--load-rate", "123.4"],
        "candidate": ["--load-rate", "123.4"],  # the rate as measured, every digit
    }


def test_a_baseline_older_than_the_option_measures_its_own_rate(tmp_path: Path) -> None:
    first = bench_run(tmp_path / "run", {"open_rate": 80.0})
    old = older_checkout(tmp_path / "old")
    sides = {
        "baseline": Side("baseline", Path(sys.executable), old, "b" * 40),
        "candidate": Side("candidate", Path(sys.executable), REPO, "c" * 40),
    }
    assert one_offered_rate(first, ["bench"], sides) == {
        "baseline": [],
        "candidate": ["--load-rate", "80.0"],
    }


@pytest.mark.parametrize(
    ("load", "bench_args"),
    [
        (None, ["bench", "--suite", "queries"]),  # no load tests in the run
        ({"open_rate": None}, ["bench"]),  # no open model
        ({"open_rate": 50.0}, ["bench", "--load-rate", "200"]),  # the user's rate stands
        ({"open_rate": 50.0}, ["bench", "--load-rate=200"]),
        ({"open_rate": 50.0}, ["bench", "--load-r", "200"]),  # argparse takes abbreviations
    ],
)
def test_no_rate_is_added_without_an_open_model_or_over_the_users_own(
    tmp_path: Path, load: dict[str, object] | None, bench_args: list[str]
) -> None:
    first = bench_run(tmp_path / "run", load)
    sides = {"candidate": Side("candidate", Path(sys.executable), REPO, "c" * 40)}
    assert one_offered_rate(first, bench_args, sides) == {"candidate": []}


def test_a_commit_from_before_the_perfproof_package_runs_its_bench_the_old_way(
    tmp_path: Path,
) -> None:
    """A baseline older than perfproof/ has no -m perfproof: it is run as -m benchmarks.cli."""
    old = Side("baseline", Path(sys.executable), older_checkout(tmp_path / "old"), "b" * 40)
    new = Side("candidate", Path(sys.executable), REPO, "c" * 40)
    assert old.perfproof[1:] == ["-m", "benchmarks.cli"]
    assert new.perfproof[1:] == ["-m", "perfproof"]
