"""Fills in NumPy: the mirror of ``csrc/wf_fill.c`` and ``csrc/wf_kernels_scalar.c``.

The backend interface of ``winit_fast._core`` (docs/architecture.md, "adding a backend"):
the public API has already checked and rounded the arguments. ``n_threads`` is accepted and
ignored (NumPy runs on one thread here).
"""

from __future__ import annotations

import platform
from collections.abc import Callable

import numpy as np

from winit_fast._fallback import transforms as t
from winit_fast._fallback.philox import STEP_BLOCKS, block_words, philox4x32_10
from winit_fast._families import BY_CODE
from winit_fast._stream import blocks_used, locate, per_block

Values = Callable[[t.Words], np.ndarray]  # a block's words to its elements, parameters bound


def philox4x32(counters: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """The block function over a uint32 array of shape ``(n, 4)``."""
    c0, c1, c2, c3 = (counters[:, i] for i in range(4))
    words = philox4x32_10(c0, c1, c2, c3, k0, k1)
    return np.stack(words, axis=1)


def block_values(family: int, dtype: np.dtype, params: tuple) -> Values:
    """The per-block values of ``family`` at ``params`` for an output of ``dtype``: those of
    its float64 kernel for float64, of its 32-bit kernel for the others (as wf_make_job
    picks them); a family and dtype that do not go together are a ``TypeError``."""
    name = BY_CODE[family].name
    narrow, wide = t.FAMILIES[name]
    kernel = wide if dtype == np.float64 else narrow
    if kernel is None or (name == "raw_u32") != (dtype == np.uint32):
        raise TypeError(f"out has dtype {dtype}, which family {name!r} does not write")
    return lambda words: kernel(words, params)


def write(out: np.ndarray, fill_values: Callable[[np.ndarray], None]) -> None:
    """``fill_values(target)`` into ``out``: directly, or for a 16-bit ``out`` into float32
    values then rounded (as the C core rounds float32 to float16/bfloat16)."""
    if out.dtype.itemsize != 2:
        fill_values(out)
        return
    wide = np.empty(out.shape, np.float32)
    fill_values(wide)
    out[...] = wide.astype(out.dtype)


def fill_range(flat: np.ndarray, seed: int, stream: int, block: int, phase: int, values) -> None:
    """Stream positions ``phase, phase + 1, ...`` of block ``block`` into ``flat``."""
    per = per_block(flat.dtype)
    begin, end = phase, phase + flat.size  # positions counted from the start of `block`
    first, last = locate(begin, per)[0], blocks_used(end, per)
    for b in range(first, last, STEP_BLOCKS):
        nb = min(STEP_BLOCKS, last - b)
        chunk = values(block_words(seed, stream, (block + b) % (1 << 64), nb))
        lo = max(begin, b * per)
        hi = min(end, (b + nb) * per)
        flat[lo - begin : hi - begin] = chunk[lo - b * per : hi - b * per]


def fill(out, family, seed, stream, block, phase, params, n_threads) -> None:
    values = block_values(family, out.dtype, params)
    write(out, lambda target: fill_range(target.reshape(-1), seed, stream, block, phase, values))


def fill_constant(out, value, n_threads) -> None:
    out.reshape(-1)[...] = value


def max_threads() -> int:
    return 1


def runtime_info() -> dict:
    return {
        "backend": "python",
        "simd": "numpy",
        "simd_available": "numpy",
        "openmp": None,
        "openmp_version": None,
        "max_threads": 1,
        "machine": platform.machine(),
    }
