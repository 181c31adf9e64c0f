"""What an output dtype can hold, as the stream contract uses it (docs/stream.md).

* ``uniform_cap``: the largest working-precision value a uniform may return so that, once
  rounded to the output dtype, it stays below ``high``. float16 and bfloat16 are computed in
  float32 and rounded, and the rounding can reach ``high`` (bfloat16 ``uniform(0, 1)``
  returned exactly 1.0 with probability 2**-9 in stream version 1), so their cap is the
  largest float32 that rounds to a 16-bit value below ``high``: clamping there is clamping
  after the rounding.
  The search starts at the 16-bit type's own lowest finite value, never at float32's (which
  rounds to -inf in 16 bits).
* ``holds_a_value``: whether ``[low, high)`` holds any finite value of the output dtype; a
  uniform over an interval that holds none is refused, since every value would lie outside.
* ``smallest_normal``: a normal or truncated normal whose ``std`` is below the smallest
  normal number of the output dtype is refused, since its values would land on the
  subnormal grid (float16 ``std=1e-8`` gave 99.7% exact zeros and 0.32 of the std).
"""

from __future__ import annotations

import functools
import math

import numpy as np

SMALLEST_NORMAL = {
    "float16": 2.0**-14,
    "bfloat16": 2.0**-126,
    "float32": 2.0**-126,
    "float64": 2.0**-1022,
}

# The lowest finite value of each 16-bit dtype, exact in float32.
LOWEST_16 = {"float16": -65504.0, "bfloat16": -(2.0**128 - 2.0**120)}

_SIGN = 0x80000000


def smallest_normal(dtype: np.dtype) -> float:
    return SMALLEST_NORMAL[dtype.name]


def _key(value: np.float32) -> int:
    """float32 -> an int of the same order (-0.0 and 0.0 both 0)."""
    bits = int(np.float32(value).view(np.uint32))
    return -(bits & ~_SIGN) if bits & _SIGN else bits


def _from_key(key: int) -> np.float32:
    bits = key if key >= 0 else _SIGN | -key
    return np.uint32(bits).view(np.float32)


@functools.lru_cache(maxsize=256)
def uniform_cap(high_w: np.floating, dtype: np.dtype) -> np.floating:
    """The cap of ``uniform`` (in the working precision of ``dtype``), for ``low_w < high_w``."""
    cap = np.nextafter(high_w, high_w.dtype.type(-np.inf))
    if dtype.itemsize != 2:
        return cap
    high = float(high_w)

    def below_high(key: int) -> bool:  # rounding is monotone, so this is a threshold
        return float(np.array(_from_key(key)).astype(dtype)) < high

    lo, hi = _key(np.float32(LOWEST_16[dtype.name])), _key(cap)
    if below_high(hi):
        return cap
    if not below_high(lo):  # callers check holds_a_value first: this cannot happen
        raise ValueError(f"no finite {dtype} value lies below high={high}")
    while hi - lo > 1:  # invariant: below_high(lo) and not below_high(hi)
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if below_high(mid) else (lo, mid)
    return _from_key(lo)


def holds_a_value(low: float, high: float, dtype: np.dtype) -> bool:
    """Whether ``[low, high)`` holds a finite value of ``dtype`` (``low < high``)."""
    value = np.array(low).astype(dtype)  # the nearest value, then up to the first >= low
    if float(value) < low:
        value = np.nextafter(value, np.array(np.inf, dtype))
    return math.isfinite(float(value)) and float(value) < high
