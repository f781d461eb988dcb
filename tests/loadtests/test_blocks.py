"""The locustfile follows the control file of paired units: each window's starts, and all of them.

Real Locust (a subprocess) offers a steady rate to two stand-in portals while
the test plays the runner: it rewrites the control file (warm-up, measured,
tail on one portal, then on the other) and waits for each window's recording.
A window's recording must hold exactly the starts made while it was measured,
all answered (the runner opens the next window only then), sent to its own
portal; nothing of a warm-up or a tail is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loadtests.blocks import BLOCKS_ENV, Block, block_file, pause_file, write_block
from loadtests.load_data import DATA_ENV
from loadtests.recorder import Recorder
from tests.conftest import LiveServer
from tests.loadtests.conftest import LOCUST
from tests.loadtests.stub_portal import stub_app


def wait_for(path: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never came"
        time.sleep(0.01)


def play_window(control: Path, out: Path, label: str, host: str, rate: float = 0.0) -> Recorder:
    """Warm-up, measured and tail of one window, as the runner plays them."""
    write_block(control, Block(label, host, "warmup", rate))
    time.sleep(0.3)
    write_block(control, Block(label, host, "measured", rate))
    time.sleep(1.0)
    write_block(control, Block(label, host, "tail", rate))
    wait_for(block_file(out, label))
    return Recorder.from_document(json.loads(block_file(out, label).read_text()))


@contextmanager
def following_locust(host: str, load_data_file: Path, out: Path, control: Path) -> Iterator[None]:
    """Real Locust in the open model following ``control``, measuring, until told to stop."""
    write_block(control, Block("start", host, "warmup"))
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(LOCUST), "--host", host, "--headless",
         "-u", "1", "-r", "1", "-t", "60s", "--only-summary", "--loglevel", "WARNING"],
        env={**os.environ, DATA_ENV: str(load_data_file), "PERFPROOF_LOAD_OUT": str(out),
             "PERFPROOF_LOAD_MODEL": "open", "PERFPROOF_RATE": "60",
             BLOCKS_ENV: str(control)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(Path(f"{out}.measuring"))
        yield
        write_block(control, Block("stop", host, "stop"))
        locust.wait(timeout=30)
    finally:
        if locust.poll() is None:
            locust.kill()


def test_a_pause_holds_once_nothing_is_in_flight_and_starts_nothing(
    load_data_file: Path, tmp_path: Path
) -> None:
    """Between units the runner puts the data back: no request may reach the portal then."""
    out = tmp_path / "units.json"
    control = tmp_path / "blocks.control"
    arrivals: list[float] = []
    with (
        LiveServer(stub_app(delay_s=0.05, arrivals=arrivals)) as portal,
        following_locust(portal, load_data_file, out, control),
    ):
        play_window(control, out, "0-before", portal)
        write_block(control, Block("pause-1", portal, "pause"))
        wait_for(pause_file(out, "pause-1"))
        sent_before = len(arrivals)
        time.sleep(0.5)  # the pause's length, not a wait: 30 arrivals would come in it
        sent_during = len(arrivals) - sent_before
        after = play_window(control, out, "1-after", portal)
    assert sent_before > 0 and sent_during == 0
    assert after.scheduled >= 30  # arrivals resume at the rate, no backlog, none lost
    assert sum(r.failures for r in after.routes.values()) == 0


def test_each_window_holds_its_own_starts_all_answered(
    load_data_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "units.json"
    control = tmp_path / "blocks.control"
    with (
        LiveServer(stub_app(delay_s=0.02)) as first,
        LiveServer(stub_app(delay_s=0.002)) as second,
        following_locust(first, load_data_file, out, control),
    ):
        slow = play_window(control, out, "0-slow", first)
        fast = play_window(control, out, "0-fast", second)
    for recorded in (slow, fast):
        requests = sum(r.requests for r in recorded.routes.values())
        # 60 starts a second for one measured second: every start's task answered.
        assert 30 <= recorded.scheduled <= 100
        assert requests >= recorded.scheduled
        assert sum(r.failures for r in recorded.routes.values()) == 0
        intended = sum(r.intended.get_total_count() for r in recorded.routes.values())
        assert intended == recorded.scheduled  # one intended start per task, none lost
    # Each window went to its own portal: the slow one's answers took its 20 ms. The bound
    # leaves 2 ms: uvicorn's loop wakes a sleep early by up to its cached clock's age (CI
    # once read a p50 of 19.7 ms), and the fast portal's 2 ms answers stay far below it.
    slow_p50 = min(r.service.get_value_at_percentile(50) for r in slow.routes.values())
    fast_p50 = max(r.service.get_value_at_percentile(50) for r in fast.routes.values())
    assert slow_p50 >= 18_000 > 2 * fast_p50
    assert not block_file(out, "start").exists()  # a warm-up is never written


def test_a_window_is_offered_the_rate_its_block_carries(
    load_data_file: Path, tmp_path: Path
) -> None:
    """The rate follows the capacity measured between units: the runner writes the new rate
    into every block after it, and Locust spaces its starts at that rate from then on."""
    out = tmp_path / "units.json"
    control = tmp_path / "blocks.control"
    with (
        LiveServer(stub_app(delay_s=0.002)) as portal,
        following_locust(portal, load_data_file, out, control),
    ):
        run_rate = play_window(control, out, "0-run", portal)  # PERFPROOF_RATE: 60/s
        followed = play_window(control, out, "1-followed", portal, rate=240.0)
    # A measured second at 60/s, then at 240/s (Poisson: an SD of about 8 and 16 starts).
    assert 30 <= run_rate.scheduled <= 100
    assert 150 <= followed.scheduled <= 340
    assert sum(r.failures for r in followed.routes.values()) == 0
