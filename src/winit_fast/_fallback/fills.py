"""Fills in NumPy: the mirror of ``csrc/wf_fill.c`` and ``csrc/wf_kernels_scalar.c``.

Same arguments as ``winit_fast._core``: the public API has already validated them.
``n_threads`` is accepted and ignored (NumPy runs on one thread here).
"""

from __future__ import annotations

import platform
from collections.abc import Callable

import numpy as np

from winit_fast._fallback import transforms as t
from winit_fast._fallback.gather import ShortRuns
from winit_fast._fallback.philox import block_words, philox4x32_10
from winit_fast._validation import per_block

# Blocks generated per step: bounds the temporaries to a few tens of MB.
STEP_BLOCKS = 1 << 18

BlockValues = Callable[[tuple[np.ndarray, ...]], np.ndarray]


def philox4x32(counters: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """The block function over a uint32 array of shape ``(n, 4)``."""
    c0, c1, c2, c3 = (counters[:, i] for i in range(4))
    words = philox4x32_10(c0, c1, c2, c3, k0, k1)
    return np.stack(words, axis=1)


def _interleave(*columns: np.ndarray) -> np.ndarray:
    """Elements of each block in order: column j holds element j of every block."""
    return np.stack(columns, axis=1).reshape(-1)


def _fill(out, seed, stream, block, phase, values: BlockValues) -> None:
    per = per_block(out.dtype)
    flat = out.reshape(-1)
    if isinstance(block, ShortRuns):  # fill_*_runs (runs.py): many short ranges, not one
        block.fill(flat, seed, stream, per, values)
        return
    n = flat.size
    begin, end = phase, phase + n  # positions counted from the start of `block`
    first = begin // per
    last = (end + per - 1) // per
    for b in range(first, last, STEP_BLOCKS):
        nb = min(STEP_BLOCKS, last - b)
        chunk = values(block_words(seed, stream, (block + b) % (1 << 64), nb))
        lo = max(begin, b * per)
        hi = min(end, (b + nb) * per)
        flat[lo - begin : hi - begin] = chunk[lo - b * per : hi - b * per]


def fill_raw_u32(out, seed, stream, block, phase, n_threads) -> None:
    _fill(out, seed, stream, block, phase, lambda x: _interleave(*x))


def _fill_values(out, seed, stream, block, phase, values_f32, values_f64) -> None:
    """Fills out from per-block values: float64 directly, every other dtype from float32
    values rounded to it (as the C core rounds float32 to float16/bfloat16)."""
    if out.dtype == np.float64:
        _fill(out, seed, stream, block, phase, values_f64)
    elif out.dtype == np.float32:
        _fill(out, seed, stream, block, phase, values_f32)
    else:
        wide = np.empty(out.shape, np.float32)
        _fill(wide, seed, stream, block, phase, values_f32)
        out[...] = wide.astype(out.dtype)


def fill_uniform(out, seed, stream, block, phase, low, span, cap, n_threads) -> None:
    def values_f32(x):
        return _interleave(*(t.uniform_f32(w, low, span, cap) for w in x))

    def values_f64(x):
        lo, sp, cp = t.f64(low), t.f64(span), t.f64(cap)
        words = (t.join64(x[0], x[1]), t.join64(x[2], x[3]))
        return _interleave(*(np.minimum(lo + sp * t.u01_f64(w), cp) for w in words))

    _fill_values(out, seed, stream, block, phase, values_f32, values_f64)


def fill_normal(out, seed, stream, block, phase, mean, std, n_threads) -> None:
    def values_f32(x):
        m, s = t.f32(mean), t.f32(std)
        z0, z1 = t.box_muller_f32(x[0], x[1])
        z2, z3 = t.box_muller_f32(x[2], x[3])
        return _interleave(*(m + s * z for z in (z0, z1, z2, z3)))

    def values_f64(x):
        m, s = t.f64(mean), t.f64(std)
        z0, z1 = t.box_muller_f64(t.join64(x[0], x[1]), t.join64(x[2], x[3]))
        return _interleave(m + s * z0, m + s * z1)

    _fill_values(out, seed, stream, block, phase, values_f32, values_f64)


def fill_truncated_normal(out, seed, stream, block, phase, params, n_threads) -> None:
    def values_f32(x):
        return _interleave(*(t.truncnorm(w, params) for w in x))

    def values_f64(x):
        words = (t.join64(x[0], x[1]), t.join64(x[2], x[3]))
        return _interleave(*(t.truncnorm(w, params) for w in words))

    _fill_values(out, seed, stream, block, phase, values_f32, values_f64)


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
