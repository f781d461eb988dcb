"""An index claim at every size its series was measured at, and at the size it was made at.

Synthetic growth rounds with a known answer: the unindexed query takes 10 µs per
order, the indexed one 1 ms flat, so the reduction at n orders is 1 - 100 / n:
80 % at 500 orders, 95 % at 2,000, 98.75 % at 8,000 (an ``at_least = 0.9``
claim is not met at the first size and met at the others). Between measured
sizes the growth fit interpolates (97.5 % at 4,000); beyond them it
extrapolates, and says so.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from reports.claims import ClaimsError, load_claims
from reports.evaluate import judge
from reports.verdict_output import markdown, terminal_lines
from tests.reports.test_evaluate import SERIES, claim_file, folder, query_rows

SIZES = {"tiny": 500, "small": 2_000, "medium": 8_000}


def rows_at(sizes: dict[str, int]) -> list[dict[str, Any]]:
    found = []
    for seed, (scale, size) in enumerate(sizes.items()):
        found += query_rows(SERIES, 1e-5 * size, 0.001, rows=size, scale=scale, seed=seed)
    return found


def claim(tmp_path: Path, extra: str = "") -> Any:
    text = f"""[[claims]]
id = "orders-index"
quote = "q"
statistic = "median_reduction"
suite = "queries"
series = "{SERIES}"
baseline = "unindexed"
candidate = "indexed"
at_least = 0.9
{extra}"""
    return load_claims(claim_file(tmp_path, text)).claims[0]


def test_each_measured_size_has_its_own_verdict(tmp_path: Path) -> None:
    verdict = judge(claim(tmp_path), folder(tmp_path, rows_at(SIZES),
                                            manifest={"scales": ["small"]}))  # fmt: skip
    assert verdict.verdict == "met" and verdict.conditions.rows == 2_000  # the run's scale
    sizes = verdict.details["by_size"]
    assert [(s["rows"], s["scale"], s["verdict"]) for s in sizes] == [
        (500, "tiny", "not met"), (2_000, "small", "met"), (8_000, "medium", "met")
    ]  # fmt: skip
    assert [s["value"] for s in sizes] == pytest.approx([0.80, 0.95, 0.9875], abs=0.01)
    line = next(x for x in terminal_lines([verdict]) if "by size" in x)
    assert "not met at 500" in line and "met at 2,000, 8,000" in line
    assert "by size" in markdown([verdict], run="r", title="t")


def test_a_claim_made_at_an_unmeasured_size_is_interpolated_from_the_growth_fit(
    tmp_path: Path,
) -> None:
    verdict = judge(claim(tmp_path, "at_rows = 4000"), folder(tmp_path, rows_at(SIZES)))
    assert verdict.measured == pytest.approx(0.975, abs=0.005)
    assert verdict.low is not None and verdict.low > 0.9 and verdict.verdict == "met"
    assert verdict.details["interpolated"] is True and verdict.conditions.rows == 4_000
    assert not verdict.conditions.extrapolation
    assert "growth fit at 4,000 rows" in verdict.method


def test_beyond_the_measured_sizes_it_is_an_extrapolation_and_says_so(tmp_path: Path) -> None:
    verdict = judge(claim(tmp_path, "at_rows = 1000000"), folder(tmp_path, rows_at(SIZES)))
    assert verdict.measured == pytest.approx(0.9999, abs=0.001)
    assert verdict.conditions.extrapolation and "(extrapolated)" in verdict.conditions.size()
    assert "(extrap.)" in verdict.conditions.short()


def test_a_claim_made_at_a_measured_size_is_that_size_s_verdict(tmp_path: Path) -> None:
    verdict = judge(claim(tmp_path, "at_rows = 500"), folder(tmp_path, rows_at(SIZES)))
    assert verdict.verdict == "not met" and verdict.conditions.rows == 500
    assert verdict.measured == pytest.approx(0.80, abs=0.01)
    assert verdict.details["interpolated"] is False


def test_too_few_sizes_for_a_fit_is_no_evidence_that_says_what_to_run(tmp_path: Path) -> None:
    two = {"tiny": 500, "small": 2_000}
    verdict = judge(claim(tmp_path, "at_rows = 4000"), folder(tmp_path, rows_at(two)))
    assert verdict.verdict == "no evidence"
    assert "4,000 rows" in verdict.reason and "--scaling" in verdict.reason


@pytest.mark.parametrize("value", ["0", "1.5", "true", '"big"'])
def test_at_rows_must_be_a_whole_number_of_rows(tmp_path: Path, value: str) -> None:
    with pytest.raises(ClaimsError, match="at_rows is a number of rows"):
        claim(tmp_path, f"at_rows = {value}")


def test_the_report_shows_which_sizes_meet_the_claim_and_names_a_fitted_size(
    tmp_path: Path,
) -> None:
    from reports.claims import ClaimsFile
    from reports.page.html import render

    for extra, said in (("", "the growth mode's sizes"),
                        ("at_rows = 4000", "made at 4,000 rows: its verdict above is that "
                         "size's, from the growth fit of both arms")):  # fmt: skip
        judged = claim(tmp_path, extra)
        run = folder(tmp_path, rows_at(SIZES), manifest={"scales": ["small"]})
        claims = ClaimsFile(path=tmp_path / "claims.toml", title="t", source="", claims=(judged,))
        page = html.unescape(render(run, claims, [judge(judged, run)]))
        assert "Per data size: which sizes meet the claim" in page and said in page
        assert page.count("not met") >= 1 and "8,000" in page


def test_one_measured_size_gives_no_per_size_table(tmp_path: Path) -> None:
    one = {"small": 2_000}
    verdict = judge(claim(tmp_path), folder(tmp_path, rows_at(one), manifest={"scales": ["small"]}))
    assert verdict.details["by_size"] == [] and verdict.verdict == "met"
