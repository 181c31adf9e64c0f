"""Guarantee 2: the bytes do not depend on the thread count or on how work is split."""

from __future__ import annotations

import numpy as np
import pytest
from support import CORE, FLOAT_DTYPES, same_bytes

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


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("value", [0.0, -2.5])
@pytest.mark.parametrize("misalign", [0, 1, 3])
def test_large_constant_fills_with_streaming_stores(dtype, value, misalign):
    """Above 8 MiB per thread the fill streams past the cache; edges and odd alignment too."""
    base = np.full((1 << 23) + 7, np.nan, dtype)
    out = base[misalign : misalign + (1 << 23)]  # views starting off a 16-byte boundary
    for threads in (1, 2, 3):
        wf.constant(out=out, value=value, n_threads=threads)
        assert (out == dtype(value)).all()
        assert (np.signbit(out) == np.signbit(dtype(value))).all()  # +0.0 stays +0.0
        assert np.isnan(base[:misalign]).all() and np.isnan(base[misalign + out.size :]).all()
        out.fill(np.nan)


@pytest.mark.skipif(
    CORE is None or CORE.runtime_info()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)
@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_big_fill_runs_on_the_team_asked_for(name):
    """The invariance above would also hold for a core that never starts a second thread:
    the core reports the team each fill of this thread ran on."""
    with wf.use_backend("c"):
        for threads in (2, 3):
            FILLS[name](1_000_003, np.float32, threads)
            assert CORE.last_team_size() == threads
        FILLS[name](5, np.float32, 3)
        assert CORE.last_team_size() == 1  # a small fill stays on the calling thread


@pytest.mark.skipif(
    CORE is None or CORE.runtime_info()["openmp"] is None,
    reason="needs the compiled extension winit_fast._core built with OpenMP",
)
def test_a_column_block_runs_on_the_team_asked_for():
    """index= blocks (csrc/wf_runs.c) report their team too: many short rows in parallel."""
    with wf.use_backend("c"):
        for threads in (2, 3):
            wf.normal((70_000, 100), seed=0, index=np.s_[:, 1:65], n_threads=threads)
            assert CORE.last_team_size() == threads
        wf.normal((70_000, 100), seed=0, index=np.s_[:2, 1:65], n_threads=3)
        assert CORE.last_team_size() == 1  # two short rows stay on the calling thread
