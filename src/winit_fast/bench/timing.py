"""Timing one fill: warm up once, then the median of repeats that last long enough."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

SLOW_CALL_S = 1.0  # a call this slow is timed once: its noise is small next to its length


def median_seconds(fill: Callable[[], object], *, repeats: int, min_seconds: float) -> float:
    """Median wall time of ``fill()`` over at least ``repeats`` runs and ``min_seconds`` in all.

    Small sizes are timed in batches of calls (so a sample is not just timer noise) and the
    per-call time is reported; calls slower than a second are timed once after the warm-up.
    """
    fill()  # warm-up: first-touch page faults, thread team start, caches
    start = time.perf_counter()
    fill()
    once = max(time.perf_counter() - start, 1e-7)
    if once >= SLOW_CALL_S:
        return once
    batch = max(1, int(2e-3 / once))  # a sample lasts at least ~2 ms
    samples: list[float] = []
    total = 0.0
    while len(samples) < repeats or total < min_seconds:
        start = time.perf_counter()
        for _ in range(batch):
            fill()
        elapsed = time.perf_counter() - start
        samples.append(elapsed / batch)
        total += elapsed
        if len(samples) >= 200:
            break
    return statistics.median(samples)
