"""A load budget or precision target that cannot work is refused before anything runs.

``--load-budget`` smaller than one paired unit, and a claims file whose
precision names no load profile, are one line on stderr and exit 2, from
``perfproof bench`` and ``perfproof loadtest`` alike: found now, not after
the benchmarks' minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.unit_timing import unit_seconds
from perfproof.loadtest_command import watched_of
from portal.cli.args import shares
from reports.claims import DEFAULT_CLAIMS, ClaimsError, load_claims


def perfproof(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfproof", *arguments],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("command", ["bench", "loadtest"])
def test_a_budget_below_one_unit_is_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    done = perfproof(command, "--load-budget", "5", "--results", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "--load-budget 5 s is less than one paired unit" in line
    assert f"{unit_seconds(3):g} s" in line
    assert not any(tmp_path.iterdir())  # nothing was started, nothing written


def test_a_precision_naming_no_profile_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_CLAIMS.read_text().replace(
        "precision = { quick = 0.10, default = 0.03 }",
        "precision = { quick = 0.10, defualt = 0.03 }",
        1,
    )
    claims = tmp_path / "claims.toml"
    claims.write_text(text)
    with pytest.raises(ClaimsError, match="precision names no load profile 'defualt'"):
        watched_of(load_claims(claims), "default")
    done = perfproof("loadtest", "--claims", str(claims), "--results", str(tmp_path / "r"))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "defualt" in line


def test_the_write_ups_load_claims_are_watched_with_their_targets() -> None:
    watched = {w.id: w for w in watched_of(load_claims(DEFAULT_CLAIMS), "default")}
    assert set(watched) == {"cache-hit-ratio", "cache-latency", "api-latency", "db-load"}
    assert watched["cache-hit-ratio"].half_width == 0.03
    assert watched["cache-latency"].half_width == 0.10
    quick = {w.id: w.half_width for w in watched_of(load_claims(DEFAULT_CLAIMS), "quick")}
    assert quick == {"cache-hit-ratio": 0.10, "cache-latency": 0.25, "api-latency": 0.25,
                     "db-load": 0.10}  # fmt: skip


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("0,0.5", "each share is above 0 and at most 1"),
        ("0.5,1.5", "each share is above 0 and at most 1"),
        ("half", "want shares of capacity separated by commas"),
        ("0.5,0.5", "a share is given twice"),
    ],
)
def test_bad_load_rates_say_what_a_share_is(given: str, said: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=said):
        shares(given)
    assert shares("0.75,0.25") == (0.25, 0.75)


@pytest.mark.parametrize("command", ["bench", "loadtest"])
def test_bad_load_rates_are_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    done = perfproof(command, "--load-rates", "0,0.5", "--results", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "each share is above 0 and at most 1" in line
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("command", "pin"), [("bench", "--load-rate"), ("loadtest", "--rate")])
def test_a_pinned_rate_and_shares_of_capacity_are_refused_together(
    command: str, pin: str, tmp_path: Path
) -> None:
    done = perfproof(command, pin, "100", "--load-rates", "0.25,0.5", "--results", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "pins one offered rate" in line and "give one of them" in line
    assert not any(tmp_path.iterdir())


def test_the_verdicts_share_runs_first_and_the_rest_from_low_to_high() -> None:
    from loadtests.plan import shares_of

    assert shares_of(None, 0.5) == (0.5,)
    assert shares_of((0.25, 0.5, 0.75), 0.5) == (0.5, 0.25, 0.75)
    assert shares_of((0.25, 0.75), 0.5) == (0.25, 0.75)
