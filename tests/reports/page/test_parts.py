"""The report's pieces on synthetic data: formatting, histograms, plots, and partial runs rendered.

No database and no browser: numbers with known answers, HDR histograms
recorded here, and run folders made in memory — one that never finished,
one with nothing but a manifest, one with a growth fit beyond the sizes it
measured — each rendered whole and read back as text, as a reader would.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks.manifest import Manifest
from benchmarks.scaling import AbsoluteGoal, analyse
from loadtests.recorder import latency_summary, new_histogram
from reports.claims import load_claims
from reports.evaluate import judge_all
from reports.page.blocks import anchor
from reports.page.figures import GrowthLine, effect_plot, growth_plot, rounds_plot
from reports.page.formatting import milliseconds, number, percent, rate, text
from reports.page.histograms import Recordings, RunKey, _counts, cdf, summary
from reports.page.html import NOT_DRAWN, render
from reports.page.load import load_blocks
from reports.page.load_figures import cdf_plot
from reports.run_folder import RunFolder

FORBIDDEN = re.compile(r"\b(nan|None|undefined)\b")


class _Text(HTMLParser):
    """The text a reader sees (no style sheet), and every image's alt and source."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.images: list[dict[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if tag == "img":
            self.images.append({k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False if tag == "style" else self._in_style

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def _read(page: str) -> _Text:
    parsed = _Text()
    parsed.feed(page)
    return parsed


# -- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (milliseconds(0.0004123), "0.412\N{NO-BREAK SPACE}ms"),
        (milliseconds(1.3), "1,300\N{NO-BREAK SPACE}ms"),
        (milliseconds(0.0123), "12.3\N{NO-BREAK SPACE}ms"),
        (milliseconds(None), "—"),
        (milliseconds(float("nan")), "—"),
        (percent(0.853), "85.3\N{NO-BREAK SPACE}%"),
        (percent(-0.339), "-33.9\N{NO-BREAK SPACE}%"),
        (percent(None), "—"),
        (number(1234567), "1,234,567"),
        (number(0.0), "0"),
        (number(float("inf")), "—"),
        (text(None), "—"),
        (text([]), "none"),
        (text(True), "yes"),
        (text({"a": 1, "b": None}), "a: 1; b: —"),
    ],
)
def test_numbers_are_rounded_with_their_unit_and_never_nan(shown: str, expected: str) -> None:
    assert shown == expected


def test_an_anchor_survives_a_url_fragment() -> None:
    assert anchor("products-index[busiest-region]") == "claim-products-index-busiest-region"


# -- histograms ---------------------------------------------------------------


def _histogram(microseconds: list[int]) -> Any:
    histogram = new_histogram()
    for value in microseconds:
        histogram.record_value(value)
    return histogram


def test_the_histogram_summary_is_hdrs_own() -> None:
    histogram = _histogram([1_000 + 37 * i for i in range(500)] + [250_000])
    expected = latency_summary(histogram)
    found = summary(_counts(histogram))
    assert found is not None
    assert found == pytest.approx({key: float(value) for key, value in expected.items()})


def test_the_cdf_climbs_to_every_request() -> None:
    seconds, fractions = cdf(_counts(_histogram([2_000] * 9 + [40_000])))
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[0] == pytest.approx(0.9)
    assert seconds[0] == pytest.approx(0.002, rel=1e-3)


def test_recordings_merge_runs_and_routes() -> None:
    recordings = Recordings()
    for repetition, values in ((0, [1_000] * 3), (1, [3_000])):
        encoded = _histogram(values).encode().decode()
        recordings.runs[RunKey("open", "all-on", repetition)] = {
            "GET /a": {"service": encoded, "intended": encoded},
            "GET /b": {"service": encoded, "intended": encoded},
        }
    keys = list(recordings.runs)
    merged = recordings.merged(keys, ["GET /a"], "intended")
    assert merged is not None and int(merged.sum()) == 4
    everything = recordings.merged(keys, None, "service")
    assert everything is not None and int(everything.sum()) == 8
    assert recordings.merged(keys, ["GET /missing"], "service") is None


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (True, "(given: loadtest --rate, bench --load-rate)"),
        (False, "(a share of the slowest arm's capacity)"),
        (None, ""),  # a run from before the record says nothing of it
    ],
)
def test_the_offered_rate_says_where_it_came_from(given: bool | None, said: str) -> None:
    load = {"models": [], "open_rate": 283.3}
    if given is not None:
        load["open_rate_given"] = given
    run = RunFolder(
        path=Path("run"), manifest=Manifest(), tidy=pd.DataFrame(), growth=None,
        load_path=Path("run/load/x"), load_manifest=Manifest.model_validate(load),
        validity=None, checks=None,
    )  # fmt: skip
    facts = dict(load_blocks(run, Recordings())[0].facts)
    assert facts["open model offered rate"] == rate(283.3) + (f" {said}" if said else "")


