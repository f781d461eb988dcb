"""The load tests of the session's real quick bench: three arms, the closed model, paired units.

The portal served by uvicorn in each arm, Locust in a process of its own, as
``perfproof bench --profile quick`` runs them (``tests/quick_run.py``). What is
checked is the record, not speed: every arm and model present, histograms
consistent with the request counts (ours and Locust's), server counters that
moved, a hit ratio near zero with the cache off and high with it on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks.tidy import read_tidy
from loadtests.arms import ARMS_BY_NAME
from loadtests.capacity import EXTRA_RUNS
from loadtests.profiles import LOAD_PROFILES
from loadtests.recorder import Recorder
from loadtests.unit_order import unit_order

PROFILE = LOAD_PROFILES["quick"]


@pytest.fixture(scope="module")
def run_folder(quick_run: Path) -> Path:
    (folder,) = (quick_run / "load").iterdir()
    return folder


@pytest.fixture(scope="module")
def manifest(run_folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((run_folder / "manifest.json").read_text())
    return document


@pytest.fixture(scope="module")
def tidy(run_folder: Path) -> list[dict[str, Any]]:
    return read_tidy(run_folder / "tidy.csv")


def all_of(tidy: list[dict[str, Any]], run: str) -> dict[str, float]:
    head, repetition = run.rsplit("-", 1)
    model, arm = head.split("-", 1)
    return {
        row["metric"]: row["value"]
        for row in tidy
        if row["series"] == "ALL"
        and row["variant"] == model
        and row["arm"] == arm
        and row["repetition"] == int(repetition)
        and row["metric"] != "hit_ratio_second"
    }


def test_every_arm_ran_closed_and_in_every_paired_unit(
    run_folder: Path, manifest: dict[str, Any]
) -> None:
    assert manifest["finished"] is True
    names = [run["name"] for run in manifest["runs"]]
    closed = {f"closed-{arm}-{r}" for arm in PROFILE.arms for r in range(PROFILE.repetitions)}
    after = manifest["capacity_after"]  # the rate's arm again, once the units are done
    rechecked = {f"closed-{after['arm']}-{r}" for r in after["repetitions"]}
    assert len(rechecked) == PROFILE.capacity_after_runs >= 1 and not rechecked & closed
    # More closed runs of the slowest arm in place of disturbed ones (loadtests/capacity.py).
    extra = {n for n in names if n.startswith("closed-")} - closed - rechecked
    assert all(int(n.rsplit("-", 1)[1]) >= PROFILE.repetitions for n in extra), extra
    assert len(extra) <= len(PROFILE.arms) * (PROFILE.capacity_runs + EXTRA_RUNS)
    assert closed == set(manifest["planned"])
    last_open = max(i for i, run in enumerate(manifest["runs"]) if run["model"] == "open")
    assert all(names.index(name) > last_open for name in rechecked)
    units: dict[int, list[str]] = defaultdict(list)
    for run in manifest["runs"]:
        if run["model"] == "open":
            units[run["repetition"]].append(run["arm"])
    sequential = manifest["sequential"]
    assert sorted(units) == list(range(sequential["units"])) and sequential["units"] >= 1
    for arms in units.values():  # every unit: each arm once
        assert sorted(arms) == sorted(PROFILE.arms)
    assert sequential["stopped"] in ("target", "budget")
    assert sum(look["alpha"] for look in sequential["looks"]) <= 0.05 + 1e-12
    for name in names:
        assert (
            f"load-{name}.json" in manifest["files"]
            and (run_folder / f"load-{name}.json").is_file()
        )
    for name in closed:
        for file in (f"locust-{name}.html", f"locust-{name}.stats.json"):
            assert file in manifest["files"] and (run_folder / file).is_file(), file
    assert manifest["open_rate"] > 0 and manifest["open_rate_given"] is False  # measured
    assert manifest["environment"]["postgres_shared_buffers"]


def test_each_unit_ran_its_arms_in_the_order_the_runs_own_seed_draws(
    manifest: dict[str, Any],
) -> None:
    """The seed is drawn for the run and kept, so a reader can check every unit's order (a
    seed fixed across runs once gave every run of a series the same orders)."""
    seed = manifest["order_seed"]
    units: dict[int, list[str]] = defaultdict(list)
    for run in manifest["runs"]:
        if run["model"] == "open":
            units[run["repetition"]].append(run["arm"])
    assert units
    for unit, arms in units.items():
        assert arms == unit_order(PROFILE.arms, seed, unit), unit


def test_histograms_agree_with_the_request_counts(
    run_folder: Path, manifest: dict[str, Any], tidy: list[dict[str, Any]]
) -> None:
    for run in manifest["runs"]:
        document = json.loads((run_folder / f"load-{run['name']}.json").read_text())
        measured = Recorder.from_document(document["measured"])
        ours = 0
        for record in measured.routes.values():
            assert record.service.get_total_count() == record.requests
            ours += record.requests
        assert ours == run["requests"] == all_of(tidy, run["name"])["requests"] > 0
        if run["model"] == "open":
            # Every start of the window was answered before the next window opened.
            intended = sum(r.intended.get_total_count() for r in measured.routes.values())
            assert intended == measured.scheduled
            continue
        locust = json.loads((run_folder / f"locust-{run['name']}.stats.json").read_text())
        theirs = sum(entry["num_requests"] for entry in locust)
        # Locust counts a request as it closes, we a moment before: a straddler or two.
        assert abs(theirs - ours) <= 2 + ours // 200


def test_the_servers_counters_moved(manifest: dict[str, Any], tidy: list[dict[str, Any]]) -> None:
    for run in manifest["runs"]:
        figures = all_of(tidy, run["name"])
        assert figures["cpu_portal"] > 0 and figures["cpu_generator"] > 0
        # Every window also reads the portal's own counters (the second witnesses).
        assert figures["portal_statements"] > 0
        if run["model"] == "open":  # a window reads pg_stat_statements alone, when preloaded
            if "db_statements" in figures:
                assert figures["db_statements"] > 0
            continue
        assert figures["db_transactions"] > 0
        assert figures["portal_statements"] > 0
        assert figures["seq_scans"] + figures["idx_scans"] > 0


def test_hit_ratio_is_none_without_the_cache_and_high_with_it(
    manifest: dict[str, Any], tidy: list[dict[str, Any]]
) -> None:
    for run in manifest["runs"]:
        figures = all_of(tidy, run["name"])
        closed = run["model"] == "closed"
        if ARMS_BY_NAME[run["arm"]].cache == "off":
            assert "hit_ratio" not in figures  # no X-Cache answers at all
            assert "portal_hit_ratio" not in figures  # nor a lookup the portal counted
            if closed:
                assert figures["redis_keyspace_hits"] < 0.1 * figures["requests"]
        else:
            assert figures["hit_ratio"] > 0.3
            # The portal's cache layer counted the same lookups the headers answered: a
            # window's two ratios differ only by the requests at its edges.
            assert abs(figures["portal_hit_ratio"] - figures["hit_ratio"]) < 0.1, run["name"]
            if closed:
                assert figures["redis_keyspace_hits"] > 0


def test_the_warm_up_curve_starts_cold(tidy: list[dict[str, Any]]) -> None:
    curve: dict[int, float] = defaultdict(float)
    for row in tidy:
        if (
            row["metric"] == "hit_ratio_second"
            and row["arm"] == "all-on"
            and row["variant"] == "closed"
        ):
            curve[row["round"]] = row["value"]
    assert curve, "a hit ratio per second"
    # The first second against the best later one: the last second is often a
    # fraction of one (a few answers), too few to stand for the warm cache alone.
    first, *later = sorted(curve)
    assert later, "more than one second"
    assert curve[first] < max(curve[second] for second in later)


def test_the_open_model_offered_every_arm_the_same_rate(tidy: list[dict[str, Any]]) -> None:
    offered = {row["value"] for row in tidy if row["metric"] == "offered_rate"}
    assert len(offered) == 1


def test_every_unit_and_closed_run_starts_from_the_data_as_loaded(
    manifest: dict[str, Any],
) -> None:
    """The personas' writes are taken away before each unit, in both databases, and
    counted: the growth a unit causes is a figure of the run, not a drift across it."""
    record = manifest["loaded_state"]
    before = [reset["before"] for reset in record["resets"]]
    units = {run["repetition"] for run in manifest["runs"] if run["model"] == "open"}
    for unit in units:  # the index-less copy and the run's own database
        assert before.count(f"unit {unit + 1}") == 2, before
    for run in manifest["runs"]:
        if run["model"] == "closed":
            assert f"closed {run['arm']} {run['repetition'] + 1}" in before
    assert before[-1] == "the end"
    taken = [
        reset["rows_added"]["orders"]
        for reset in record["resets"]
        if reset["before"].startswith("unit ") and reset["before"] != "unit 1"
    ]
    assert taken and all(rows > 0 for rows in taken)  # every unit checked out, and it went
    assert record["undeclared"] == []  # the declaration names every table the run wrote
