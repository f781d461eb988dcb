"""``perfproof report`` on a real quick run with one thing made impossible: refused, never judged.

Each test copies the session's real run (``quick_run``), breaks one file the
way a hand edit, a bad disk or a buggy writer would, and runs the command:
exit 2, one line on stderr naming the file, the line or field and the
problem, and no verdicts.json, verdicts.md or report.html left behind — not
even the ones an earlier report wrote, which judged other data.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reports import cli
from reports.run_schema import REPORT_OUTPUTS
from tests.reports.refusal import one_line_refusal, run_command

SERIES = "orders.list_for_user[heavy]"


@pytest.fixture
def run(quick_run: Path, tmp_path: Path) -> Path:
    """A copy of the real quick run, with the report bench wrote for it."""
    copy = Path(shutil.copytree(quick_run, tmp_path / quick_run.name))
    assert all((copy / name).is_file() for name in REPORT_OUTPUTS)
    return copy


def _report(run: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run(cli.build_parser("perfproof report").parse_args(["--run", str(run)]))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(run: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one line of a refusal; the report's files of that run are all gone."""
    code, out, err = _report(run, capsys)
    assert code == 2, out + err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert not [name for name in REPORT_OUTPUTS if (run / name).exists()]
    return err.strip()


def _tidy(run: Path) -> pd.DataFrame:
    return pd.read_csv(run / "tidy.csv", dtype=str, keep_default_na=False)


def _times(frame: pd.DataFrame) -> pd.Series:
    return (frame["series"] == SERIES) & (frame["metric"] == "time")


def _edited(run: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> int:
    """Rewrite tidy.csv through ``edit``; the line of the series' first time."""
    frame = _tidy(run)
    line = int(frame.index[_times(frame)][0]) + 2
    edit(frame).to_csv(run / "tidy.csv", index=False)
    return line


def _every_time(text: Callable[[str], str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_times(frame), "value"] = frame.loc[_times(frame), "value"].map(text)
        return frame

    return edit


def _first_time(text: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[_times(frame)][0], "value"] = text
        return frame

    return edit


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_every_time(lambda v: f"-{v}"), "value -0.0"),
        (_every_time(lambda _v: "0"), "value 0 s: a time must be finite and > 0 s"),
        (_first_time("nan"), "value nan s: a time must be finite and > 0 s"),
        (_first_time("inf"), "value inf s: a time must be finite and > 0 s"),
        (_first_time("-0.001"), "value -0.001 s: a time must be finite and > 0 s"),
        (_first_time("fast"), "value 'fast' is not a number"),
    ],
    ids=["negated", "zeroed", "one-nan", "one-inf", "one-negative", "one-text"],
)
def test_an_impossible_time_refuses_the_run(
    run: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    problem: str,
) -> None:
    line = _edited(run, edit)
    err = _refused(run, capsys)
    assert err.startswith(f"error: {run}/tidy.csv: line {line} (queries {SERIES} @")
    assert f", time): {problem}" in err


@pytest.mark.parametrize("column", ["value", "metric", "arm", "series"])
def test_a_tidy_table_without_a_column_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str], column: str
) -> None:
    _edited(run, lambda frame: frame.drop(columns=[column]))
    assert _refused(run, capsys) == (
        f"error: {run}/tidy.csv: no column {column}: an older result format, or not a perfproof "
        "tidy table (removed the earlier verdicts.json, verdicts.md, report.html: they judged "
        "other data)"
    )


def _json_edit(path: Path, edit: Callable[[Any], Any]) -> None:
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))


def test_a_manifest_whose_scales_is_a_number_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _json_edit(run / "manifest.json", lambda manifest: {**manifest, "scales": 3})
    assert _refused(run, capsys).startswith(
        f"error: {run}/manifest.json: scales: input should be a valid list (found 3)"
    )


@pytest.mark.parametrize(
    ("checks", "field"),
    [
        ({"checks": {"slow-query": True}}, "checks: input should be a valid list"),
        ({"results": []}, "checks: field required"),
        ({"checks": [{"id": "ttl", "passed": "yes"}]}, "checks[0].passed: input should be a"),
    ],
)
def test_a_checks_file_of_another_shape_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str], checks: dict[str, Any], field: str
) -> None:
    (run / "checks.json").write_text(json.dumps(checks))
    assert _refused(run, capsys).startswith(f"error: {run}/checks.json: {field}")


