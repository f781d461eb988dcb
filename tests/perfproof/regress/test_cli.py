"""``perfproof regress`` on synthetic run folders: exit codes, files, and one line per bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from perfproof.regress import cli
from tests.reports.regress.synthetic import load_rows, lognormal, round_rows, write_run

SERIES = ("orders.list_for_user[heavy]", "wallet.for_user[heavy]", "cart.for_user[heavy]")


def _rows(
    run: str,
    *,
    slow: str | None = None,
    seed: int = 1,
    series: Sequence[str] = SERIES,
    factor: float = 1.3,
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for name in series:
        median = 0.001 * (factor if name == slow else 1.0)
        rows += round_rows(run, "queries", name, "indexed", lognormal(rng, median, 0.02, 10))
    return rows


def _regress(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = cli.build_parser("perfproof regress")
    code = cli.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    base = write_run(tmp_path / "base", _rows("base", seed=1))
    cand = write_run(tmp_path / "cand", _rows("cand", seed=2))
    return base, cand


def test_nothing_regressed_is_exit_0_with_both_files(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = pair
    code, out, err = _regress(
        "--baseline", str(base), "--candidate", str(cand), "--results", str(tmp_path), capsys=capsys
    )
    assert code == 0, err
    assert "3 series: 3 unchanged" in out
    document = json.loads((cand / "regress.json").read_text())
    assert document["exit_code"] == 0 and document["counts"]["unchanged"] == 3
    assert {
        "series",
        "baseline",
        "candidate",
        "change",
        "change_low",
        "change_high",
        "p",
        "q",
        "verdict",
        "threshold",
    } <= set(document["series"][0])
    assert "### perfproof regress: no regression" in (cand / "regress.md").read_text()


def test_a_regression_is_exit_1_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_run(tmp_path / "base", _rows("base", seed=1))
    cand = write_run(tmp_path / "cand", _rows("cand", seed=2, slow=SERIES[0]))
    out_dir = tmp_path / "out"
    code, out, _ = _regress(
        "--baseline", str(base), "--candidate", str(cand), "--out", str(out_dir), capsys=capsys
    )
    assert code == 1
    line = next(line for line in out.splitlines() if SERIES[0] in line)
    assert line.rstrip().endswith("regressed")
    assert "**regressed**" in (out_dir / "regress.md").read_text()
    document = json.loads((out_dir / "regress.json").read_text())
    assert document["counts"]["regressed"] == 1 and document["exit_code"] == 1
    slowed = document["series"][0]  # regressed rows come first
    assert slowed["series"] == SERIES[0]
    assert slowed["change_low"] < 0.3 < slowed["change_high"]


def test_added_and_removed_series_are_not_regressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_run(tmp_path / "base", _rows("base", series=SERIES[:2]))
    cand = write_run(
        tmp_path / "cand", _rows("cand", seed=2, series=SERIES[1:], factor=9.0, slow=SERIES[2])
    )
    code, out, _ = _regress("--baseline", str(base), "--candidate", str(cand), capsys=capsys)
    assert code == 0
    assert f"queries {SERIES[0]} @indexed: removed: measured in the baseline only" in out
    assert f"queries {SERIES[2]} @indexed: added: measured in the candidate only" in out


def test_load_series_compare_over_repetitions_and_invalid_ones_are_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(name: str, throughput: Sequence[float], valid: Sequence[int]) -> Path:
        rows = load_rows(name, "ALL", "all-on", "closed", "throughput", throughput)
        rows += load_rows(name, "ALL", "all-on", "closed", "valid", valid)
        rows += load_rows(name, "ALL", "all-on", "open", "offered_rate", [100.0] * 3)
        rows += load_rows(name, "ALL", "all-on", "open", "intended_p50", [0.01, 0.0101, 0.0099])
        return write_run(tmp_path / name, rows)

    base = run("base", [500, 505, 495], [1, 1, 1])
    # The third repetition is invalid: its collapse must not count.
    cand = run("cand", [400, 404, 50], [1, 1, 0])
    code, _, _ = _regress("--baseline", str(base), "--candidate", str(cand), capsys=capsys)
    assert code == 1
    document = json.loads((cand / "regress.json").read_text())
    throughput = next(s for s in document["series"] if s["metric"] == "throughput")
    assert throughput["verdict"] == "regressed" and throughput["n_candidate"] == 2
    assert throughput["test"].startswith("Student t")
    assert "1/s" in throughput["unit"]


def test_open_model_latency_at_another_offered_rate_is_not_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(name: str, rate: float) -> Path:
        rows = load_rows(name, "ALL", "all-on", "open", "offered_rate", [rate] * 3)
        rows += load_rows(name, "ALL", "all-on", "open", "intended_p50", [0.01, 0.0101, 0.0099])
        return write_run(tmp_path / name, rows)

    code, out, _ = _regress(
        "--baseline", str(run("base", 100.0)), "--candidate", str(run("cand", 80.0)), capsys=capsys
    )
    assert code == 0
    assert "not compared: offered rates differ (100.0/s vs 80.0/s)" in out


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = _regress(*argv, "--results", str(tmp_path), capsys=capsys)
    assert code == 2, out
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")
    return err.strip()


def test_an_unfinished_run_cannot_be_compared(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = pair
    cand = write_run(tmp_path / "cut", _rows("cut"), finished=False, interrupted=True)
    err = _bad(tmp_path, capsys, "--baseline", str(base), "--candidate", str(cand))
    assert "interrupted" in err and "a gate needs a finished run" in err


def test_another_scale_or_seed_cannot_be_compared(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = pair
    small = write_run(tmp_path / "small", _rows("small"), scales=["small"])
    err = _bad(tmp_path, capsys, "--baseline", str(base), "--candidate", str(small))
    assert "different data scale" in err and "tiny" in err and "small" in err
    seeded = write_run(tmp_path / "seeded", _rows("seeded"), seed=7)
    assert "seed 7" in _bad(tmp_path, capsys, "--baseline", str(base), "--candidate", str(seeded))


def test_older_or_newer_formats_and_corrupt_or_empty_folders_are_refused(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = pair
    old = write_run(tmp_path / "old", _rows("old"))
    (old / "tidy.csv").write_text("suite,series,value\nqueries,x,1.0\n")
    assert "older result format" in _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(old)
    )
    newer = write_run(tmp_path / "newer", _rows("newer"), result_format=2)
    assert "result format 2" in _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(newer)
    )
    corrupt = write_run(tmp_path / "corrupt", _rows("corrupt"))
    text = (corrupt / "tidy.csv").read_text().splitlines()
    (corrupt / "tidy.csv").write_text("\n".join([*text[:5], text[5].rsplit(",", 2)[0] + ",x,s"]))
    assert f"{corrupt}/tidy.csv: line 6 (" in _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(corrupt)
    )
    (tmp_path / "empty").mkdir()
    assert "no manifest.json" in _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(tmp_path / "empty")
    )
    (cand / "manifest.json").write_text("{not json")
    assert "not readable JSON" in _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(cand)
    )
    assert "no such run folder or saved baseline" in _bad(
        tmp_path, capsys, "--baseline", "nightly", "--candidate", str(base)
    )


def test_no_common_series_cannot_be_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_run(tmp_path / "base", _rows("base", series=SERIES[:1]))
    load = write_run(
        tmp_path / "load", load_rows("load", "ALL", "all-on", "closed", "throughput", [1.0, 2.0])
    )
    err = _bad(tmp_path, capsys, "--baseline", str(base), "--candidate", str(load))
    assert "nothing to compare" in err and "queries against load" in err


def test_another_machine_warns_loudly_and_strict_refuses(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = pair
    other = write_run(
        tmp_path / "other",
        _rows("other", seed=3),
        machine={"hostname": "laptop", "platform": "Linux-x86_64", "cpus": 8, "memory_gib": 8.0},
    )
    code, _, err = _regress("--baseline", str(base), "--candidate", str(other), capsys=capsys)
    assert code == 0
    assert "WARNING: different machine: hostname 'ci-1'" in err and "cpus 2" in err
    assert "Warning:** different machine" in (other / "regress.md").read_text()
    err = _bad(
        tmp_path, capsys, "--baseline", str(base), "--candidate", str(other), "--strict-environment"
    )
    assert "(--strict-environment)" in err


def test_a_thresholds_typo_is_exit_2_before_anything_is_read(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = pair
    typo = tmp_path / "gate.toml"
    typo.write_text("[suites]\nendpoint = 0.2\n")
    err = _bad(
        tmp_path,
        capsys,
        "--baseline",
        str(base),
        "--candidate",
        str(cand),
        "--thresholds",
        str(typo),
    )
    assert err == f"error: {typo}: suites.endpoint: unknown name (known: queries, endpoints, load)"


def test_a_saved_baseline_is_found_by_name(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = pair
    code, out, _ = _regress(
        "--save-baseline", "main", "--run", str(base), "--results", str(tmp_path), capsys=capsys
    )
    assert code == 0 and (tmp_path / "baselines" / "main" / "tidy.csv").exists()
    code, out, _ = _regress(
        "--save-baseline", "main", "--run", str(cand), "--results", str(tmp_path), capsys=capsys
    )
    assert code == 0  # saved again: replaced
    assert not [p for p in (tmp_path / "baselines").iterdir() if p.name.startswith(".")]
    code, out, _ = _regress(
        "--baseline", "main", "--candidate", str(cand), "--results", str(tmp_path), capsys=capsys
    )
    assert code == 0 and "baselines/main" in out
    assert "want letters" in _bad(
        tmp_path, capsys, "--save-baseline", "bad/name", "--run", str(base)
    )


def test_mixed_up_options_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "go together" in _bad(tmp_path, capsys, "--baseline", "a")
    assert "give one of" in _bad(
        tmp_path, capsys, "--baseline", "a", "--candidate", "b", "--calibrate", "c", "d"
    )


def test_the_command_line_never_prints_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfproof",
            "regress",
            "--baseline",
            str(tmp_path / "absent"),
            "--candidate",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_every_series_moving_together_is_named_as_the_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [f"orders.list_for_user[s{i}]" for i in range(12)]
    base = write_run(tmp_path / "base", _rows("base", series=many))
    slow = [{**row, "value": row["value"] * 1.5} for row in _rows("slow", seed=2, series=many)]
    cand = write_run(tmp_path / "slow", slow)
    code, _, err = _regress("--baseline", str(base), "--candidate", str(cand), capsys=capsys)
    assert code == 1  # the verdicts stand: a change to everything is possible
    assert "moved together by a median of +5" in err and "more likely the machine" in err
    code, _, err = _regress("--baseline", str(base), "--candidate", str(base), capsys=capsys)
    assert "moved together" not in err


def test_runs_repeated_on_a_side_are_pooled_block_by_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bases = [write_run(tmp_path / f"b{i}", _rows(f"b{i}", seed=i)) for i in range(2)]
    cands = [
        write_run(tmp_path / f"c{i}", _rows(f"c{i}", seed=10 + i, slow=SERIES[1])) for i in range(2)
    ]
    argv = [a for b in bases for a in ("--baseline", str(b))]
    argv += [a for c in cands for a in ("--candidate", str(c))]
    code, _, _ = _regress(*argv, "--out", str(tmp_path / "out"), capsys=capsys)
    document = json.loads((tmp_path / "out" / "regress.json").read_text())
    assert code == 1 and len(document["baseline"]["runs"]) == 2
    slowed = next(s for s in document["series"] if s["series"] == SERIES[1])
    assert (slowed["n_baseline"], slowed["n_candidate"], slowed["verdict"]) == (20, 20, "regressed")
    assert "block medians" in slowed["test"]
