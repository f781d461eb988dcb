"""Calibration on synthetic A/A runs of known within- and between-run noise."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from perfproof.regress import cli
from reports.regress.calibrate import (
    Noise,
    calibrate,
    critical_change,
    detectable_change,
    noise_of,
    safe_threshold,
    status_of,
)
from reports.regress.samples import SeriesKey
from reports.regress.significance import Array
from reports.regress.thresholds import Thresholds
from tests.reports.regress.synthetic import lognormal, query_key, round_rows, write_run


def _runs(
    rng: np.random.Generator,
    *,
    within: float,
    between: float,
    runs: int,
    n: int,
    keys: list[SeriesKey],
) -> list[dict[SeriesKey, Array]]:
    """A/A runs: each run's median moved by a run-wide factor of sd ``between`` (log)."""
    found = []
    for _ in range(runs):
        shift = rng.normal(0, between)
        found.append({k: rng.lognormal(shift, within, n) for k in keys})
    return found


def test_noise_of_recovers_known_within_and_between_noise() -> None:
    rng = np.random.default_rng(20)
    key = query_key()
    runs = _runs(rng, within=0.1, between=0.2, runs=40, n=200, keys=[key])
    noise = noise_of([run[key] for run in runs], rounds=True)
    assert noise.within == pytest.approx(0.1, rel=0.1)
    assert noise.between == pytest.approx(0.2, rel=0.3)
    assert (noise.runs, noise.n) == (40, 200)


def test_noise_over_repetitions_is_the_sd_of_the_logs() -> None:
    noise = noise_of([np.array([1.0, math.e]), np.array([1.0, math.e])], rounds=False)
    assert noise.within == pytest.approx(math.sqrt(0.5))
    assert noise.between == pytest.approx(0.0)
    with pytest.raises(ValueError, match="two runs"):
        noise_of([np.array([1.0])], rounds=False)


def test_the_safe_threshold_grows_with_the_between_run_noise() -> None:
    quiet, loud = Noise(5, 10, 0.05, 0.01), Noise(5, 10, 0.05, 0.10)
    level = 0.05 / 100
    assert safe_threshold(quiet, level=level) < 0.10 < safe_threshold(loud, level=level)
    # z(1 - 0.0005) = 3.29; two runs apart: sqrt(2) x 0.10
    assert safe_threshold(loud, level=level) == pytest.approx(math.expm1(3.29 * 0.1414), rel=0.01)


def test_too_few_rounds_are_untestable() -> None:
    few = Noise(5, 3, 0.05, 0.01)  # 3 against 3: the smallest p is 0.1
    assert critical_change(few, level=0.05, rounds=True) == math.inf
    assert detectable_change(few, threshold=0.1, level=0.05, rounds=True) == math.inf
    assert status_of(0.1, 0.01, math.inf) == "untestable"
    assert status_of(0.1, 0.2, 0.3) == "noisy"
    assert status_of(0.1, 0.05, 0.12) == "ok"


def test_the_detectable_change_is_above_the_threshold_and_honest() -> None:
    """Calibrated from simulated A/A runs, a series whose true slowdown is its detectable
    change is flagged in at least 95 % of comparisons."""
    rng = np.random.default_rng(21)
    key = query_key()
    aa = _runs(rng, within=0.05, between=0.02, runs=30, n=10, keys=[key])
    noise = noise_of([run[key] for run in aa], rounds=True)
    detectable = detectable_change(noise, threshold=0.10, level=0.05, rounds=True)
    assert 0.10 < detectable < 0.25
    caught = 0
    trials = 200
    for _ in range(trials):
        (base,) = _runs(rng, within=0.05, between=0.02, runs=1, n=10, keys=[key])
        (cand,) = _runs(rng, within=0.05, between=0.02, runs=1, n=10, keys=[key])
        caught += calibrate_once(base, {key: cand[key] * (1 + detectable)})
    assert caught / trials >= 0.95


def calibrate_once(base: dict[SeriesKey, Array], cand: dict[SeriesKey, Array]) -> bool:
    from reports.regress.compare import compare

    return compare(base, cand, Thresholds(), resamples=0)[0].verdict == "regressed"


