"""A stable argsort that is several times faster than numpy's for our keys.

``np.argsort(kind="stable")`` is a merge sort: 0.58 s for 3M keys, ~8 s for
the 30M ledger rows of ``large``. ``np.sort`` on int64 values uses SIMD and
takes 0.07 s for 3M, so keys are packed with each row's position in the low
bits and sorted as plain values; keys wider than the room left are sorted
least-significant part first (an LSD radix sort, one more pass per part).
The result is exactly the stable order, so it is the same on every machine,
whatever SIMD the CPU has (an unstable sort would order ties differently).

On 30M rows the cost is memory latency, not comparisons: every random gather
(``a[order]``) is a cache miss per row, so callers gather as little as they
can (the sorted keys come back from the packed values for free).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

_MS_US = 1_000


def stable_argsort(keys: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """The permutation ``np.argsort(keys, kind="stable")`` returns, for integer keys."""
    return _sort(np.asarray(keys, dtype=np.int64))[0]


def time_order(times_us: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(stable order, sorted times) of timestamps in whole milliseconds.

    Generated times are whole milliseconds (distributions.whole_ms): five years
    of them take 38 bits, which leaves room for 33M row positions, so even the
    ledger of ``large`` sorts in one pass.
    """
    times = np.asarray(times_us, dtype=np.int64)
    if len(times) and (times % _MS_US).any():
        raise ValueError("time_order needs whole-millisecond timestamps")
    order, sorted_ms = _sort(times // _MS_US)
    return order, sorted_ms * _MS_US


def _sort(values: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(stable order, sorted values) by packed SIMD sorts, least significant part first."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64), values
    low = int(values.min())
    shifted = values - low
    key_bits = max(int(shifted.max()).bit_length(), 1)
    position_bits = max((n - 1).bit_length(), 1)
    room = 63 - position_bits
    positions = np.arange(n, dtype=np.int64)
    position_mask = (1 << position_bits) - 1
    order: npt.NDArray[np.int64] | None = None  # None: still the identity
    shift = 0
    while True:
        part = shifted if order is None else shifted[order]
        if shift or key_bits > room:
            part = (part >> shift) & ((1 << room) - 1)
        packed = np.sort((part << position_bits) | positions)
        ranks = packed & position_mask
        order = ranks if order is None else order[ranks]
        shift += room
        if shift >= key_bits:
            break
    if key_bits <= room:  # one pass: the sorted keys are in the packed values
        return order, (packed >> position_bits) + low
    return order, values[order]
