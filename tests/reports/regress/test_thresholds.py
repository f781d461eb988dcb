"""The thresholds file: defaults, a team's file on top, and one line per typo."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.regress.samples import NO_MODEL, SeriesKey
from reports.regress.thresholds import ThresholdsError, load_thresholds
from reports.series import cached_routes


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regress.toml"
    path.write_text(text)
    return path


def test_the_defaults_are_10_percent_and_p99_looser() -> None:
    thresholds = load_thresholds()
    query = SeriesKey("queries", "orders.list_for_user[heavy]", "indexed", NO_MODEL, "time", "tiny")
    p99 = SeriesKey("load", "ALL", "all-on", "closed", "latency_p99", "tiny")
    assert thresholds.for_series(query) == (0.10, "threshold")
    assert thresholds.for_series(p99) == (0.30, "metrics.latency_p99")
    assert (thresholds.alpha, thresholds.control) == (0.05, "fwer")


def test_a_teams_file_wins_key_by_key_series_over_metric_over_suite(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """
alpha = 0.01
[suites]
load = 0.2
[metrics]
throughput = 0.15
[series.load]
"GET /api/orders" = 0.4
cached = 0.25
""",
    )
    thresholds = load_thresholds(path)
    assert thresholds.alpha == 0.01 and thresholds.default == 0.10

    def key(route: str, metric: str) -> SeriesKey:
        return SeriesKey("load", route, "all-on", "closed", metric, "tiny")

    assert thresholds.for_series(key("GET /api/orders", "throughput"))[0] == 0.4
    assert thresholds.for_series(key("ALL", "throughput"))[0] == 0.15
    assert thresholds.for_series(key("ALL", "latency_p50"))[0] == 0.2
    assert thresholds.for_series(key("ALL", "latency_p99"))[0] == 0.30  # the default file's
    assert thresholds.for_series(key(cached_routes()[0], "latency_p50"))[0] == 0.25
    assert thresholds.files[-1] == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("treshold = 0.1", "treshold: unknown key"),
        ("threshold = '10%'", "threshold: want a fraction"),
        ("threshold = 10.5", "threshold = 10.5: want a fraction above 0"),
        ("threshold = 0", "threshold = 0: want a fraction above 0"),
        ("alpha = 0.7", "alpha = 0.7: want a level"),
        ("control = 'bonferroni'", "control = 'bonferroni': want 'fdr'"),
        ("[suites]\nquerys = 0.2", "suites.querys: unknown name (known: queries"),
        ("[metrics]\nlatency_p95 = 0.2", "metrics.latency_p95: unknown name"),
        (
            "[series.queries]\n'orders.list_for_usr[heavy]' = 0.2",
            'series.queries."orders.list_for_usr[heavy]": unknown series',
        ),
        ("[series.querys]\n'x' = 0.2", "series.querys: unknown suite"),
        ("[series.load]\n'/api/orders' = 0.2", "unknown series '/api/orders' in suite load"),
        ("suites = 0.2", "suites: want a table"),
        ("threshold = ", "not valid TOML"),
    ],
)
def test_a_typo_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(ThresholdsError) as raised:
        load_thresholds(path)
    line = str(raised.value)
    assert line.startswith(f"{path}: ")
    assert message in line
    assert "\n" not in line


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match="no such thresholds file"):
        load_thresholds(tmp_path / "absent.toml")
