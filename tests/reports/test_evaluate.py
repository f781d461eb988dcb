"""Claims judged against synthetic run folders whose true effects are known.

The rows below are made up by the test (seeded draws around chosen medians),
so each verdict has one right answer; the real run's verdicts are checked in
``page/test_html.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks.manifest import Manifest
from reports.claims import ClaimsError, load_claims
from reports.evaluate import judge
from reports.run_folder import RunFolder

SERIES = "orders.list_for_user[heavy]"


def query_rows(
    series: str,
    unindexed_s: float,
    indexed_s: float,
    *,
    rows: int = 1000,
    scale: str = "tiny",
    rounds: int = 20,
    seed: int = 1,
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    found = []
    for arm, indexes, median in (("unindexed", "off", unindexed_s), ("indexed", "on", indexed_s)):
        for number, value in enumerate(rng.lognormal(np.log(median), 0.05, rounds)):
            found.append(
                {
                    "suite": "queries",
                    "series": series,
                    "arm": arm,
                    "indexes": indexes,
                    "variant": "heavy",
                    "scale": scale,
                    "rows": rows,
                    "size_table": "orders",
                    "repetition": 1,
                    "round": number,
                    "metric": "time",
                    "value": float(value),
                }
            )
    return found


def load_rows(arm: str, model: str, repetition: int, **metrics: float) -> list[dict[str, Any]]:
    return [
        {
            "suite": "load",
            "series": "ALL",
            "arm": arm,
            "variant": model,
            "scale": "tiny",
            "rows": 1000,
            "repetition": repetition,
            "round": 0,
            "metric": metric,
            "value": value,
        }
        for metric, value in metrics.items()
    ]


def folder(tmp_path: Path, rows: list[dict[str, Any]], **extra: Any) -> RunFolder:
    return RunFolder(
        path=tmp_path,
        manifest=Manifest.model_validate(
            {"finished": True, "scales": ["tiny"], **extra.pop("manifest", {})}
        ),
        tidy=pd.DataFrame(rows),
        growth=None,
        load_path=None,
        load_manifest=None,
        validity=extra.pop("validity", None),
        checks=extra.pop("checks", None),
        faults=extra.pop("faults", None),
    )


def claim_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "claims.toml"
    path.write_text(body)
    return path


def orders_claim(tmp_path: Path, value: str) -> Any:
    text = f"""[[claims]]
