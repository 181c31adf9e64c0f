"""A subset of fills for valgrind memcheck (tools/valgrind.sh): every kernel, dtype, edge
size and offset, through both the C core and the public API, small enough for valgrind."""

import numpy as np

import winit_fast as wf
from winit_fast import _core

for level in _core.SIMD_LEVELS:
    _core.set_simd(level)  # clamped to what the CPU has: every available level is exercised
    for dtype in (np.float32, np.float64, np.float16, "bfloat16"):
        for n in (0, 1, 3, 5, 17, 4097, 40_001):
            for offset in (0, 1, 3):
                wf.uniform(n, -1.0, 2.0, seed=1, dtype=dtype, offset=offset, n_threads=2)
                wf.normal(n, 0.5, 2.0, seed=2, dtype=dtype, offset=offset, n_threads=2)
                wf.truncated_normal(n, std=0.1, seed=3, dtype=dtype, offset=offset, n_threads=2)
                wf.constant(n, 0.25, dtype=dtype, n_threads=2)
        wf.he_normal((37, 23), seed=4, dtype=dtype, index=np.s_[3:30, 5:17])
    wf.random_raw(40_003, seed=5, offset=7)
    wf.philox4x32(np.arange(400, dtype=np.uint32).reshape(100, 4), np.array([1, 2], np.uint32))
print("valgrind subset done")
