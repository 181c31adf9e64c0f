"""Guarantee 2: the bytes do not depend on the thread count or on how work is split."""

from __future__ import annotations

import numpy as np
import pytest
from support import FLOAT_DTYPES, same_bytes

import winit_fast as wf

SIZES = [0, 1, 3, 5, 4097, (1 << 15) + 3, 1_000_003]
THREADS = [1, 2, 3, 7]

FILLS = {
    "uniform": lambda n, dt, t: wf.uniform(n, -2.0, 3.0, seed=11, dtype=dt, n_threads=t),
    "normal": lambda n, dt, t: wf.normal(n, 1.0, 0.5, seed=12, dtype=dt, n_threads=t),
    "normal_offset": lambda n, dt, t: wf.normal(n, seed=13, dtype=dt, offset=7, n_threads=t),
    "truncated": lambda n, dt, t: wf.truncated_normal(
        n, 0, 2, a=-1, b=3, seed=14, dtype=dt, n_threads=t
    ),
    "constant": lambda n, dt, t: wf.constant(n, -1.25, dtype=dt, n_threads=t),
    "zeros": lambda n, dt, t: wf.zeros(n, dtype=dt, n_threads=t),
}


@pytest.mark.parametrize("name", sorted(FILLS))
@pytest.mark.parametrize("dtype", [*FLOAT_DTYPES, np.float16])
@pytest.mark.parametrize("size", SIZES)
def test_thread_count_invariance(name, dtype, size):
    results = [FILLS[name](size, dtype, t) for t in THREADS]
    for other in results[1:]:
        assert same_bytes(results[0], other)


def test_zeros_overwrites_garbage():
    out = np.full(1_000_003, np.nan, np.float32)
    wf.zeros(out=out, n_threads=2)
    assert not out.any() and not np.signbit(out).any()