# -- plots --------------------------------------------------------------------


def _svg(uri: str) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :]).decode()


def test_plots_are_self_contained_svg_and_the_same_every_time() -> None:
    arms = {"unindexed": [0.002, 0.0021, 0.0025], "indexed": [0.0004, 0.0005, 0.0004]}
    first = rounds_plot(arms, {"unindexed": [1, 1, 2], "indexed": [1, 2, 2]}, title="t")
    again = rounds_plot(arms, {"unindexed": [1, 1, 2], "indexed": [1, 2, 2]}, title="t")
    svg = _svg(first.uri)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert not re.search(r'(href|src)="(?!#|data:)', svg)  # nothing fetched from elsewhere
    assert first.uri == again.uri
    assert "3 rounds" in first.alt


def test_the_effect_plot_says_the_interval_and_the_claim() -> None:
    plot = effect_plot(0.29, 0.134, 0.571, claimed_low=0.85, claimed_high=None)
    assert plot.alt == "measured reduction 29.0 %, interval 13.4 to 57.1; claimed from 85 up"
    no_interval = effect_plot(-1.03, None, None, claimed_low=0.4, claimed_high=0.6)
    assert "no interval" in no_interval.alt and "to 60" in no_interval.alt


def test_the_cdf_and_growth_plots_render() -> None:
    assert _svg(cdf_plot({"all-on": ([0.001, 0.01], [0.5, 1.0])}, title="t").uri)
    line = GrowthLine("unindexed", [1e3, 1e4, 1e5], [1e-3, 1e-2, 1e-1], "n", lambda n: 1e-6 * n)
    plot = growth_plot([line], title="g", target_s=1.3, target_rows=1.3e6, extrapolation=True)
    assert "EXTRAPOLATION" in _svg(plot.uri) or "n law" in plot.alt


# -- partial runs, rendered whole ---------------------------------------------


def _run(tmp_path: Path, **given: Any) -> RunFolder:
    manifest = {
        "finished": True,
        "profile": "quick",
        "scales": ["tiny"],
        "suites": ["queries"],
        "started_at": "2026-12-02T02:34:17+00:00",
        "ended_at": "2026-12-02T02:35:10+00:00",
        "git_commit": None,
        "machine": {"cpus": 2},
    }
    manifest.update(given.pop("manifest", {}))
    fields: dict[str, Any] = {
        "path": tmp_path / "20261202T000000Z-quick-tiny",
        "manifest": Manifest.model_validate(manifest),
        "tidy": pd.DataFrame(),
        "growth": None,
        "load_path": None,
        "load_manifest": None,
        "validity": None,
        "checks": None,
        "faults": None,
    }
    fields.update(given)
    if isinstance(fields["load_manifest"], dict):
        fields["load_manifest"] = Manifest.model_validate(fields["load_manifest"])
    if fields["tidy"].empty:
        fields["tidy"] = pd.DataFrame(columns=["suite", "series", "arm", "metric", "value"])
    return RunFolder(**fields)


def _rendered(run: RunFolder) -> tuple[str, _Text]:
    claims = load_claims()
    page = render(run, claims, judge_all(claims, run))
    parsed = _read(page)
    words = " ".join(parsed.parts)
    assert not FORBIDDEN.search(words), FORBIDDEN.findall(words)
    assert NOT_DRAWN not in words
    assert not any(FORBIDDEN.search(image.get("alt", "")) for image in parsed.images)
    for claim in claims.claims:
        assert f'id="{anchor(claim.id)}"' in page
    return words, parsed


