"""Real `perfproof bench` runs: the benchmark suites' part of a run folder, and the growth mode.

The session's quick run (``tests/quick_run.py``; the load tests, checks and
faults have tests of their own on the same folder): both index arms of every
query series, all four arms of every endpoint series at tiny, statement counts
and X-Cache answers per round, a tidy table that says what pytest-benchmark's
JSON says. And one run of the growth mode of its own (``--scaling``, slow: the
medium dataset is generated the first time): the growth queries at small and
medium too, growth laws fitted over three sizes. No speed is asserted: that is
what the benchmarks are for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks.arms import ENDPOINT_ARMS, INDEX_ARM_LABEL
from benchmarks.endpoint_cases import CASES as ENDPOINT_CASES
from benchmarks.query_cases import CASES as QUERY_CASES
from benchmarks.tidy import COLUMNS, read_tidy
from portal.devstack import Services

STEPS = ["benchmarks-tiny", "load-tiny", "checks-tiny", "faults-tiny"]
GROWTH_STEPS = ["benchmarks-tiny", "growth-small", "growth-medium"]
GROWTH_JSON = ("benchmarks-tiny.json", "growth-small.json", "growth-medium.json")
LAWS = {"constant", "log n", "n", "n log n", "power"}


@pytest.fixture(scope="module")
def run_folder(quick_run: Path) -> Path:
    return quick_run


@pytest.fixture(scope="module")
def manifest(run_folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((run_folder / "manifest.json").read_text())
    return document


@pytest.fixture(scope="module")
def tidy(run_folder: Path) -> list[dict[str, Any]]:
    return read_tidy(run_folder / "tidy.csv")


def test_the_manifest_says_finished_and_lists_every_file(
    run_folder: Path, manifest: dict[str, Any]
) -> None:
    assert manifest["finished"] is True
    assert manifest["profile"] == "quick" and manifest["scales"] == ["tiny"]
    assert manifest["growth_scales"] == []
    for name in ("benchmarks-tiny.json", "tidy.csv", "summary.txt"):
        assert name in manifest["files"]
    for name in manifest["files"]:
        assert (run_folder / name).is_file(), name
    assert [step["name"] for step in manifest["steps"]] == STEPS
    assert all(step["pytest_exit_code"] == 0 for step in manifest["steps"])
    # the machine's CPU over each step, so a run on a busy host says so
    assert all(set(step["host_cpu"]) == {"busy", "steal", "iowait"} for step in manifest["steps"])
    assert set(manifest["dataset_rows"]) == {"tiny"}


def test_every_query_series_has_both_index_arms(tidy: list[dict[str, Any]]) -> None:
    arms = defaultdict(set)
    for row in tidy:
        if row["suite"] == "queries" and row["scale"] == "tiny" and row["metric"] == "time":
            arms[row["series"]].add((row["arm"], row["repetition"]))
    expected = {(label, block) for label in INDEX_ARM_LABEL.values() for block in (1, 2)}
    assert {case.series for case in QUERY_CASES} == set(arms)
    assert all(blocks == expected for blocks in arms.values())


def test_every_endpoint_series_has_all_arms_with_statements(tidy: list[dict[str, Any]]) -> None:
    seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in tidy:
        if row["suite"] == "endpoints":
            seen[(row["series"], row["arm"])][row["metric"]] += 1
    expected = {(case.series, arm.name) for case in ENDPOINT_CASES for arm in ENDPOINT_ARMS}
    assert set(seen) == expected
    for counts in seen.values():
        assert counts["time"] == counts["statements"] == counts["cache_hit"] > 0
        assert counts["reference"] == counts["time"]  # every round beside its reference call


def test_every_query_round_has_its_reference_call(tidy: list[dict[str, Any]]) -> None:
    seen: dict[tuple[str, str, int], Counter[str]] = defaultdict(Counter)
    for row in tidy:
        if row["suite"] == "queries":
            seen[(row["series"], row["arm"], row["repetition"])][row["metric"]] += 1
    assert seen and all(c["reference"] == c["time"] > 0 for c in seen.values())
    references = [row["value"] for row in tidy if row["metric"] == "reference"]
    assert all(0 < value < 1 for value in references)  # a SELECT 1, or GET /healthz: seconds


def test_hits_hit_without_sql_and_the_other_arms_ask_the_database(
    tidy: list[dict[str, Any]],
) -> None:
    by_arm: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in tidy:
        if row["suite"] == "endpoints":
            by_arm[row["arm"]][row["metric"]].append(row["value"])
    assert set(by_arm["hit"]["cache_hit"]) == {1}
    assert set(by_arm["hit"]["statements"]) == {0}
    for arm in ("miss", "uncached", "uncached-unindexed"):
        assert set(by_arm[arm]["cache_hit"]) == {0}
        assert min(by_arm[arm]["statements"]) >= 1, arm


def test_both_blocks_of_an_arm_have_the_same_rounds(tidy: list[dict[str, Any]]) -> None:
    rounds: dict[tuple[str, str, str], Counter[int]] = defaultdict(Counter)
    for row in tidy:
        if row["metric"] == "time":
            rounds[(row["scale"], row["series"], row["arm"])][row["repetition"]] += 1
    assert all(len(set(blocks.values())) == 1 for blocks in rounds.values())


def tidy_says_json(run_folder: Path, files: tuple[str, ...]) -> None:
    """The tidy table holds each round of pytest-benchmark's JSON files, and nothing else."""
    header = (run_folder / "tidy.csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS
    from_json = []
    for name in files:
        for bench in json.loads((run_folder / name).read_text())["benchmarks"]:
            info = bench["extra_info"]
            key = (info["scale"], info["series"], info["arm"], info["block"])
            from_json += [(*key, "time", value) for value in bench["stats"]["data"]]
            from_json += [(*key, "statements", count) for count in info.get("statements", ())]
    from_tidy = [
        (row["scale"], row["series"], row["arm"], row["repetition"], row["metric"], row["value"])
        for row in read_tidy(run_folder / "tidy.csv")
        if row["metric"] in ("time", "statements")
    ]
    assert sorted(from_tidy) == sorted(from_json)  # floats round-trip exactly through CSV


def test_the_tidy_table_says_what_the_json_says(run_folder: Path) -> None:
    tidy_says_json(run_folder, ("benchmarks-tiny.json",))


@pytest.mark.slow
def test_the_growth_mode_measures_three_sizes_and_fits_their_laws(
    stack: Services, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", "bench", "--profile", "quick", "--scaling",
         "--suite", "queries", "--results", str(tmp_path)],
        env={**os.environ, **stack.env()}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (run_folder,) = tmp_path.iterdir()
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["finished"] is True and manifest["growth_scales"] == ["small", "medium"]
    assert [step["name"] for step in manifest["steps"]] == GROWTH_STEPS
    assert set(manifest["dataset_rows"]) == {"tiny", "small", "medium"}
    for name in (*GROWTH_JSON, "growth.json"):
        assert name in manifest["files"] and (run_folder / name).is_file(), name
    # The growth sizes measure the growth series only.
    tidy = read_tidy(run_folder / "tidy.csv")
    for scale in ("small", "medium"):
        measured = {row["series"] for row in tidy if row["scale"] == scale}
        assert measured == {case.series for case in QUERY_CASES if case.growth}
    tidy_says_json(run_folder, GROWTH_JSON)
    # Growth laws fitted over the three sizes, for every growth series.
    growth = json.loads((run_folder / "growth.json").read_text())
    fitted = growth["series"]
    assert {entry["series"] for entry in fitted.values()} == {
        case.series for case in QUERY_CASES if case.growth
    }
    for entry in fitted.values():
        rows = [point["rows"] for point in entry["points"]]
        assert len(rows) == 3 and rows == sorted(rows)
        assert {fit["law"] for fit in entry["all"]} == {
            "constant",
            "log n",
            "n",
            "n log n",
            "power",
        }
    assert growth["absolute"]["kind"] in {"extrapolation", "interpolation", "measured", "never"}
