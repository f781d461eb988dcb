"""Reading wrk's summary: rate, count, errors of every kind, latency percentiles."""

from __future__ import annotations

from benchmarks.wrk import parse

OUTPUT = """\
Running 5s test @ http://127.0.0.1:8781/bare
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.01ms    3.10ms  40.12ms   80.00%
    Req/Sec     2.70k   150.00     3.00k    70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.20ms
     99%  650.00us
  13456 requests in 5.00s, 52.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2691.20
Transfer/sec:     10.42MB
"""


def test_a_wrk_summary_is_read_completely() -> None:
    rate, total, errors, latency = parse(OUTPUT)
    assert (rate, total, errors) == (2691.2, 13456, 7)
    assert latency == {"p50": 11.5, "p90": 15.2, "p99": 0.65}


def test_a_clean_run_has_no_errors() -> None:
    clean = "\n".join(
        line for line in OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    assert parse(clean)[2] == 0
