"""``perfproof bench --target``: a team's service measured and judged, and what it refuses.

The slow run is the example of ``examples/shop`` at the quick profile with a 40 s
load budget: a Flask service on PostgreSQL, its index the switchable feature,
its own Locust file and pytest-benchmark file; claims that hold (the SKU
lookup is faster, under load and alone), one that does not (the index does not
take statements off the database) and a command check. The fast tests start a
plain ``python -m http.server`` and stop at the first failure they provoke:
one line on stderr, exit 2, the service's process group gone and the run
folder saying unfinished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from reports.page.blocks import anchor
from tests.reports.page.browser import open_report

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "shop" / "target.toml"


def _bench(target: Path, results: Path, env: dict[str, str] | None = None,
           timeout: float = 300, *more: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "perfproof", "bench", "--target", str(target), "--profile", "quick",
         "--results", str(results), *more],
        env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _servers_of(folder: Path) -> list[psutil.Process]:
    """Processes still serving from ``folder`` (the started service's group, if it survived)."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        try:
            if process.info["cwd"] == str(folder) and "http.server" in " ".join(
                process.info["cmdline"] or []
            ):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _plain_target(folder: Path, locustfile: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "locustfile.py").write_text(locustfile)
    (folder / "target.toml").write_text(
        'name = "plain"\n'
        "[service]\n"
        'command = "{python} -m http.server --bind 127.0.0.1 {port}"\n'
        'ready = "/"\n'
        "[[arms]]\n"
        'name = "a"\n'
        "[[arms]]\n"
        'name = "b"\n'
        "[load]\n"
        'locustfile = "locustfile.py"\n'
        "users = 2\n"
    )
    return folder / "target.toml"


@pytest.mark.parametrize(
    ("locustfile", "said"),
    [
        ("import no_such_module_here\n", "No module named 'no_such_module_here'"),
        (
            "from locust import HttpUser, task\n"
            "class Broken(HttpUser):\n"
            "    def on_start(self):\n"
            "        raise RuntimeError('cannot log in')\n"
            "    @task\n"
            "    def get(self):\n"
            "        self.client.get('/')\n",
            "Broken.on_start raised RuntimeError: cannot log in",
        ),
    ],
    ids=["locustfile-does-not-import", "on-start-raises"],
)
def test_a_load_that_cannot_run_is_one_line_and_exit_2_and_stops_the_service(
    tmp_path: Path, locustfile: str, said: str
) -> None:
    target = _plain_target(tmp_path / "svc", locustfile)
    done = _bench(target, tmp_path / "results", timeout=120)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("perfproof bench: error: "), done.stderr
    assert said in lines[0]
    assert "Traceback" not in done.stderr
    (folder,) = (tmp_path / "results").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["finished"] is False and said in manifest["error"]
    assert (folder / "service.log").is_file()
    assert _servers_of(tmp_path / "svc") == []


def test_a_bad_target_file_is_refused_before_anything_starts(tmp_path: Path) -> None:
    target = tmp_path / "target.toml"
    target.write_text('name = "x"\n[service]\nurl = "http://127.0.0.1:9"\n[load]\n')
    done = _bench(target, tmp_path / "results", timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(target) in done.stderr
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


@pytest.mark.parametrize(
    ("more", "said"),
    [
        (("--scale", "tiny"), "--scale is the reference portal's; a target's run takes"),
        (("--claims", "reports/claims.toml"), "--claims is the reference portal's"),
        (("--capacity-every", "4"), "--capacity-every is the reference portal's"),
        (
            ("--load-budget", "2"),
            "--load-budget 2 s is less than one paired unit of the target's 2 arms",
        ),
        (("--load-rate", "5", "--load-rates", "0.25,0.5"), "--load-rate pins one offered rate"),
    ],
    ids=["scale", "claims", "capacity-every", "budget-below-one-unit", "rate-and-rates"],
)
def test_an_option_a_target_cannot_take_is_refused_before_anything_starts(
    tmp_path: Path, more: tuple[str, ...], said: str
) -> None:
    target = _plain_target(tmp_path / "svc", WORKING_LOAD)
    done = _bench(target, tmp_path / "results", None, 60, *more)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())
    assert _servers_of(tmp_path / "svc") == []


@dataclass(frozen=True)
class ExampleRun:
    folder: Path
    stdout: str
    verdicts: dict[str, dict[str, Any]]
    document: dict[str, Any]


@pytest.fixture(scope="module")
def example_run(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    pytest.importorskip("flask", reason="the example needs the [example] extra (flask)")
    pytest.importorskip("gunicorn", reason="the example needs the [example] extra (gunicorn)")
    results = tmp_path_factory.mktemp("shop")
    # Three units at most (each restarts the service per window, about 13 s): the index's
    # effect is decided by then, and the quick profile's 90 s would take two more.
    done = _bench(EXAMPLE, results, {"SHOP_DATABASE_URL": database_url}, 400,
                  "--load-budget", "40")  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = results.iterdir()
    document = json.loads((folder / "verdicts.json").read_text())
    return ExampleRun(folder, done.stdout, {v["id"]: v for v in document["verdicts"]}, document)


@pytest.mark.slow
def test_the_example_decides_a_claim_that_holds_and_one_that_does_not(
    example_run: ExampleRun,
) -> None:
    verdicts = example_run.verdicts
    faster = verdicts["sku-lookup"]
    assert faster["verdict"] in ("met", "exceeded"), faster
    assert faster["low"] >= 0.5 and faster["n"] >= 2
    assert "items" in faster["judged_at"] and "tasks/s offered" in faster["judged_at"]
    busy = verdicts["sku-lookup-busy"]  # the closed model: the team's users as written
    assert busy["verdict"] in ("met", "exceeded") and busy["low"] >= 0.5, busy
    assert busy["n"] == 3 and busy["level"] == 0.95 and "users" in busy["judged_at"]
    alone = verdicts["sku-lookup-alone"]  # the team's pytest-benchmark file, per arm
    assert alone["verdict"] in ("met", "exceeded") and alone["low"] >= 0.5, alone
    fewer = verdicts["fewer-statements"]
    assert fewer["verdict"] == "not met", fewer
    assert fewer["high"] < 0.3
    assert verdicts["sku-answers"]["verdict"] == "met"
    assert example_run.document["open_model"] == "available"
    assert example_run.document["sequential"]["units"] >= 2


@pytest.mark.slow
def test_the_example_run_folder_is_finished_and_keeps_its_evidence(
    example_run: ExampleRun,
) -> None:
    folder = example_run.folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["finished"] is True and "error" not in manifest
    for name in ("verdicts.json", "verdicts.md", "report.html", "windows.json", "plan.txt",
                 "service.log", "commands.log", "checks/sku-answers.log"):  # fmt: skip
        assert name in manifest["files"], name
    for arm, block in (("indexed", 0), ("no-index", 1)):  # the team's benchmark file, per arm
        assert f"benchmarks/{arm}-{block}.json" in manifest["files"], (arm, block)
    windows = json.loads((folder / "windows.json").read_text())
    opened = [w for w in windows if w["model"] == "open"]
    assert opened and all(w["servers"]["pg_stat_statements_calls"] > 0 for w in opened)
    assert all(w["cpu"]["generator"] < 0.9 for w in opened)  # the guard's bound
    assert {w["arm"] for w in windows} == {"indexed", "no-index"}
    assert not [p for p in psutil.process_iter(["cmdline"])
                if "shop:app" in " ".join(p.info["cmdline"] or [])]  # fmt: skip


@pytest.mark.slow
@pytest.mark.needs_program("chromium")
def test_the_example_report_opens_offline_with_a_plot_per_load_claim(
    example_run: ExampleRun,
) -> None:
    pages = open_report(example_run.folder / "report.html", {"desktop": 1366}, "target-shop")
    page = pages["desktop"]
    assert page.requests == [] and page.console_errors == []
    for claim in ("sku-lookup", "sku-lookup-busy", "sku-lookup-alone", "fewer-statements",
                  "sku-answers"):  # fmt: skip
        assert anchor(claim) in page.claims, claim
    plots = [image for image in page.images if image["alt"].startswith("sku-lookup: each unit")]
    assert len(plots) == 1 and plots[0]["complete"] and plots[0]["width"] > 0
    assert "not declared (evidence.hit_header)" in page.text


WORKING_LOAD = (
    "from locust import HttpUser, constant, task\n"
    "class Reader(HttpUser):\n"
    "    wait_time = constant(0.05)\n"
    "    @task\n"
    "    def get(self):\n"
    "        self.client.get('/', name='root')\n"
)


def test_sigterm_mid_window_stops_the_service_and_locust_and_nothing_else(tmp_path: Path) -> None:
    """SIGTERM while a window is measured (its marker file is the event waited for): exit
    143, the service's group and Locust gone, the run folder saying interrupted."""
    target = _plain_target(tmp_path / "svc", WORKING_LOAD)
    bystander = subprocess.Popen(  # a server perfproof did not start, in the same folder
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "0"], cwd=tmp_path / "svc",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results = tmp_path / "results"
    bench = subprocess.Popen(
        [sys.executable, "-m", "perfproof", "bench", "--target", str(target), "--profile",
         "quick", "--results", str(results)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not list(results.glob("*/load-closed-*.json.measuring")):
            assert bench.poll() is None, bench.communicate()
            assert time.monotonic() < deadline, "no window opened within 60 s"
            time.sleep(0.05)
        (folder,) = results.iterdir()
        bench.send_signal(signal.SIGTERM)
        _, stderr = bench.communicate(timeout=60)
        assert bench.returncode == 143, stderr
        assert "Traceback" not in stderr
        left = [p for p in _servers_of(tmp_path / "svc") if p.pid != bystander.pid]
        assert left == []
        assert bystander.poll() is None  # not ours: untouched
        locusts = [p for p in psutil.process_iter(["cmdline"])
                   if str(folder) in " ".join(p.info["cmdline"] or [])]  # fmt: skip
        assert locusts == []
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["finished"] is False and manifest["interrupted"] is True
        assert manifest["signal"] == "SIGTERM" and manifest["ended"]
    finally:
        for process in (bench, bystander):
            if process.poll() is None:
                process.kill()
                process.wait()
