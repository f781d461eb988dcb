"""Two witnesses of one figure: the verdict's, and the other party's count beside it.

Synthetic run folders with a known answer: the portal's cache counters that
agree with the ``X-Cache`` headers, and a portal that counts every hit twice;
the claims file choosing the portal's counters as the verdict's witness; a
witness that is missing says why; the statement counters beside
``pg_stat_statements`` for ``db-load``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reports.claims import load_claims
from reports.evaluate import judge
from reports.verdict_output import markdown, terminal_lines
from reports.witnesses import BY_METRIC, GROUPS, describe, others
from tests.reports.test_evaluate import DB_LOAD, HIT_RATIO, claim_file, db_rows, folder, load_rows

HEADERS = (0.72, 0.70, 0.74, 0.71, 0.73, 0.69, 0.72, 0.75)  # X-Cache, per all-on window


def hit_rows(portal_hits_per_hit: float) -> list[dict[str, Any]]:
    """Windows of 1,000 lookups; the portal counts each hit ``portal_hits_per_hit`` times."""
    rows = []
    for unit, ratio in enumerate(HEADERS):
        hits, misses = 1000 * ratio * portal_hits_per_hit, 1000 * (1 - ratio)
        rows += load_rows("all-on", "open", unit, hit_ratio=ratio,
                          portal_hit_ratio=hits / (hits + misses))  # fmt: skip
    return rows


def test_counters_that_agree_are_shown_beside_the_verdict_s_and_not_flagged(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    verdict = judge(claim, folder(tmp_path, hit_rows(1.0)))
    used, beside, redis = verdict.details["witnesses"]
    assert (used["metric"], beside["metric"]) == ("hit_ratio", "portal_hit_ratio")
    assert "missing" in redis  # no Redis counts in these windows: said, not flagged
    assert beside["value"] == pytest.approx(used["value"]) and beside["agrees"] is True
    assert verdict.details["witnesses_disagree"] == []
    assert verdict.verdict == "met"


def test_a_portal_that_counts_every_hit_twice_is_flagged(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    verdict = judge(claim, folder(tmp_path, hit_rows(2.0)))
    used, beside, _ = verdict.details["witnesses"]
    assert used["value"] == pytest.approx(sum(HEADERS) / len(HEADERS))
    assert beside["value"] == pytest.approx(0.838, abs=0.005)  # 2h / (2h + m) at h = 0.72
    assert beside["agrees"] is False
    assert verdict.details["witnesses_disagree"] == ["the portal's cache counters"]
    assert verdict.verdict == "met"  # judged by X-Cache, the claims file's default
    lines = describe(verdict.details, lambda f: f"{f * 100:.1f} %")
    assert lines[1].startswith("the portal's cache counters (beside it): 83.")
    assert lines[1].endswith("DISAGREES beyond both intervals")
    assert any("witnesses disagree" in line for line in terminal_lines([verdict]))
    assert "witnesses disagree" in markdown([verdict], run="r", title="t")


def test_the_claims_file_names_the_witness_the_verdict_uses(tmp_path: Path) -> None:
    text = HIT_RATIO + 'metric = "portal_hit_ratio"\nmodels = ["open"]\n'
    claim = load_claims(claim_file(tmp_path, text)).claims[0]
    verdict = judge(claim, folder(tmp_path, hit_rows(2.0)))
    assert verdict.verdict == "exceeded"  # the double count, now the verdict's witness
    used, beside, _ = verdict.details["witnesses"]
    assert (used["metric"], beside["metric"]) == ("portal_hit_ratio", "hit_ratio")


def test_a_missing_witness_says_why_and_the_verdict_stands(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    rows = [r for r in hit_rows(1.0) if r["metric"] == "hit_ratio"]
    verdict = judge(claim, folder(tmp_path, rows))
    beside = verdict.details["witnesses"][1]
    assert "PORTAL_MONITORING=off" in beside["missing"] and beside["agrees"] is None
    assert verdict.verdict == "met" and verdict.details["witnesses_disagree"] == []


def test_statement_counters_witness_db_load_beside_pg_stat_statements(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    for row in list(rows):  # the portal counts its queries alone: a third of PostgreSQL's
        rows.append({**row, "metric": "portal_statements_per_request", "value": row["value"] / 3})
    verdict = judge(claim, folder(tmp_path, rows))
    used, beside = verdict.details["witnesses"]
    assert beside["metric"] == "portal_statements_per_request"
    assert beside["value"] == pytest.approx(used["value"]) and beside["agrees"] is True


def test_every_witness_belongs_to_one_figure_and_names_who_counted() -> None:
    metrics = [w.metric for group in GROUPS for w in group]
    assert len(metrics) == len(set(metrics)) == len(BY_METRIC)
    assert [w.metric for w in others("hit_ratio")] == ["portal_hit_ratio", "redis_hit_ratio"]
    assert [w.compared for w in others("hit_ratio")] == [True, False]
    assert others("intended_mean") == ()
    assert all(w.name for w in BY_METRIC.values())


def test_with_several_portal_workers_agreement_is_not_judged(tmp_path: Path) -> None:
    """The workers not answering /metrics publish their counts every sampling period."""
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    run = folder(tmp_path, hit_rows(2.0), manifest={"portal_workers": 2})
    verdict = judge(claim, run)
    assert verdict.details["witnesses"][1]["agrees"] is None
    assert verdict.details["witnesses_disagree"] == []


def test_a_witness_that_cannot_be_computed_is_missing_not_a_crash(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    rows = db_rows(4, ratio=0.3)
    for row in list(rows):  # a portal whose statement counter read zero everywhere
        rows.append({**row, "metric": "portal_statements_per_request", "value": 0.0})
    verdict = judge(claim, folder(tmp_path, rows))
    assert verdict.verdict == "met"  # the verdict's own witness: a 70 % reduction, claimed 50 %
    assert "missing" in verdict.details["witnesses"][1]


def test_redis_keyspace_counts_are_shown_for_context_and_never_flagged(tmp_path: Path) -> None:
    """One MGET reads the entry and its version tokens: Redis counts far more hits."""
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    rows = hit_rows(1.0)
    rows += [{**row, "metric": "redis_hit_ratio", "value": 0.95} for row in hit_rows(1.0)
             if row["metric"] == "hit_ratio"]  # fmt: skip
    verdict = judge(claim, folder(tmp_path, rows))
    redis = next(w for w in verdict.details["witnesses"] if w["metric"] == "redis_hit_ratio")
    assert redis["value"] == pytest.approx(0.95) and redis["agrees"] is None
    assert verdict.details["witnesses_disagree"] == []
    assert "not compared" in describe(verdict.details, str)[2]


def test_the_report_lists_each_witness_with_its_interval(tmp_path: Path) -> None:
    import html

    from reports.claims import ClaimsFile
    from reports.page.html import render

    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    run = folder(tmp_path, hit_rows(2.0))
    claims = ClaimsFile(path=tmp_path / "claims.toml", title="t", source="", claims=(claim,))
    page = html.unescape(render(run, claims, [judge(claim, run)]))
    page = page.replace("\N{NO-BREAK SPACE}", " ")
    assert "Witnesses (they disagree beyond both intervals):" in page
    assert "X-Cache headers (the generator) (verdict's): 72.0 % [" in page
    assert "(no interval)" not in page