def test_an_unfinished_run_says_so_and_judges_nothing(tmp_path: Path) -> None:
    run = _run(tmp_path, manifest={"finished": False, "interrupted": True, "ended_at": None})
    words, parsed = _rendered(run)
    assert "NO: the run was interrupted" in words
    assert "This run did not finish" in words and "The run is not finished" in words
    assert re.search(r"\d+ claims, no evidence: the run was interrupted", words)  # one line
    assert parsed.images == []  # nothing measured, nothing drawn


def test_a_run_with_only_a_manifest_says_what_each_section_misses(tmp_path: Path) -> None:
    words, _ = _rendered(_run(tmp_path))
    for missing in (
        "Load tests:",
        "Growth curves:",
        "Benchmarks: the tidy table is empty",
        "The functional checks did not run",
        "Server settings:",
        "the fault scenarios did not run in this run",
    ):
        assert missing in words, missing


def test_the_reliability_section_shows_each_fault_scenario_and_what_broke(
    tmp_path: Path,
) -> None:
    """A synthetic faults.json: one scenario held, one failed slowly and left a stale wallet."""
    phase = {"requests": 100, "failures": 0, "failure_max_s": None}

    def entry(name: str, failures: int, problems: list[str]) -> dict[str, Any]:
        return {
            "scenario": name, "summary": f"{name} done", "passed": not problems,
            "problems": problems, "recovery_s": 1.25 if failures else 0.0,
            "stale_entries": len(problems), "book_violations": {"no negative stock": []},
            "phases": {"before": phase, "after": phase,
                       "during": {"requests": 80, "failures": failures,
                                  "failure_max_s": 9.5 if failures else None}},
        }  # fmt: skip

    faults = {
        "settings": {"before_s": 2, "fault_s": 3, "after_s": 3, "rate": 20, "portal_workers": 2},
        "scenarios": [
            entry("redis-frozen", 0, []),
            entry("postgres-frozen", 12, ["1 cached answers differ from the database"]),
        ],
    }
    words, _ = _rendered(_run(tmp_path, faults=faults))
    assert "Reliability: servers broken under load" in words
    assert "2 s before, 3 s of fault, 3 s after" in words
    assert "12 of 80" in words and "9.50 s" in words and "1.2 s" in words
    assert "BROKE" in words and "held" in words
    assert "postgres-frozen broke: 1 cached answers differ from the database." in words


ABSOLUTE_SERIES = "orders.list_for_user[heavy]"


def _growth_rows() -> list[dict[str, Any]]:
    rows = []
    for size in (5_000, 100_000, 1_000_000):
        for indexes, arm, seconds in (("off", "unindexed", 1e-7 * size), ("on", "indexed", 5e-4)):
            for repeat in range(5):
                rows.append(
                    {
                        "run": "r",
                        "suite": "queries",
                        "series": ABSOLUTE_SERIES,
                        "operation": "orders.list_for_user",
                        "variant": "heavy",
                        "arm": arm,
                        "cache": "-",
                        "warm": "-",
                        "indexes": indexes,
                        "scale": {5_000: "tiny", 100_000: "small"}.get(size, "medium"),
                        "size_table": "orders",
                        "rows": size,
                        "repetition": 1 + repeat % 2,
                        "round": repeat,
                        "metric": "time",
                        "value": seconds * (1 + 0.01 * (repeat - 2)),
                        "unit": "s",
                    }
                )
    return rows


def test_a_growth_fit_past_the_measured_sizes_is_marked_extrapolation(tmp_path: Path) -> None:
    rows = _growth_rows()
    tidy, growth = (
        pd.DataFrame(rows),
        analyse(rows, {ABSOLUTE_SERIES}, AbsoluteGoal(ABSOLUTE_SERIES, 1.3, 0.2)),
    )
    run = _run(
        tmp_path,
        tidy=tidy,
        growth=growth,
        manifest={"scales": ["medium"], "growth_scales": ["tiny", "small"]},
    )
    words, parsed = _rendered(run)
    assert "EXTRAPOLATION" in words
    assert any("n law" in image["alt"] for image in parsed.images)
    assert all(image["src"].startswith("data:image/svg+xml;base64,") for image in parsed.images)
