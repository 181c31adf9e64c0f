"""Checks beside the throughput grid: extra memory of a fill, GIL release, small calls."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import timeit

import numpy as np

import winit_fast as wf

_MEMORY_PROBE = """
import json, resource, sys, numpy as np, winit_fast as wf
method, size = sys.argv[1], int(sys.argv[2])
out = np.empty((size // 1024, 1024), np.float32)
out.fill(0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kwargs = {} if method == "zeros" else {"seed": 1}
for _ in range(2):
    getattr(wf, method)(out=out, **kwargs)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra_kib": after - before, "output_kib": out.nbytes // 1024}))
"""


def extra_memory(methods: tuple[str, ...], size: int = 1 << 24) -> dict[str, dict]:
    """Peak resident memory a fill adds beyond its (preallocated) output, per method, each in a
    fresh process (ru_maxrss only grows, so the processes must not share it)."""
    if sys.platform == "win32":
        return {}
    report = {}
    for method in methods:
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, method, str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        report[method] = json.loads(result.stdout)
    return report


def gil_overlap(size: int = 1 << 23) -> dict[str, float]:
    """Two Python threads, each filling its own array with n_threads=1: if the GIL is released
    during fills they overlap, and the pair takes about as long as one fill."""
    arrays = [np.empty(size, np.float32) for _ in range(2)]
    for a in arrays:
        wf.normal(out=a, seed=0, n_threads=1)

    def fill(a: np.ndarray) -> None:
        wf.normal(out=a, seed=0, n_threads=1)

    sequential = concurrent = float("inf")
    for _ in range(5):  # best of 5: thread start-up and scheduling noise only add time
        start = time.perf_counter()
        for a in arrays:
            fill(a)
        sequential = min(sequential, time.perf_counter() - start)
        workers = [threading.Thread(target=fill, args=(a,)) for a in arrays]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        concurrent = min(concurrent, time.perf_counter() - start)
    return {
        "sequential_s": sequential,
        "two_threads_s": concurrent,
        "overlap": sequential / concurrent,
    }


def small_call(shape: tuple[int, int] = (64, 64)) -> dict[str, float]:
    """Microseconds per call, allocation included: he_normal vs numpy's standard_normal."""
    rng = np.random.default_rng(0)
    timings = {
        "winit_fast.he_normal": lambda: wf.he_normal(shape, seed=0),
        "numpy standard_normal float32": lambda: rng.standard_normal(shape, dtype=np.float32),
        "numpy standard_normal float64": lambda: rng.standard_normal(shape),
    }
    result = {}
    for name, call in timings.items():
        number = 2000
        best = min(timeit.repeat(call, number=number, repeat=5)) / number
        result[name] = best * 1e6
    return result
