"""The gate on real runs: the session's quick run, and ``--against HEAD``'s two.

What the machine's noise does to an A/A comparison is what ``--calibrate``
measures; these tests check what must hold whatever the noise: every series
is read and compared on both sides, none is added or removed, the files and
the exit code agree, a run against itself changes nothing, and a slowdown
put into one series of a real run is flagged there and only there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from perfproof.regress import cli
from perfproof.regress.against import repository_root
from portal.devstack import Services

SLOWED = "orders.list_for_user[heavy]"


def _regress(*argv: str) -> int:
    return cli.run(cli.build_parser("perfproof regress").parse_args(list(argv)))


def test_a_real_run_against_itself_changes_nothing(
    quick_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = quick_run
    assert _regress("--baseline", str(run), "--candidate", str(run), "--out", str(tmp_path)) == 0
    counts = json.loads((tmp_path / "regress.json").read_text())["counts"]
    assert counts["unchanged"] > 100 and sum(counts.values()) == counts["unchanged"]
    capsys.readouterr()


def test_a_slowdown_put_into_one_real_series_is_flagged_there_only(
    quick_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real run's own rounds, one series' times a thousand: the machine's noise is the
    same on both sides, so only the injected change can be flagged. (A thousand-fold: with
    two blocks a side the t-test on log block medians has two degrees of freedom, so its
    p-value falls only as 1/t^2, and Holm's correction over the quick run's family of about
    210 series asks the second-ranked series for p < 0.00024 at 5 %. A CI run's unindexed
    arm at ten-fold got p 0.00073, corrected 0.153; a thousand-fold triples t and divides p
    by about nine. What the gate detects at realistic changes is what ``--calibrate``
    measures; this test checks where it points.)"""
    run = quick_run
    slowed = Path(shutil.copytree(run, tmp_path / "slowed"))
    tidy = pd.read_csv(slowed / "tidy.csv")
    picked = (tidy["series"] == SLOWED) & (tidy["metric"] == "time")
    tidy.loc[picked, "value"] *= 1000.0
    tidy.to_csv(slowed / "tidy.csv", index=False)
    code = _regress("--baseline", str(run), "--candidate", str(slowed), "--out", str(tmp_path))
    document = json.loads((tmp_path / "regress.json").read_text())
    regressed = {(s["series"], s["arm"]) for s in document["series"] if s["verdict"] == "regressed"}
    assert code == 1
    assert regressed == {(SLOWED, "indexed"), (SLOWED, "unindexed")}
    capsys.readouterr()


REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")
def test_against_head_measures_both_sides_here(
    stack: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One run per side (the smallest --against): a worktree of HEAD with its own environment,
    the current tree, both finished, compared, and the worktree gone afterwards. Two real
    runs of the same suites: every series is read and compared on both sides, none added,
    removed or left uncompared, and the files and the exit code agree."""
    for name, value in stack.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(repository_root(REPO))
    out = tmp_path / "against"
    quick = "--profile quick --suite queries --suite endpoints"  # the gate profile's 70 s x 2
    code = _regress("--against", "HEAD", "--repeats", "1", "--bench-args", quick, "--out", str(out))
    printed = capsys.readouterr()
    assert code in (0, 1), printed.err
    assert "[1/2] baseline" in printed.out and "[2/2] candidate" in printed.out
    document = json.loads((out / "regress.json").read_text())
    counts = document["counts"]
    assert code == (1 if counts["regressed"] else 0) == document["exit_code"]
    assert counts["added"] == counts["removed"] == counts["not compared"] == 0
    assert len(document["baseline"]["runs"]) == len(document["candidate"]["runs"]) == 1
    (baseline,) = (out / "baseline").iterdir()
    tidy = pd.read_csv(baseline / "tidy.csv")
    timed = tidy[tidy["metric"] == "time"].drop_duplicates(["suite", "series", "arm"])
    assert len(document["series"]) == len(timed) > 100
    assert {s["suite"] for s in document["series"]} == {"queries", "endpoints"}
    assert all(s["q"] is not None and s["change_low"] is not None for s in document["series"])
    assert f"{len(timed)} series:" in printed.out
    worktrees = subprocess.run(["git", "worktree", "list"], capture_output=True, text=True)
    assert "perfproof-against-" not in worktrees.stdout
