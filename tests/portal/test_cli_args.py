"""A bad number on any command line is one readable line and exit status 2, before any work."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from portal.cli_args import positive_float, positive_int, tcp_port


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [(positive_int, "3", 3), (positive_float, "0.5", 0.5), (tcp_port, "65535", 65535)],
)
def test_good_values_pass(parse: object, text: str, value: float) -> None:
    assert parse(text) == value  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parse", "text", "says"),
    [
        (positive_int, "0", "at least 1"),
        (positive_int, "2.5", "not a whole number"),
        (positive_float, "-1", "positive"),
        (positive_float, "nan", "positive"),
        (positive_float, "inf", "positive"),
        (positive_float, "soon", "not a number"),
        (tcp_port, "70000", "at most 65535"),
    ],
)
def test_bad_values_say_why(parse: object, text: str, says: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=says):
        parse(text)  # type: ignore[operator]


@pytest.mark.parametrize(
    "command",
    [
        ["portal", "serve", "--port", "70000"],
        ["portal", "serve", "--workers", "0"],
        ["portal", "cleanup", "--batch", "0"],
        ["portal", "index-proof", "--repetitions", "0"],
        ["benchmarks.monitoring_cost", "--blocks", "0"],
        ["benchmarks.monitoring_cost", "--seconds", "-1"],
        ["benchmarks.http_throughput", "--repetitions", "0"],
    ],
)
def test_commands_refuse_bad_numbers_without_a_traceback(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"argument {command[-2]}" in done.stderr.strip().splitlines()[-1]