id = "c"
quote = "q"
statistic = "median_reduction"
suite = "queries"
series = "{SERIES}"
baseline = "unindexed"
candidate = "indexed"
{value}
"""
    return load_claims(claim_file(tmp_path, text)).claims[0]


@pytest.mark.parametrize(
    ("claimed", "word"),
    [
        ("at_least = 0.999", "not met"),  # a 1000x speed-up: the run shows 2x
        ("at_least = 0.0", "met"),  # trivially easy
        ("between = [0.3, 0.45]", "exceeded"),
        ("between = [0.45, 0.9]", "met"),
        ("at_least = 0.5", "inconclusive"),  # the truth sits on the bound
    ],
)
def test_a_known_halving_is_judged_by_the_rules(tmp_path: Path, claimed: str, word: str) -> None:
    run = folder(tmp_path, query_rows(SERIES, unindexed_s=0.010, indexed_s=0.005))
    verdict = judge(orders_claim(tmp_path, claimed), run)
    assert verdict.verdict == word, verdict
    assert verdict.measured == pytest.approx(0.5, abs=0.03)
    assert verdict.n == 20 and verdict.unit == "benchmark rounds"


def test_a_missing_series_is_no_evidence_never_met(tmp_path: Path) -> None:
    run = folder(tmp_path, query_rows("wallet.for_user[heavy]", 0.01, 0.005))
    verdict = judge(orders_claim(tmp_path, "at_least = 0.0"), run)
    assert verdict.verdict == "no evidence"
    assert "has no unindexed rounds" in verdict.reason


def test_a_run_without_the_suite_is_no_evidence(tmp_path: Path) -> None:
    verdict = judge(orders_claim(tmp_path, "at_least = 0.0"), folder(tmp_path, []))
    assert verdict.verdict == "no evidence" and "did not run" in verdict.reason


def test_an_unfinished_run_is_no_evidence_whatever_it_measured(tmp_path: Path) -> None:
    run = folder(
        tmp_path,
        query_rows(SERIES, 0.010, 0.001),
        manifest={"finished": False, "interrupted": True},
    )
    verdict = judge(orders_claim(tmp_path, "at_least = 0.0"), run)
    assert verdict.verdict == "no evidence" and "interrupted" in verdict.reason


def test_the_largest_scale_of_the_run_is_the_one_judged(tmp_path: Path) -> None:
    rows = query_rows(SERIES, 0.010, 0.009, scale="small", rows=1000)
    rows += query_rows(SERIES, 1.0, 0.01, scale="large", rows=10**6)
    run = folder(tmp_path, rows, manifest={"scales": ["small", "large"]})
    verdict = judge(orders_claim(tmp_path, "at_least = 0.85"), run)
    assert verdict.scale == "large" and verdict.verdict == "met"


DB_LOAD = """[[claims]]
id = "db-load"
quote = "q"
statistic = "paired_reduction"
suite = "load"
series = "ALL"
baseline = "no-cache"
candidate = "all-on"
metric = "db_statements_per_request"
models = ["closed", "open"]
at_least = 0.5
"""


def db_rows(repetitions: int, ratio: float) -> list[dict[str, Any]]:
    rows = []
    for repetition in range(repetitions):
        for model in ("closed", "open"):
            base = 3.5 + 0.1 * repetition
            rows += load_rows("no-cache", model, repetition, db_statements_per_request=base)
            rows += load_rows(
                "all-on",
                model,
                repetition,
                db_statements_per_request=base * ratio * (1 + 0.01 * repetition),
            )
    return rows


def test_load_figures_are_judged_over_paired_units(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    verdict = judge(claim, folder(tmp_path, db_rows(3, ratio=0.3)))
    assert verdict.verdict == "met"  # a known 70 % reduction against a 50 % claim
    assert verdict.measured == pytest.approx(0.7, abs=0.01)
    assert (
        verdict.n == 6 and verdict.unit == "paired units (one window per arm, arms in random order)"
    )


def test_an_invalid_comparison_is_left_out_and_said(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    validity = {
        "comparisons": [
            {
                "model": "open",
                "repetition": 0,
                "valid": False,
                "problems": ["all-on: the portal server died"],
            }
        ]
    }
    verdict = judge(claim, folder(tmp_path, db_rows(3, ratio=0.3), validity=validity))
    assert verdict.n == 5
    assert verdict.details["dropped"] == ["open unit 0: all-on: the portal server died"]


def test_when_the_guard_throws_out_every_comparison_there_is_no_evidence(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, DB_LOAD)).claims[0]
    validity = {
        "comparisons": [
            {"model": m, "repetition": 0, "valid": False, "problems": ["generator saturated"]}
            for m in ("closed", "open")
        ]
    }
    verdict = judge(claim, folder(tmp_path, db_rows(1, ratio=0.3), validity=validity))
    assert verdict.verdict == "no evidence"
    assert "validity guard marked every comparison invalid" in verdict.reason


def test_one_repetition_gives_no_interval_and_so_no_verdict_but_inconclusive(
    tmp_path: Path,
) -> None:
    text = DB_LOAD.replace('models = ["closed", "open"]', 'models = ["open"]')
    claim = load_claims(claim_file(tmp_path, text)).claims[0]
    verdict = judge(claim, folder(tmp_path, db_rows(1, ratio=0.3)))
    assert verdict.verdict == "inconclusive" and verdict.low is None
    assert "too few for an interval" in verdict.reason


def test_a_baseline_too_spread_for_a_bounded_interval_says_so_not_too_few(
    tmp_path: Path,
) -> None:
    """Seven units whose baseline means swing from 7 to 130 ms (a quick run's, measured):
    Fieller's set has no ends, and the reason says why rather than blaming n."""
    text = DB_LOAD.replace('models = ["closed", "open"]', 'models = ["open"]')
    claim = load_claims(claim_file(tmp_path, text)).claims[0]
    baseline = [8.8, 7.3, 8.2, 84.7, 130.6, 40.2, 38.1]
    candidate = [4.6, 6.1, 4.7, 5.3, 6.5, 5.7, 4.9]
    rows = []
    for unit, (base, cand) in enumerate(zip(baseline, candidate, strict=True)):
        rows += load_rows("no-cache", "open", unit, db_statements_per_request=base)
        rows += load_rows("all-on", "open", unit, db_statements_per_request=cand)
    verdict = judge(claim, folder(tmp_path, rows))
    assert verdict.verdict == "inconclusive" and verdict.low is None and verdict.n == 7
    assert "no bounded interval" in verdict.reason and "too few" not in verdict.reason


HIT_RATIO = """[[claims]]
id = "cache-hit-ratio"
quote = "q"
statistic = "level"
arm = "all-on"
between = [0.70, 0.80]
"""


def test_a_hit_ratio_level_over_runs(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0]
    rows = [
        row
        for rep, value in enumerate((0.90, 0.91, 0.92))
        for row in load_rows("all-on", "open", rep, hit_ratio=value)
    ]
    verdict = judge(claim, folder(tmp_path, rows))
    assert verdict.verdict == "exceeded" and verdict.measured == pytest.approx(0.91)


def test_a_functional_check_is_met_or_not_met_by_what_it_saw(tmp_path: Path) -> None:
    text = '[[claims]]\nid = "ttl"\nquote = "q"\nstatistic = "check"\ncheck = "ttl"\n'
    claim = load_claims(claim_file(tmp_path, text)).claims[0]
    for passed, word in ((True, "met"), (False, "not met")):
        checks = {
            "checks": [
                {
                    "id": "ttl",
                    "passed": passed,
                    "tried": "Read TTLs back.",
                    "observed": {},
                    "problems": [] if passed else ["wallet 60 s"],
                }
            ]
        }
        verdict = judge(claim, folder(tmp_path, [], checks=checks))
        assert verdict.verdict == word
        assert verdict.reason.startswith("Read TTLs back.")
    assert judge(claim, folder(tmp_path, [])).verdict == "no evidence"


def index_check(used: int, present: int = 22, **overrides: Any) -> dict[str, Any]:
    """checks.json as the indexes check writes it: the first ``used`` indexes in their plans."""
    names = [f"idx_{number}" for number in range(present)]
    tried = f"Ran each performance index's own query: {used} of {present} in their plans."
    check = {
        "id": "indexes",
        "passed": True,
        "tried": tried,
        "observed": {"present": present, "proved": present, "used": used,
                     "unused": names[used:]},
        "problems": [],
    }  # fmt: skip
    return {"checks": [check | overrides], "scale": "small"}


def test_the_indexes_claim_is_judged_by_its_number_and_names_the_unused(tmp_path: Path) -> None:
    """The write-up's "20+ strategic indexes", as the claims file states it: at least 20 used."""
    (claim,) = [claim for claim in load_claims().claims if claim.id == "indexes"]
    verdict = judge(claim, folder(tmp_path, [], checks=index_check(used=21)))
    assert (verdict.verdict, verdict.measured, verdict.claimed) == ("met", 21.0, "at least 20")
    assert verdict.reason.startswith(
        "21 of 22 indexes used by their queries at small, at least 20 claimed; unused: idx_21."
    )
    verdict = judge(claim, folder(tmp_path, [], checks=index_check(used=19)))
    assert verdict.verdict == "not met"
    assert "19 of 22" in verdict.reason and "unused: idx_19, idx_20, idx_21" in verdict.reason


def test_a_count_the_check_could_not_finish_is_no_evidence_never_low(tmp_path: Path) -> None:
    (claim,) = [claim for claim in load_claims().claims if claim.id == "indexes"]
    unfinished = index_check(used=21, passed=False, problems=["present but not proved: idx_3"])
    verdict = judge(claim, folder(tmp_path, [], checks=unfinished))
    assert verdict.verdict == "no evidence" and verdict.measured is None
    assert verdict.reason == (
        "no evidence: the indexes check did not count indexes used by their queries: "
        "present but not proved: idx_3"
    )


def fault_entry(name: str, failed_during: int) -> dict[str, Any]:
    phase = {"requests": 50, "failures": 0}
    return {
        "scenario": name,
        "passed": failed_during == 0,
        "problems": [f"{failed_during} requests failed during or after the fault (none may)"]
        if failed_during
        else [],
        "phases": {"before": phase, "during": {**phase, "failures": failed_during}, "after": phase},
    }


def test_a_check_with_scenarios_is_not_met_when_one_broke_under_load(tmp_path: Path) -> None:
    """Synthetic checks.json and faults.json: the check passed; the scenarios held or did not."""
    text = (
        '[[claims]]\nid = "fallback"\nquote = "q"\nstatistic = "check"\ncheck = "fallback"\n'
        'scenarios = ["redis-stopped", "redis-frozen"]\n'
    )
    claim = load_claims(claim_file(tmp_path, text)).claims[0]
    checks = {"checks": [{"id": "fallback", "passed": True, "tried": "Stopped Redis."}]}
    held = {"scenarios": [fault_entry("redis-stopped", 0), fault_entry("redis-frozen", 0)]}
    verdict = judge(claim, folder(tmp_path, [], checks=checks, faults=held))
    assert verdict.verdict == "met"
    assert "redis-frozen: 0 of 100 requests during and after the fault failed" in verdict.reason
    broke = {"scenarios": [fault_entry("redis-stopped", 0), fault_entry("redis-frozen", 7)]}
    verdict = judge(claim, folder(tmp_path, [], checks=checks, faults=broke))
    assert verdict.verdict == "not met" and "7 of 100" in verdict.reason
    # A run without fault scenarios is judged on the check alone, and says so.
    verdict = judge(claim, folder(tmp_path, [], checks=checks))
    assert verdict.verdict == "met" and "did not run" in verdict.reason
    only_one = {"scenarios": [fault_entry("redis-stopped", 0)]}
    verdict = judge(claim, folder(tmp_path, [], checks=checks, faults=only_one))
    assert "redis-frozen did not run" in verdict.reason


def test_a_claim_naming_an_unknown_scenario_is_refused(tmp_path: Path) -> None:
    text = (
        '[[claims]]\nid = "f"\nquote = "q"\nstatistic = "check"\ncheck = "fallback"\n'
        'scenarios = ["redis-stoped"]\n'
    )
    with pytest.raises(ClaimsError, match="unknown fault scenario 'redis-stoped'"):
        load_claims(claim_file(tmp_path, text))


def growth_rows(sizes: list[int]) -> list[dict[str, Any]]:
    """Unindexed 10 µs per order (1.3 s at 130,000 orders), indexed 1 ms flat."""
    rows = []
    for seed, size in enumerate(sizes):
        for row in query_rows(SERIES, 1e-5 * size, 0.001, rows=size, seed=seed):
            rows.append(row)
    return rows


ABSOLUTE = """[[claims]]
id = "orders-index-absolute"
quote = "q"
statistic = "absolute_reduction"
series = "orders.list_for_user[heavy]"
before_s = 1.3
after_s = 0.2
"""


def test_the_absolute_claim_is_judged_where_the_fit_says_1_3_s_is_and_flags_extrapolation(
    tmp_path: Path,
) -> None:
    claim = load_claims(claim_file(tmp_path, ABSOLUTE)).claims[0]
    verdict = judge(claim, folder(tmp_path, growth_rows([10_000, 30_000, 90_000])))
    assert verdict.verdict == "met"
    assert verdict.measured == pytest.approx(1 - 0.001 / 1.3, abs=0.001)
    assert verdict.extrapolation is True
    assert verdict.details["orders_rows"] == pytest.approx(130_000, rel=0.05)
    measured_past = judge(claim, folder(tmp_path, growth_rows([30_000, 90_000, 270_000])))
    assert measured_past.extrapolation is False


def test_the_absolute_claim_needs_three_sizes(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, ABSOLUTE)).claims[0]
    verdict = judge(claim, folder(tmp_path, growth_rows([10_000, 30_000])))
    assert verdict.verdict == "no evidence" and "3 or more data sizes" in verdict.reason


