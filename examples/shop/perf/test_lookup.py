"""The shop team's own benchmark: one SKU lookup over HTTP, timed by pytest-benchmark.

perfproof runs it once per arm in interleaved blocks (``[benchmarks]`` in
``target.toml``), the service's URL in ``PERFPROOF_TARGET_URL``; on its own:
``PERFPROOF_TARGET_URL=http://127.0.0.1:8000 pytest perf/test_lookup.py``.
"""

from __future__ import annotations

import os
import urllib.request
from typing import Any


def test_sku_lookup(benchmark: Any) -> None:
    url = os.environ["PERFPROOF_TARGET_URL"] + "/items/by-sku/SKU-123456"

    def lookup() -> bytes:
        with urllib.request.urlopen(url, timeout=30) as response:
            body: bytes = response.read()
            return body

    body = benchmark.pedantic(lookup, rounds=50, iterations=1, warmup_rounds=3)
    assert b"SKU-123456" in body
