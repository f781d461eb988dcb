"""A target's claims name the target's own arms, requests and checks; evidence the target
does not declare is said, with the key that would provide it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfproof.targets.target_claims import check_claims
from perfproof.targets.target_file import TargetError, load_target


def test_the_documented_claims_are_read_with_what_each_compares(shop: Path) -> None:
    claims = check_claims(load_target(shop))
    assert [(c.id, c.statistic) for c in claims] == [
        ("search-latency", "paired_reduction"),
        ("db-load", "paired_reduction"),
        ("search-works", "check"),
    ]
    assert (
        claims[0].said
        == "paired_reduction of intended_mean, no-index -> indexed, on ALL, open model"
    )
    assert not any(claim.missing for claim in claims)


def test_evidence_the_target_does_not_declare_is_named_by_its_key(shop: Path) -> None:
    shop.write_text(re.sub(r'postgres_url = "[^"]*"\n', "", shop.read_text()))
    shop.write_text(shop.read_text().replace('sql = "SELECT count(*) FROM items"', "rows = 5"))
    (db_load,) = [c for c in check_claims(load_target(shop)) if c.id == "db-load"]
    assert db_load.missing == (
        "needs PostgreSQL's pg_stat_statements: declare evidence.postgres_url, or the run says "
        "no evidence"
    )


BAD_CLAIMS = [
    ('baseline = "no-index"', 'baseline = "no-idx"', "search-latency", "baseline",
     "no arm 'no-idx' in the target (its arms: indexed, no-index, no-cache)"),
    ('check = "search-answers"', 'check = "search"', "search-works", "check",
     "'search' is not a [[checks]] entry"),
    ("at_least = 0.6", 'at_least = "60 %"', "search-latency", "at_least", "must be a number"),
    ('series = ["ALL"]', "series = 5", "search-latency", "series", "a request name"),
    ("at_least = 0.6", "between = 5", "search-latency", "between", "[low, high]"),
    ('candidate = "indexed"', 'candidate = "no-index"', "search-latency", "candidate",
     "the same arm as the baseline"),
    ("at_least = 0.6", 'at_least = 0.6\nprecision = "very"', "search-latency", "precision",
     "half-width"),
    ("at_least = 0.6", "at_least = 0.6\nmodels = 7", "search-latency", "models", "closed"),
    ("at_least = 0.6", 'at_least = 0.6\nmodels = ["open", "closed"]', "search-latency",
     "models", "judged in one model"),
    ("at_least = 0.6", 'at_least = 0.6\nmodels = ["closed"]', "search-latency", "metric",
     "in the closed model use latency_mean"),
    ('check = "search-answers"', 'check = "search-answers"\nat_least = 1', "search-works",
     "at_least", "takes no number"),
    ("at_least = 0.6", "at_least = 0.6\nbetween = [0.4, 0.6]", "search-latency", "give",
     "exactly one"),
    ('metric = "db_statements_per_request"', 'metric = "portal_hit_ratio"', "db-load", "metric",
     "the reference portal's own counter"),
    ('statistic = "check"', 'statistic = "absolute_reduction"', "search-works", "statistic",
     "growth mode"),
    ('statistic = "check"', 'statistic = "mean"', "search-works", "statistic", "unknown"),
    ('at_least = 0.6', 'at_least = 0.6\nprecison = 0.1', "search-latency", "precison",
     "takes no such key"),
    ("at_least = 0.6", "at_least = 60", "search-latency", "at_least",
     "60 is above 1: a claim is a share (0.8 is 80 %)"),
    ('metric = "db_statements_per_request"', 'metric = "hitratio"', "db-load", "metric",
     "'hitratio' unknown (a target's paired_reduction takes: intended_mean, latency_mean, "
     "db_statements_per_request)"),
    ('metric = "db_statements_per_request"', 'metric = "latency_p99"', "db-load", "metric",
     "'latency_p99' not judged per window for a target"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "claim", "key", "words"), BAD_CLAIMS)
def test_a_bad_claim_is_refused_naming_the_claims_file_the_claim_and_the_key(
    shop: Path, old: str, new: str, claim: str, key: str, words: str
) -> None:
    claims = shop.parent / "claims.toml"
    claims.write_text(claims.read_text().replace(old, new, 1))
    with pytest.raises(TargetError) as refused:
        check_claims(load_target(shop))
    assert str(refused.value).startswith(f"{claims}: claim {claim}: {key}"), str(refused.value)
    assert words in str(refused.value)


def test_a_declared_mix_names_its_requests_for_the_load_claims(shop: Path) -> None:
    text = shop.read_text()
    text = text.replace('locustfile = "locustfile.py"   # yours, unchanged', "")
    shop.write_text(text + '\n[[load.requests]]\nname = "search"\npath = "/search"\n')
    claims = shop.parent / "claims.toml"
    claims.write_text(claims.read_text().replace('series = ["ALL"]', 'series = ["serch"]', 1))
    with pytest.raises(TargetError, match=r"series: no request 'serch' in \[\[load.requests\]\]"):
        check_claims(load_target(shop))
