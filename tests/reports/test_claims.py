"""The claims file: the write-up's own loads whole, and a bad one is refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reports.claims import DEFAULT_CLAIMS, ClaimsError, load_claims
from reports.statistic_rows import DEFAULT_PRECISION
from reports.verdict_rule import Claimed

# The ids issue 12 names; products-index is one entry per product-filter series.
REQUIRED = {
    "orders-index", "orders-index-absolute", "wallet-index", "cart-index", "cache-hit-ratio",
    "cache-latency", "api-latency", "db-load", "memory", "slow-query", "fallback", "ttl",
    "x-cache", "invalidation", "indexes", "monitoring-endpoints",
}  # fmt: skip

GOOD = """
[[claims]]
id = "orders-index"
quote = "85% improvement"
statistic = "median_reduction"
suite = "queries"
series = "orders.list_for_user[heavy]"
baseline = "unindexed"
candidate = "indexed"
at_least = 0.85
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims.toml"
    path.write_text(text)
    return path


def test_the_write_ups_claims_load_with_every_required_id() -> None:
    claims = load_claims(DEFAULT_CLAIMS)
    ids = {claim.id for claim in claims.claims}
    assert ids >= REQUIRED
    from benchmarks.query_cases import CASES

    filters = {case.variant for case in CASES if case.operation == "products.search"}
    assert {f"products-index[{variant}]" for variant in filters} <= ids


def test_a_good_file_loads(tmp_path: Path) -> None:
    (claim,) = load_claims(write(tmp_path, GOOD)).claims
    assert (claim.baseline, claim.candidate, claim.statistic) == (
        "unindexed", "indexed", "median_reduction"
    )  # fmt: skip
    assert claim.claimed is not None and claim.claimed.low == 0.85


def test_every_claim_says_what_was_promised_or_why_it_cannot_be_measured() -> None:
    for claim in load_claims().claims:
        assert claim.quote
        if not claim.measurable:
            assert claim.reason
        elif claim.how is not None and not claim.how.functional:
            assert claim.claimed is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("at_least = 0.85", "at_least = 0.85\nthreshold = 3"), "unknown key 'threshold'"),
        (("orders.list_for_user[heavy]", "orders.list_for_users[heavy]"), "unknown series"),
        (('"median_reduction"', '"median_reductoin"'), "unknown statistic 'median_reductoin'"),
        (("at_least = 0.85", "between = [0.6, 0.4]"), "lo is above hi"),
        (("at_least = 0.85", ""), "give exactly one of at_least"),
        (("at_least = 0.85", "at_least = 85"), "is a fraction"),
        (('baseline = "unindexed"', 'baseline = "no-index"'), "unknown baseline arm 'no-index'"),
        (('candidate = "indexed"', 'candidate = "unindexed"'), "the same arm"),
        (('suite = "queries"', 'suite = "load"'), "reads suite queries or endpoints"),
        (("at_least = 0.85", 'at_least = "85 %"'), "must be a number"),
    ],
)
def test_a_bad_claim_is_refused_naming_the_file_the_claim_and_the_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ClaimsError) as refused:
        load_claims(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: claim orders-index: "), text
    assert message in text
    assert "\n" not in text


INDEXES = """
[[claims]]
id = "indexes"
quote = "20+ strategic indexes"
statistic = "check"
check = "indexes"
count = "used"
at_least = 20
"""


def test_a_functional_claim_with_a_number_holds_a_count_of_its_check_to_it(
    tmp_path: Path,
) -> None:
    (claim,) = load_claims(write(tmp_path, INDEXES)).claims
    assert (claim.check, claim.count, claim.claimed) == ("indexes", "used", Claimed(20.0))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('count = "used"', 'count = "unused"'),
         "count = 'unused': the check indexes records no such count (its counts: used)"),
        (('check = "indexes"', 'check = "ttl"'),
         "count = 'used': the check ttl records no such count (its counts: none: "),
        (("at_least = 20", "at_least = 20.5"),
         "at_least = 20.5: indexes used by their queries is a count, a whole number from 0 up"),
        (("at_least = 20", "at_least = -1"), "at_least = -1: indexes used by their queries is a"),
        (("at_least = 20", "between = [20, 22.5]"), "between = [20, 22.5]: indexes used by"),
        (("at_least = 20", 'at_least = "20+"'), "at_least must be a number, not '20+'"),
        (('count = "used"', "count = 20"), "count must be a string, not 20"),
        (("at_least = 20", ""), "give exactly one of at_least"),
        (('count = "used"', ""), "at_least needs count = the check's count it is about"),
    ],
)  # fmt: skip
def test_a_bad_count_or_number_is_refused_naming_the_file_the_claim_and_the_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, INDEXES.replace(*change))
    with pytest.raises(ClaimsError) as refused:
        load_claims(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: claim indexes: {message}"), text
    assert "\n" not in text


def test_file_level_problems_name_the_file(tmp_path: Path) -> None:
    for text, message in (
        ("[[claims]\n", "not valid TOML"),
        ("title = 'x'\n", "no [[claims]] tables"),
        ("titel = 'x'\n" + GOOD, "unknown top-level key 'titel'"),
        (GOOD + GOOD, "the id is used more than once"),
    ):
        path = write(tmp_path, text)
        with pytest.raises(ClaimsError) as refused:
            load_claims(path)
        assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)
    with pytest.raises(ClaimsError, match="no such claims file"):
        load_claims(tmp_path / "missing.toml")