def _load_run(run: Path) -> Path:
    (found,) = (run / "load").glob("*/manifest.json")
    return found.parent


def test_a_garbled_histogram_is_refused(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _load_run(run) / "load-open-all-on-0.json"
    document = json.loads(path.read_text())
    route = sorted(document["measured"]["routes"])[0]
    document["measured"]["routes"][route]["service"] = "HISTFAAAAB"
    path.write_text(json.dumps(document))
    assert _refused(run, capsys).startswith(
        f"error: {path}: measured.routes[{route!r}].service: not an HDR histogram ("
    )


def test_a_histogram_that_disagrees_with_its_route_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _load_run(run) / "load-closed-all-on-0.json"
    document = json.loads(path.read_text())
    route = sorted(document["measured"]["routes"])[0]
    counted = document["measured"]["routes"][route]["requests"]
    document["measured"]["routes"][route]["requests"] = counted + 1
    path.write_text(json.dumps(document))
    assert _refused(run, capsys).startswith(
        f"error: {path}: measured.routes[{route!r}].service: a histogram of {counted} requests, "
        f"and the route counted {counted + 1}"
    )


def test_a_negative_round_in_pytest_benchmarks_json_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def negated(document: dict[str, Any]) -> dict[str, Any]:
        document["benchmarks"][1]["stats"]["data"][2] *= -1
        return document

    _json_edit(run / "benchmarks-tiny.json", negated)
    assert _refused(run, capsys).startswith(
        f"error: {run}/benchmarks-tiny.json: benchmarks[1].stats.data[2]: input should be "
        "greater than 0"
    )


def test_a_fault_scenario_with_more_failures_than_requests_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = (run / "faults").glob("*/faults.json")

    def more_failures(document: dict[str, Any]) -> dict[str, Any]:
        document["scenarios"][0]["phases"]["during"]["failures"] = 10**6
        return document

    _json_edit(path, more_failures)
    assert _refused(run, capsys).startswith(
        f"error: {path}: scenarios[0].phases.during: 1000000 failures of "
    )


def test_a_finished_run_missing_a_file_it_lists_is_refused(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run / "checks.json").unlink()
    assert _refused(run, capsys).startswith(
        f"error: {run}/manifest.json: files: lists checks.json, which the folder lacks"
    )


def test_an_unfinished_run_may_lack_what_it_listed_and_says_no_evidence(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run / "checks.json").unlink()
    _json_edit(
        run / "manifest.json", lambda manifest: {**manifest, "finished": False, "interrupted": True}
    )
    code, out, _ = _report(run, capsys)
    assert code == 0
    assert "orders-index" in out and "NO EVIDENCE" in out
    verdicts = json.loads((run / "verdicts.json").read_text())["verdicts"]
    assert {v["verdict"] for v in verdicts if v["statistic"]} == {"no evidence"}


def test_an_absent_series_is_no_evidence_for_its_claim_alone(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edited(run, lambda frame: frame[frame["series"] != SERIES])
    code, _, err = _report(run, capsys)
    assert code == 0, err
    verdicts = {v["id"]: v for v in json.loads((run / "verdicts.json").read_text())["verdicts"]}
    assert verdicts["orders-index"]["verdict"] == "no evidence"
    assert SERIES in verdicts["orders-index"]["reason"]
    assert verdicts["wallet-index"]["verdict"] != "no evidence"


def test_the_real_command_refuses_in_one_line_without_a_traceback(run: Path) -> None:
    _edited(run, _every_time(lambda _v: "0"))
    done = run_command("reports", "--run", run)
    assert f"{run}/tidy.csv: line " in one_line_refusal(done)
    assert not [name for name in REPORT_OUTPUTS if (run / name).exists()]


@pytest.mark.parametrize(("used", "problem"), [(-3, "found -3"), (23.5, "found 23.5"), (99, "99 ")])
def test_a_count_a_claim_is_judged_by_must_be_a_count(
    run: Path, capsys: pytest.CaptureFixture[str], used: float, problem: str
) -> None:
    def edited(document: dict[str, Any]) -> dict[str, Any]:
        (indexes,) = [check for check in document["checks"] if check["id"] == "indexes"]
        indexes["observed"]["used"] = used
        return document

    _json_edit(run / "checks.json", edited)
    err = _refused(run, capsys)
    assert err.startswith(f"error: {run}/checks.json: checks[")
    assert "]: observed.used: " in err and problem in err
