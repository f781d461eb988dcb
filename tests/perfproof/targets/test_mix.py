"""A declared request mix: drawn by weight, values filled in, the same each time for a
seed, and sent by real Locust to a real service under the names the target file gave."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from perfproof.targets.mix import LOCUSTFILE, TARGET_ENV, Mix
from perfproof.targets.model import Request, Service, Values
from perfproof.targets.service import running

SEARCH = Request("search", "GET", "/search?q={term}", 3, {})
ITEM = Request("item", "GET", "/items/{id}", 1, {})
VALUES = {"term": Values(listed=("lamp", "desk")), "id": Values(low=1, high=5)}


def test_requests_are_drawn_in_proportion_to_their_weights() -> None:
    mix = Mix((SEARCH, ITEM), VALUES, 7)
    drawn = Counter(mix.next()[0].name for _ in range(10_000))
    assert 0.73 <= drawn["search"] / 10_000 <= 0.77  # 3 : 1, binomial sd 0.004


def test_placeholders_take_their_declared_values_and_a_seed_repeats_the_run() -> None:
    mix = Mix((SEARCH, ITEM), VALUES, 7)
    paths = [mix.next()[1] for _ in range(200)]
    assert {p for p in paths if p.startswith("/search")} == {"/search?q=lamp", "/search?q=desk"}
    assert {p for p in paths if p.startswith("/items/")} == {f"/items/{n}" for n in range(1, 6)}
    again = Mix((SEARCH, ITEM), VALUES, 7)
    assert [again.next()[1] for _ in range(200)] == paths


def test_locust_sends_the_mix_to_a_real_service_under_the_declared_names(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text("a")
    (site / "b.txt").write_text("b")
    target = tmp_path / "target.toml"
    target.write_text(
        'name = "files"\n[service]\nurl = "http://127.0.0.1:1"\n'
        '[[arms]]\nname = "one"\nswitch = "true"\n[[arms]]\nname = "two"\nswitch = "false"\n'
        '[load]\n[[load.requests]]\nname = "listing"\npath = "/"\n'
        '[[load.requests]]\nname = "file"\npath = "/{f}"\nweight = 2\n'
        '[load.values]\nf = ["a.txt", "b.txt"]\n'
    )
    server = Service(f"{sys.executable} -m http.server --bind 127.0.0.1 {{port}}", None, site,
                     {}, "/", 30.0)  # fmt: skip
    with running(server, tmp_path / "server.log") as service:
        done = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
             "-u", "2", "-r", "2", "-t", "2s", "--host", service.url, "--csv",
             str(tmp_path / "out"), "--only-summary", "--loglevel", "WARNING"],
            env={**os.environ, TARGET_ENV: str(target)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    with (tmp_path / "out_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    assert {"listing", "file"} <= set(rows)
    for name in ("listing", "file"):
        assert int(rows[name]["Request Count"]) > 0 and int(rows[name]["Failure Count"]) == 0
