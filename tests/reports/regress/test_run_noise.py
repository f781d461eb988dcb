"""The calibrated A/A spread as a second test: A/A-safe when whole runs move, and still catching
a 20 % slowdown where runs agree."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from perfproof.regress import cli
from reports.regress.compare import compare
from reports.regress.run_noise import CalibrationError, RunNoise, load_calibration, run_noise_p
from reports.regress.samples import SeriesKey
from reports.regress.significance import Array
from reports.regress.thresholds import Thresholds
from tests.reports.regress.synthetic import lognormal, query_key, round_rows, write_run

FAMILY = 116


def test_the_spread_test_is_a_t_test_on_the_log_change() -> None:
    noise = RunNoise(between=0.1, runs=11)
    # |log change| / (0.1 sqrt 2) = 2.228 / sqrt(2) * sqrt(2)... t(10) at 0.975 is 2.228
    assert run_noise_p(2.228 * 0.1 * math.sqrt(2), noise) == pytest.approx(0.05, abs=0.001)
    assert run_noise_p(0.0, noise) == pytest.approx(1.0)
    assert run_noise_p(0.1, RunNoise(0.0, 5)) == 0.0
    # two runs a side halve the variance of the difference
    pooled = run_noise_p(2.228 * 0.1, noise, runs=(2, 2))
    assert pooled == pytest.approx(0.05, abs=0.001)


def _family(
    rng: np.random.Generator, *, run_shift: float, keys: list[SeriesKey], within: float = 0.05
) -> dict[SeriesKey, Array]:
    """One run: every series moved by its own run effect of sd ``run_shift`` (log)."""
    return {k: rng.lognormal(rng.normal(0, run_shift), within, 10) for k in keys}


def test_a_noisy_series_says_so_on_its_row() -> None:
    key = query_key()
    base, cand = np.linspace(1, 1.01, 10), np.linspace(1.02, 1.03, 10)
    (found,) = compare(
        {key: base}, {key: cand}, Thresholds(), run_noise={key: RunNoise(0.3, 6, 1.5)}
    )
    assert found.verdict == "unchanged"
    assert found.reason.endswith("too noisy here to gate on 10% (calibrated safe threshold 150%)")
    (quiet,) = compare(
        {key: base}, {key: cand}, Thresholds(), run_noise={key: RunNoise(0.01, 6, 0.05)}
    )
    assert "too noisy" not in quiet.reason


def test_with_the_spread_whole_runs_moving_do_not_flag_and_without_it_they_do() -> None:
    rng = np.random.default_rng(30)
    keys = [query_key(f"orders.list_for_user[s{i}]") for i in range(FAMILY)]
    noise = {k: RunNoise(0.15, 8) for k in keys}
    trials = 10
    with_spread = without = 0
    for _ in range(trials):
        base, cand = (
            _family(rng, run_shift=0.15, keys=keys),
            _family(rng, run_shift=0.15, keys=keys),
        )
        found = compare(base, cand, Thresholds(), resamples=0, run_noise=noise)
        with_spread += any(c.verdict != "unchanged" for c in found)
        found = compare(base, cand, Thresholds(), resamples=0)
        without += any(c.verdict != "unchanged" for c in found)
    assert with_spread == 0
    assert without == trials  # the rank test alone flaps on every one


def test_with_the_spread_a_20_percent_slowdown_of_a_steady_series_is_still_caught() -> None:
    rng = np.random.default_rng(31)
    keys = [query_key(f"orders.list_for_user[s{i}]") for i in range(FAMILY)]
    # a run's median moves by sqrt(0.01^2 + (1.25 x 0.04 / sqrt(10))^2) = 0.019 between runs
    noise = {k: RunNoise(0.019, 20) for k in keys}
    trials = 100
    caught = 0
    for _ in range(trials):
        base, cand = (
            _family(rng, run_shift=0.01, keys=keys, within=0.04),
            _family(rng, run_shift=0.01, keys=keys, within=0.04),
        )
        cand[keys[0]] = cand[keys[0]] * 1.2
        found = {c.key: c for c in compare(base, cand, Thresholds(), resamples=0, run_noise=noise)}
        caught += found[keys[0]].verdict == "regressed"
        assert "A/A spread" in found[keys[0]].test
    assert caught / trials > 0.95


def test_a_calibration_round_trips_and_bad_files_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(32)
    times = [lognormal(rng, 0.001, 0.03, 10) for _ in range(4)]
    folders = [
        write_run(
            tmp_path / f"aa{i}",
            round_rows(f"aa{i}", "queries", query_key().series, "indexed", rounds),
        )
        for i, rounds in enumerate(times)
    ]
    parser = cli.build_parser("perfproof regress")
    out = tmp_path / "cal"
    assert cli.run(parser.parse_args(["--calibrate", *map(str, folders), "--out", str(out)])) == 0
    loaded = load_calibration(out / "calibration.json")
    assert list(loaded) == [query_key()] and loaded[query_key()].runs == 4
    calibration = str(out / "calibration.json")
    argv = ["--baseline", str(folders[0]), "--candidate", str(folders[1])]
    argv += ["--calibration", calibration, "--out", str(tmp_path / "r")]
    assert cli.run(parser.parse_args(argv)) == 0
    document = json.loads((tmp_path / "r" / "regress.json").read_text())
    assert "A/A spread" in document["series"][0]["test"]
    assert ("too noisy here" in document["series"][0]["reason"]) == (
        loaded[query_key()].safe_threshold > 0.10
    )
    capsys.readouterr()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "series": [{"suite": "queries"}]}')
    with pytest.raises(CalibrationError, match="series #1 is incomplete"):
        load_calibration(bad)
    argv[5] = str(bad)
    assert cli.run(parser.parse_args(argv)) == 2
    assert capsys.readouterr().err.startswith(f"error: {bad}: series #1")
    bad.write_text("[]")
    with pytest.raises(CalibrationError, match="not a calibration"):
        load_calibration(bad)
