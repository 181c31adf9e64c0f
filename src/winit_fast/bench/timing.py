"""Timing one fill: warm up once, then the median of repeats, with what makes it doubtful.

A median alone cannot tell a slow library from a busy machine, so each timing also keeps the
spread between its repeats, whether the repeats sit on scheduler ticks (a process that only
gets time slices shows batch times of whole milliseconds), and how many cores other
processes used meanwhile (``/proc/stat`` against this process's own CPU time).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

SLOW_CALL_S = 1.0  # a call this slow gets fewer repeats: its noise is small next to its length
SAMPLE_S = 2e-3  # small sizes are timed in batches of calls lasting at least this long
MAX_SAMPLES = 200

# Above these, a timing is "unreliable" and the report says why instead of a verdict.
MAX_SPREAD = 0.25  # (75th - 25th percentile) / median of the repeats
MAX_OTHER_LOAD = 0.5  # cores used by other processes while timing
TICK_S = 1e-3  # scheduler ticks are whole milliseconds (HZ = 1000, 250 or 100)
ON_TICK_S = 10e-6  # a batch time this close to a whole tick count is "on a tick" (2% by chance)


@dataclass
class Timing:
    seconds: float  # median per call
    spread: float  # interquartile range / median of the per-call samples
    quantized: bool  # most batch times are whole multiples of a scheduler tick
    other_load: float | None  # cores busy with other processes; None: not measurable here
    samples: int

    def doubts(self) -> list[str]:
        """Why this timing should not carry a verdict (empty: it can)."""
        reasons = []
        if self.spread > MAX_SPREAD:
            reasons.append(f"{self.spread:.0%} spread between repeats")
        if self.quantized:
            reasons.append("repeats quantized to scheduler ticks")
        if self.other_load is not None and self.other_load > MAX_OTHER_LOAD:
            reasons.append(f"other processes used {self.other_load:.1f} cores")
        return reasons


def _busy_seconds() -> float | None:
    """CPU seconds spent by the whole machine since boot (all cores), or None off Linux."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()[1:]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal: idle and iowait are not busy
    ticks = [int(f) for f in fields[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass(frozen=True)
class CpuMark:
    """A point in time: wall clock, the machine's busy CPU seconds (None off Linux), and this
    process's own CPU seconds. Two marks give the cores other processes used between them."""

    wall: float
    busy: float | None
    own: float

    @classmethod
    def now(cls) -> CpuMark:
        return cls(time.perf_counter(), _busy_seconds(), _own_seconds())


LOAD_WINDOW_S = 0.05  # /proc/stat counts in 10 ms ticks: a shorter window says nothing


def load_between(start: CpuMark, end: CpuMark) -> float | None:
    """Cores other processes kept busy from ``start`` to ``end``, or None where it cannot be
    measured (no /proc/stat, or a window shorter than LOAD_WINDOW_S)."""
    wall = end.wall - start.wall
    if start.busy is None or end.busy is None or wall < LOAD_WINDOW_S:
        return None
    others = (end.busy - start.busy) - (end.own - start.own)
    return max(0.0, others / wall)


SHARED_WINDOW_S = 0.2  # a timing too short for its own window shares one this long


def load_around(marks: list[CpuMark], end: CpuMark) -> float | None:
    """Cores other processes used in the shortest window that ends at ``end``, starts at one
    of ``marks`` (earlier step boundaries) and lasts SHARED_WINDOW_S: the load around a timing
    too short to measure alone, shared with the timings just before it."""
    for start in reversed(marks):
        if end.wall - start.wall >= SHARED_WINDOW_S:
            return load_between(start, end)
    return load_between(marks[0], end) if marks else None


def other_load(run: Callable[[], object]) -> tuple[object, float | None]:
    """``run()``'s result and the cores other processes kept busy while it ran."""
    start = CpuMark.now()
    result = run()
    return result, load_between(start, CpuMark.now())


def machine_load() -> float | None:
    """The 1-minute load average per core, or None where the OS has none."""
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except (AttributeError, OSError):
        return None


def _quantized(batch_times: list[float]) -> bool:
    """Whether most batch times are a whole number of ticks (at least 2), or repeat the same
    few values: a process that runs only in time slices, or a coarse timer."""
    if len(batch_times) < 3:
        return False
    on_tick = 0
    for elapsed in batch_times:
        ticks = round(elapsed / TICK_S)
        on_tick += ticks >= 2 and abs(elapsed - ticks * TICK_S) <= ON_TICK_S
    distinct = len({round(elapsed, 7) for elapsed in batch_times})  # 0.1 us
    return on_tick * 2 > len(batch_times) or distinct * 2 <= len(batch_times)


def _spread(samples: list[float]) -> float:
    if len(samples) < 4:
        return (max(samples) - min(samples)) / statistics.median(samples)
    quartiles = statistics.quantiles(samples, n=4)
    return (quartiles[2] - quartiles[0]) / statistics.median(samples)


def time_fill(fill: Callable[[], object], *, repeats: int, min_seconds: float) -> Timing:
    """Median wall time of ``fill()`` over at least ``repeats`` samples and ``min_seconds``.

    Small sizes are timed in batches of calls (so a sample is not just timer resolution) and
    the per-call time is reported; calls slower than a second get 3 samples.
    """
    fill()  # warm-up: first-touch page faults, thread team start, caches
    start = time.perf_counter()
    fill()
    once = max(time.perf_counter() - start, 1e-7)
    wanted = 3 if once >= SLOW_CALL_S else repeats
    batch = max(1, int(SAMPLE_S / once))

    def sample() -> list[float]:
        batch_times: list[float] = []
        while len(batch_times) < wanted or sum(batch_times) < min_seconds:
            start = time.perf_counter()
            for _ in range(batch):
                fill()
            batch_times.append(time.perf_counter() - start)
            if len(batch_times) >= MAX_SAMPLES:
                break
        return batch_times

    batch_times, load = other_load(sample)
    assert isinstance(batch_times, list)
    samples = [elapsed / batch for elapsed in batch_times]
    return Timing(
        seconds=statistics.median(samples),
        spread=_spread(samples),
        quantized=_quantized(batch_times),
        other_load=load,
        samples=len(samples),
    )