def test_not_measurable_needs_a_reason_and_takes_no_evidence(tmp_path: Path) -> None:
    base = '[[claims]]\nid = "memory"\nquote = "q"\nmeasurable = false\n'
    with pytest.raises(ClaimsError, match="reason is missing"):
        load_claims(write(tmp_path, base))
    with pytest.raises(ClaimsError, match="takes no 'at_least'"):
        load_claims(write(tmp_path, base + 'reason = "r"\nat_least = 0.3\n'))
    assert not load_claims(write(tmp_path, base + 'reason = "r"\n')).claims[0].measurable


def test_the_command_refuses_a_bad_file_in_one_line_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("at_least = 0.85", "between = [0.6, 0.4]"))
    run = tmp_path / "run"
    run.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "reports", "--claims", str(path), "--run", str(run)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert f"{path}: claim orders-index: between = [0.6, 0.4]: lo is above hi" in done.stderr


def test_the_command_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reports", "--run", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no manifest.json" in done.stderr and "Traceback" not in done.stderr


def test_the_claims_page_documents_every_statistic_with_its_unit() -> None:
    from reports.statistics import STATISTICS

    page = (Path(__file__).resolve().parents[2] / "docs" / "claims.md").read_text()
    for statistic in STATISTICS.values():
        row = next((line for line in page.splitlines()
                    if line.startswith(f"| `{statistic.name}` |")), "")  # fmt: skip
        assert row, f"docs/claims.md has no row for {statistic.name}"
        assert statistic.unit in row and statistic.summary in row


LOAD = """
[[claims]]
id = "hits"
quote = "70-80 % hits"
statistic = "level"
suite = "load"
arm = "all-on"
between = [0.70, 0.80]
"""


def test_a_load_claims_precision_is_per_profile_with_defaults(tmp_path: Path) -> None:
    (plain,) = load_claims(write(tmp_path, LOAD)).claims
    assert plain.target("default") == DEFAULT_PRECISION["default"]
    assert plain.target("quick") == DEFAULT_PRECISION["quick"]
    given = LOAD + "precision = { quick = 0.10, default = 0.03 }\n"
    (claim,) = load_claims(write(tmp_path, given)).claims
    assert (claim.target("quick"), claim.target("default")) == (0.10, 0.03)
    (one,) = load_claims(write(tmp_path, LOAD + "precision = 0.05\n")).claims
    assert one.target("quick") == one.target("default") == 0.05


@pytest.mark.parametrize("value", ["0", "-0.1", "1.5", '"tight"', "{ quick = 0 }"])
def test_a_precision_that_is_no_half_width_is_refused_in_one_line(
    tmp_path: Path, value: str
) -> None:
    path = write(tmp_path, LOAD + f"precision = {value}\n")
    with pytest.raises(ClaimsError) as refused:
        load_claims(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: claim hits: precision"), text
    assert "\n" not in text
