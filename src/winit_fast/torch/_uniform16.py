"""torch's CPU ``uniform_`` on float16 and bfloat16, fed by winit_fast's raw words.

winit_fast's own 16-bit uniform is not torch's distribution where it matters: over a range
inside float16's subnormals (``uniform_(0, 1e-7)``) it gives 29.8% zeros, torch 40.4%. So
``fast_init`` serves a 16-bit ``uniform_`` with torch's recipe (``uniform_kernel`` in
ATen/native/cpu/DistributionTemplates.h, ``uniform_real`` in ATen/core/TransformationHelper.h,
torch 2.13), one 32-bit word per element where torch takes one from its generator:

- ``from`` and ``to`` become float32 (torch's opmath type for both 16-bit types);
- ``x = (word & (2**24 - 1)) * 2**-24`` (float32's 24 digits: the same for both types);
- ``value = x * (to - from) + from`` in float32, the product and sum fused (one rounding:
  what torch's AVX2 and AVX-512 builds compute; a build without FMA rounds twice, which
  changes a value in about 1 of 50,000 draws, never the distribution);
- the value is rounded to the 16-bit type (to nearest, ties to even), and a value that
  rounded up to ``to`` (as a 16-bit number) becomes ``from``: the range stays ``[from, to)``.

Word ``k`` of ``(seed, stream)`` (:func:`winit_fast.random_raw`) makes element ``k``, so the
values depend only on the seed and the stream. Computed in NumPy a chunk at a time, without
ml_dtypes: bfloat16 is written as its 16-bit words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast import _interface as wfi

_CHUNK = 1 << 20  # elements per pass: bounds the temporaries (about 20 bytes per element)


def _fused(x: np.ndarray, span: np.float32, start: np.float32) -> np.ndarray:
    """``x * span + start`` rounded once to float32, as an FMA. The product of two float32
    is exact in float64; the sum is rounded to odd (a float64 sum that is inexact gets an odd
    last bit), which makes the final rounding to float32 a single correct rounding."""
    product = x.astype(np.float64) * np.float64(span)
    addend = np.float64(start)
    total = product + addend
    part = total - product  # TwoSum: what the float64 sum lost, exactly
    lost = (product - (total - part)) + (addend - part)
    even = (total.view(np.uint64) & np.uint64(1)) == 0
    fix = (lost != 0) & even
    if fix.any():
        total[fix] = np.nextafter(total[fix], np.where(lost[fix] > 0, np.inf, -np.inf))
    return total.astype(np.float32)


def to_bfloat16_bits(values: np.ndarray) -> np.ndarray:
    """float32 values (finite) rounded to bfloat16, to nearest, ties to even: the 16 bits."""
    bits = values.view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return (rounded >> np.uint32(16)).astype(np.uint16)


def _to_bits(values: np.ndarray, bfloat16: bool) -> np.ndarray:
    if bfloat16:
        return to_bfloat16_bits(np.ascontiguousarray(values, dtype=np.float32))
    return np.asarray(values, dtype=np.float32).astype(np.float16).view(np.uint16)


def uniform_bits(words: np.ndarray, low: float, high: float, bfloat16: bool) -> np.ndarray:
    """torch's 16-bit ``uniform_(low, high)`` of raw 32-bit ``words``: the 16-bit words of
    the values (float16's, or bfloat16's with ``bfloat16=True``)."""
    start, stop = np.float32(low), np.float32(high)
    x = (words & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)
    bits = _to_bits(_fused(x, np.float32(stop - start), start), bfloat16)
    # torch compares with ``to`` cast from the double argument straight to the 16-bit type.
    top, bottom = (_to_bits(np.array([v], dtype=np.float64), bfloat16)[0] for v in (high, low))
    bits[bits == top] = bottom
    return bits


def uniform(low: float, high: float) -> Callable[..., Any]:
    """The draw of a 16-bit ``uniform_(low, high)``: ``draw(out=, seed=, stream=)`` as a
    winit_fast function. A ``DryRun`` takes ``wf.uniform``'s checks (the same parameters
    are refused); an array of 2-byte floats (float16, or bfloat16 from ml_dtypes or as
    16-bit words) is written with torch's recipe; a ``DeviceOut`` (a tensor the GPU kernels
    write) gets it computed in a host array, copied in (``TensorWriter.on_host``)."""

    def draw(*, out: Any, seed: Any, stream: Any) -> Any:
        if isinstance(out, wfi.DryRun):
            return wf.uniform(None, low, high, out=out, seed=seed, stream=stream)
        if isinstance(out, wfi.DeviceOut):
            with out.writer.on_host() as host:
                draw(out=host, seed=seed, stream=stream)
            return out
        if not out.flags.c_contiguous:  # a reshape would copy: the values would be lost
            raise ValueError("the 16-bit uniform fill needs a C-contiguous out")
        bfloat16 = out.dtype != np.float16
        flat = out.reshape(-1).view(np.uint16)
        for begin in range(0, flat.size, _CHUNK):
            count = min(_CHUNK, flat.size - begin)
            words = wf.random_raw(count, seed=seed, stream=stream, offset=begin)
            flat[begin : begin + count] = uniform_bits(words, low, high, bfloat16)
        return out

    return draw
