"""The fault scenario table: docs/faults.md documents each scenario the runner can run."""

from __future__ import annotations

from pathlib import Path

from loadtests.faults.scenarios import FAULT_SCENARIOS

PAGE = (Path(__file__).resolve().parents[3] / "docs" / "faults.md").read_text()


def test_the_faults_page_has_a_row_per_scenario_with_what_must_hold() -> None:
    rows = {
        line.split("|")[1].strip(): line for line in PAGE.splitlines() if line.startswith("| `")
    }
    for scenario in FAULT_SCENARIOS:
        row = rows.get(f"`{scenario.name}`")
        assert row is not None, scenario.name
        if scenario.during == "none":
            assert "no request fails" in row, row
        else:
            assert f"{scenario.recover_within_s:g} s" in row, row


def test_names_are_unique_and_recovery_bounds_positive_where_failures_are_allowed() -> None:
    names = [scenario.name for scenario in FAULT_SCENARIOS]
    assert len(names) == len(set(names))
    for scenario in FAULT_SCENARIOS:
        assert (scenario.during == "none") == (scenario.recover_within_s == 0.0), scenario
