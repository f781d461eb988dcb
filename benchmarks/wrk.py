"""Runs wrk (a C load generator, ~20 µs of CPU per request) and reads its summary.

wrk leaves most of a 2-core machine to the server under test, where a Python
generator would measure itself (Locust's FastHttpUser costs ~75-110 µs of CPU
per request and topped out near 5k req/s where wrk reached ~6.6k). Its CPU
time is taken from the kernel's accounting of finished children, so a
saturated generator shows up in the results.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


class WrkMissing(RuntimeError):
    """wrk is not installed; the message says how to get it."""


@dataclass(frozen=True)
class WrkRun:
    requests_per_s: float
    requests: int
    errors: int  # socket errors plus non-2xx/3xx responses
    latency_ms: dict[str, float]  # p50, p90, p99
    wrk_cpu_s: float
    seconds: float


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk is not installed (Debian: apt-get install -y wrk).")
    return found


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse(output: str) -> tuple[float, int, int, dict[str, float]]:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    latency = {
        f"p{pct}": _ms(value)
        for pct, value in re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, flags=re.MULTILINE)
    }
    return rate, total, errors, latency


def run_wrk(
    url: str, *, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> WrkRun:
    """One wrk run of ``seconds`` with one thread and ``connections`` keep-alive connections."""
    command = [wrk_path(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rate, total, errors, latency = parse(done.stdout)
    return WrkRun(rate, total, errors, latency, round(cpu, 3), seconds)