def test_calibrate_sorts_out_quiet_and_noisy_series() -> None:
    rng = np.random.default_rng(22)
    quiet, loud = query_key("a[x]"), query_key("b[x]")
    runs = [
        {**q, **noisy}
        for q, noisy in zip(
            _runs(rng, within=0.03, between=0.005, runs=6, n=10, keys=[quiet]),
            _runs(rng, within=0.03, between=0.3, runs=6, n=10, keys=[loud]),
            strict=True,
        )
    ]
    found = {c.key: c for c in calibrate(runs, Thresholds())}
    assert found[quiet].status == "ok" and found[quiet].aa_flags == 0
    assert found[loud].status == "noisy" and found[loud].safe_threshold > 0.10
    assert found[loud].aa_pairs == 15


def test_the_command_writes_calibration_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(23)
    folders = [
        write_run(
            tmp_path / f"aa{i}",
            round_rows(
                f"aa{i}",
                "queries",
                "orders.list_for_user[heavy]",
                "indexed",
                lognormal(rng, 0.001, 0.03, 10),
            ),
        )
        for i in range(3)
    ]
    parser = cli.build_parser("perfproof regress")
    out = tmp_path / "cal"
    code = cli.run(parser.parse_args(["--calibrate", *map(str, folders), "--out", str(out)]))
    printed = capsys.readouterr().out
    assert code == 0
    assert "1 series: 1 ok" in printed
    assert (out / "calibration.json").exists() and (out / "calibration.md").exists()
    code = cli.run(parser.parse_args(["--calibrate", str(folders[0]), "--out", str(out)]))
    assert code == 2 and "two A/A runs" in capsys.readouterr().err


def test_calibrate_without_runs_measures_the_current_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench runs are stood in for (test_real_runs.py runs real ones): what is checked is
    that --aa-runs runs of the current tree are made and calibrated."""
    from perfproof.regress import against

    rng = np.random.default_rng(24)
    made: list[list[str]] = []

    def bench(side: against.Side, bench_args: list[str], results: Path, _log: Path) -> Path:
        made.append([side.name, *bench_args])
        rows = round_rows(
            "aa",
            "queries",
            "orders.list_for_user[heavy]",
            "indexed",
            lognormal(rng, 0.001, 0.03, 10),
        )
        return write_run(results / f"aa{len(made)}", rows)

    monkeypatch.setattr(against, "_bench", bench)
    parser = cli.build_parser("perfproof regress")
    out = tmp_path / "cal"
    args = parser.parse_args(["--calibrate", "--aa-runs", "3", "--out", str(out)])
    assert cli.run(args) == 0
    assert [m[0] for m in made] == ["current tree"] * 3
    assert made[0][1:] == [
        "bench",
        "--profile",
        "gate",
        "--suite",
        "queries",
        "--suite",
        "endpoints",
    ]
    assert "[3/3] A/A run of" in capsys.readouterr().out
    assert json.loads((out / "calibration.json").read_text())["series"][0]["runs"] == 3


def test_with_blocks_the_detectable_change_is_honest_for_the_block_test() -> None:
    """Runs whose blocks move 5 % (rounds 3 %): the calibration sees the block noise, and a
    true slowdown of its detectable size is flagged by the gate (block test included) in
    95 % of comparisons."""
    from reports.regress.compare import compare

    rng = np.random.default_rng(25)
    key = query_key()
    labels = np.repeat([1.0, 2.0], 5)

    def run() -> Array:
        shift = rng.normal(0, 0.02)
        return np.exp(shift + np.repeat(rng.normal(0, 0.05, 2), 5) + rng.normal(0, 0.03, 10))

    aa = [run() for _ in range(30)]
    noise = noise_of(aa, rounds=True, blocks=[labels] * 30)
    assert noise.block == pytest.approx(0.05, rel=0.35) and noise.blocks == 2
    detectable = detectable_change(noise, threshold=0.10, level=0.05, rounds=True)
    assert detectable > detectable_change(
        noise_of(aa, rounds=True), threshold=0.10, level=0.05, rounds=True
    )
    caught = 0
    trials = 200
    for _ in range(trials):
        found = compare(
            {key: run()},
            {key: run() * (1 + detectable)},
            Thresholds(),
            resamples=0,
            blocks=({key: labels}, {key: labels}),
        )
        caught += found[0].verdict == "regressed"
    assert caught / trials >= 0.95
