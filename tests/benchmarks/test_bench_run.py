"""The session's real `perfproof bench --profile quick --scaling`: its benchmark suites.

Every suite ran (the load tests, checks and faults have tests of their own on
the same folder): both index arms of every query series, all four arms of every
endpoint series at tiny, the growth queries at small and medium too, statement
counts and X-Cache answers per round, a tidy table that says what
pytest-benchmark's JSON says, growth laws fitted over three sizes. No speed is
asserted: that is what the benchmarks are for.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks.arms import ENDPOINT_ARMS, INDEX_ARM_LABEL
from benchmarks.endpoint_cases import CASES as ENDPOINT_CASES
from benchmarks.query_cases import CASES as QUERY_CASES
from benchmarks.tidy import COLUMNS, read_tidy

JSON_FILES = ("benchmarks-tiny.json", "growth-small.json", "growth-medium.json")
STEPS = ["benchmarks-tiny", "load-tiny", "checks-tiny", "faults-tiny", "growth-small",
         "growth-medium"]  # fmt: skip


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
    assert manifest["growth_scales"] == ["small", "medium"]
    for name in (*JSON_FILES, "tidy.csv", "growth.json", "summary.txt"):
        assert name in manifest["files"]
    for name in manifest["files"]:
        assert (run_folder / name).is_file(), name
    steps = [step["name"] for step in manifest["steps"]]
    assert steps == STEPS
    assert all(step["pytest_exit_code"] == 0 for step in manifest["steps"])
    # the machine's CPU over each step, so a run on a busy host says so
    assert all(set(step["host_cpu"]) == {"busy", "steal", "iowait"} for step in manifest["steps"])
    assert set(manifest["dataset_rows"]) == {"tiny", "small", "medium"}


def test_every_query_series_has_both_index_arms(tidy: list[dict[str, Any]]) -> None:
    arms = defaultdict(set)
    for row in tidy:
        if row["suite"] == "queries" and row["scale"] == "tiny" and row["metric"] == "time":
            arms[row["series"]].add((row["arm"], row["repetition"]))
    expected = {(label, block) for label in INDEX_ARM_LABEL.values() for block in (1, 2)}
    assert {case.series for case in QUERY_CASES} == set(arms)
    assert all(blocks == expected for blocks in arms.values())


def test_the_growth_sizes_measure_only_the_growth_series(tidy: list[dict[str, Any]]) -> None:
    for scale in ("small", "medium"):
        measured = {row["series"] for row in tidy if row["scale"] == scale}
        assert measured == {case.series for case in QUERY_CASES if case.growth}


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


def test_the_tidy_table_says_what_the_json_says(
    run_folder: Path, tidy: list[dict[str, Any]]
) -> None:
    header = (run_folder / "tidy.csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS
    from_json = []
    for name in JSON_FILES:
        for bench in json.loads((run_folder / name).read_text())["benchmarks"]:
            info = bench["extra_info"]
            key = (info["scale"], info["series"], info["arm"], info["block"])
            from_json += [(*key, "time", value) for value in bench["stats"]["data"]]
            from_json += [(*key, "statements", count) for count in info.get("statements", ())]
    from_tidy = [
        (row["scale"], row["series"], row["arm"], row["repetition"], row["metric"], row["value"])
        for row in tidy
        if row["metric"] in ("time", "statements")
    ]
    assert sorted(from_tidy) == sorted(from_json)  # floats round-trip exactly through CSV


def test_growth_laws_are_fitted_over_three_sizes(run_folder: Path) -> None:
    growth = json.loads((run_folder / "growth.json").read_text())
    fitted = growth["series"]
    growth_series = {case.series for case in QUERY_CASES if case.growth}
    assert {entry["series"] for entry in fitted.values()} == growth_series
    for entry in fitted.values():
        assert [point["rows"] for point in entry["points"]] == sorted(
            point["rows"] for point in entry["points"]
        )
        assert len(entry["points"]) == 3
        assert {fit["law"] for fit in entry["all"]} == {
            "constant",
            "log n",
            "n",
            "n log n",
            "power",
        }
    assert growth["absolute"]["kind"] in {"extrapolation", "interpolation", "measured", "never"}