# db-load's claim, asking for the latency from the intended start in the open model only.
MISSING_LATENCY = DB_LOAD.replace("db_statements_per_request", "intended_mean").replace(
    'models = ["closed", "open"]', 'models = ["open"]'
)


def test_missing_load_evidence_names_what_the_run_lacked_and_how_to_get_it(
    tmp_path: Path,
) -> None:
    """A run whose windows carried no X-Cache header, and a closed-model-only run, asked for a
    hit ratio and a latency from the intended start: each reason names the missing source."""
    no_headers = [row for rep in range(3) for row in load_rows("all-on", "open", rep,
                                                               requests=100.0)]  # fmt: skip
    hits = judge(load_claims(claim_file(tmp_path, HIT_RATIO)).claims[0],
                 folder(tmp_path, no_headers))  # fmt: skip
    assert hits.verdict == "no evidence"
    assert "X-Cache header" in hits.reason and "cache off" in hits.reason
    closed = [row for rep in range(3) for arm in ("no-cache", "all-on")
              for row in load_rows(arm, "closed", rep, latency_mean=0.01)]  # fmt: skip
    latency = judge(load_claims(claim_file(tmp_path, MISSING_LATENCY)).claims[0],
                    folder(tmp_path, closed))  # fmt: skip
    assert latency.verdict == "no evidence"
    assert "open model only" in latency.reason and "--model closed" in latency.reason
