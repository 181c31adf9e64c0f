"""Fills from many Python threads at once, and Ctrl-C during a long fill."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from support import CORE, same_bytes

import winit_fast as wf

CALLS = [
    lambda i, t: wf.normal(200_003, seed=i, n_threads=t),
    lambda i, t: wf.uniform((300, 701), -1, 1, seed=i, dtype=np.float64, n_threads=t),
    lambda i, t: wf.truncated_normal(100_001, std=0.02, seed=i, offset=i, n_threads=t),
    lambda i, t: wf.he_normal((512, 256), seed=i, dtype=np.float16, n_threads=t),
]


def test_eight_python_threads_get_correct_bytes():
    jobs = [(i, CALLS[i % len(CALLS)], 1 + i % 3) for i in range(8)]
    expected = [call(i, 1) for i, call, _ in jobs]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda job: job[1](job[0], job[2]), jobs))
        for got, want in zip(results, expected, strict=True):
            assert same_bytes(got, want)


def test_threads_filling_disjoint_parts_of_one_array():
    out = np.empty((8, 100_000), np.float32)
    whole = wf.normal(out.size, seed=5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda r: wf.normal(out=out[r], seed=5, offset=r * out.shape[1], n_threads=1),
                range(8),
            )
        )
    assert same_bytes(out.reshape(-1), whole)


INTERRUPTIBLE = """
import signal, sys, time, numpy as np, winit_fast as wf
# A process started in the background by a non-interactive shell inherits SIGINT ignored, and
# Python then leaves it ignored: install the usual KeyboardInterrupt handler explicitly.
signal.signal(signal.SIGINT, signal.default_int_handler)
out = np.empty(1 << 29, np.float64)   # 4 GiB: several seconds of single-threaded work
print("start", flush=True)
started = time.perf_counter()
try:
    with wf.use_backend(sys.argv[1]):
        wf.truncated_normal(out=out, seed=1, n_threads=1)
except KeyboardInterrupt:
    print(f"interrupted after {time.perf_counter() - started:.3f}", flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals (SIGINT to a child)")
@pytest.mark.parametrize("backend", ["c", "python"])
def test_ctrl_c_interrupts_a_long_fill_within_a_second(backend):
    if backend == "c" and CORE is None:
        pytest.skip("needs the compiled extension winit_fast._core")
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTIBLE, backend], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "start"
    time.sleep(0.5)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=60)
    latency = time.perf_counter() - sent
    assert child.returncode == 3, output
    assert "interrupted" in output
    assert latency < 1.5, f"took {latency:.2f} s to stop"
