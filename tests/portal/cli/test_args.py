"""A bad number on any command line is one readable line and exit status 2, before any work.

Each command runs as ``python -m`` runs it (``runpy``, as ``__main__``), but in
this process: a new interpreter per case spent about 0.6 s importing for an
answer argparse gives in milliseconds, 75 times. One case per entry point runs
in a real child process, so what only a fresh interpreter shows still would.
"""

from __future__ import annotations

import argparse
import runpy
import signal
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.cli.args import (
    dataset_seed,
    names_among,
    output_folder,
    positive_float,
    positive_int,
    tcp_port,
)


@dataclass(frozen=True)
class Done:
    """What ``python -m`` would have left: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


class PythonM:
    """``python -m MODULE ARGS`` run as ``__main__`` in this process, with ``env`` added and
    in ``cwd``; the signal handlers a command installs are put back afterwards."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(
        self, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> Done:
        module, *arguments = argv
        for name, value in (env or {}).items():
            self.monkeypatch.setenv(name, value)
        if cwd is not None:
            self.monkeypatch.chdir(cwd)
        self.monkeypatch.setattr(sys, "argv", [module, *arguments])
        handlers = {number: signal.getsignal(number) for number in HANDLED}
        self.capsys.readouterr()
        try:
            with warnings.catch_warnings():
                # runpy warns when the module was imported before: here it always was.
                warnings.simplefilter("ignore", RuntimeWarning)
                runpy.run_module(module, run_name="__main__", alter_sys=True)
            code: int = 0
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else int(exited.code is not None)
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        out, err = self.capsys.readouterr()
        return Done(code, out, err)


HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@pytest.fixture
def python_m(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> PythonM:
    return PythonM(monkeypatch, capsys)


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (positive_int, "3", 3),
        (positive_float, "0.5", 0.5),
        (tcp_port, "65535", 65535),
        (dataset_seed, "0", 0),
        (dataset_seed, "2147483647", 2**31 - 1),
    ],
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
        (dataset_seed, "-3", "between 0 and"),
        (dataset_seed, "2147483648", "between 0 and"),
        (output_folder, "/proc/perfproof-results", "cannot create"),
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
        ["perfproof", "index-proof", "--repetitions", "0"],
        ["benchmarks.monitoring_cost", "--blocks", "0"],
        ["benchmarks.monitoring_cost", "--seconds", "-1"],
        ["benchmarks.http_throughput", "--repetitions", "0"],
        ["perfproof", "faults", "--seed", "-3"],
        ["perfproof", "bench", "--results", "/proc/perfproof-results"],
        ["perfproof", "loadtest", "--arms", "all-on,nonsense"],
        ["perfproof", "bench", "--seed", "-3"],
        ["perfproof", "serve", "--port", "0"],
        ["perfproof", "write-cost", "--rows", "0"],
        ["perfproof", "http-throughput", "--seconds", "0"],
        ["perfproof", "generate", "--tokens", "/proc/perfproof/tokens.csv"],
        ["benchmarks.monitoring_cost", "--results", "/proc/perfproof-results"],
    ],
)
def test_commands_refuse_bad_numbers_without_a_traceback(
    command: list[str], python_m: PythonM
) -> None:
    done = python_m(command)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"argument {command[-2]}" in done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "command", [["portal", "serve", "--port", "70000"], ["perfproof", "bench", "--seed", "-3"]]
)
def test_in_a_process_of_its_own_too(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"argument {command[-2]}" in done.stderr.strip().splitlines()[-1]


def test_an_output_folder_is_created_before_the_work(tmp_path: Path) -> None:
    assert output_folder(str(tmp_path / "a" / "b")) == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match="cannot create"):
        output_folder(str(blocker / "results"))


def _every_command() -> list[str]:
    from perfproof.cli import COMMANDS

    return [command.name for command in COMMANDS]


# What the commands with required arguments need to get past their parser.
REQUIRED = {"token": ["--role", "buyer"], "indexes": ["on"], "report": ["--run", "."],
            "across": [".", "."]}  # fmt: skip


@pytest.mark.parametrize("name", _every_command())
def test_every_help_reads_as_written(name: str, python_m: PythonM) -> None:
    """No argparse escapes leak into the text (``95 %%``), and it says something."""
    done = python_m(["perfproof", name, "--help"])
    assert done.returncode == 0 and f"usage: perfproof {name}" in done.stdout
    assert "%%" not in done.stdout


# Commands about a team's own service: the portal's settings are not theirs to read.
IGNORES_PORTAL_SETTINGS = {"target"}


@pytest.mark.parametrize("name", sorted(set(_every_command()) - IGNORES_PORTAL_SETTINGS))
@pytest.mark.parametrize(
    ("variable", "value"), [("PORTAL_POOL_SIZE", "abc"), ("PORTAL_CACHE", "maybe")]
)
def test_a_bad_portal_setting_is_one_line_on_every_command_before_any_work(
    name: str, variable: str, value: str, tmp_path: Path, python_m: PythonM
) -> None:
    """`serve` once printed a 42-line traceback for these; `token` went on as if unset."""
    done = python_m(
        ["perfproof", name, *REQUIRED.get(name, [])],
        cwd=tmp_path, env={variable: value, "PERFPROOF_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"perfproof {name}: error: {variable}: ") and repr(value) in line
    assert done.stdout == "" and not (tmp_path / "home").exists()


def test_names_among_a_table_keep_the_order_given_once_each() -> None:
    arms = names_among(("all-on", "no-cache", "all-off"), "arms")
    assert arms("no-cache, all-on,no-cache") == ("no-cache", "all-on")
    with pytest.raises(argparse.ArgumentTypeError, match="want arms among all-on, no-cache"):
        arms("all-on,nonsense")
    with pytest.raises(argparse.ArgumentTypeError, match="not ''"):
        arms("")


def test_names_among_say_why_more_are_needed() -> None:
    sizes = names_among(("tiny", "small", "medium"), "sizes", at_least=3, why="a law needs 3")
    with pytest.raises(argparse.ArgumentTypeError, match=r"3 or more sizes .*\(a law needs 3\)"):
        sizes("tiny,small")
    assert sizes("medium,tiny,small") == ("medium", "tiny", "small")


def test_a_target_command_is_not_stopped_by_a_stray_portal_setting(
    tmp_path: Path, python_m: PythonM
) -> None:
    """The target path assumes nothing of the portal, its PORTAL_* settings included."""
    done = python_m(
        ["perfproof", "target", "check", str(tmp_path / "absent.toml")],
        cwd=tmp_path, env={"PORTAL_CACHE": "maybe", "PERFPROOF_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.returncode == 2
    assert "no such target file" in done.stderr and "PORTAL_CACHE" not in done.stderr
