"""16-bit outputs (stream version 2): a uniform never returns ``high`` after the rounding,
and a std that would underflow the dtype is refused."""

from __future__ import annotations

import numpy as np
import pytest

import winit_fast as wf
from winit_fast._distributions import _uniform_params
from winit_fast._fallback import transforms as t
from winit_fast._validation import as_dtype

ml_dtypes = pytest.importorskip("ml_dtypes", reason="bfloat16 needs ml_dtypes")
SIXTEEN = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
RANGES = ((0.0, 1.0), (-0.05, 0.05), (-1.0, 1.0), (1000.0, 1001.5), (-3.0, -2.9), (0.0, 1e-3))
EVERY_WORD = np.arange(2**24, dtype=np.uint32) << np.uint32(8)  # every float32 uniform


@pytest.mark.parametrize("dtype", SIXTEEN, ids=str)
@pytest.mark.parametrize(("low", "high"), RANGES)
def test_no_uniform_input_rounds_to_high(dtype, low, high):
    """Exhaustive over the 2^24 uniforms: the rounded value stays below high, and the cap
    changes only the values that would have reached it."""
    low_w, span, cap = _uniform_params(low, high, dtype)
    high32 = float(np.float32(high))
    result = t.uniform_f32(EVERY_WORD, low_w, span, cap).astype(dtype).astype(np.float64)
    assert result.max() < high32
    uncapped = (np.float32(low_w) + np.float32(span) * t.u01_f32(EVERY_WORD)).astype(dtype)
    uncapped = uncapped.astype(np.float64)
    below = uncapped < high32
    assert np.array_equal(result[below], uncapped[below])
    # the largest value returned is the largest 16-bit value below high
    assert result.max() == uncapped[below].max()


@pytest.mark.parametrize("dtype", SIXTEEN, ids=str)
def test_version_1_returned_high(dtype):
    """The check above can fail: without the 16-bit cap, uniform(0, 1) rounds to 1.0."""
    low_w, span, _ = _uniform_params(0.0, 1.0, dtype)
    cap32 = np.nextafter(np.float32(1), np.float32(0))  # stream version 1's cap
    result = t.uniform_f32(EVERY_WORD, low_w, span, cap32).astype(dtype).astype(np.float64)
    assert result.max() == 1.0


@pytest.mark.parametrize("dtype", SIXTEEN, ids=str)
def test_public_uniform_stays_below_high(dtype):
    """2^20 values: stream version 1 returned 1.0 about 2^20 * 2^-9 (bfloat16) or
    2^20 * 2^-12 (float16) times here."""
    x = wf.uniform(1 << 20, 0.0, 1.0, seed=3, dtype=dtype).astype(np.float64)
    assert x.max() < 1.0 and x.min() >= 0.0


def test_float32_cap_is_unchanged():
    assert _uniform_params(0.0, 1.0, np.dtype(np.float32))[2] == float(
        np.nextafter(np.float32(1), np.float32(0))
    )


@pytest.mark.parametrize("function", [wf.normal, wf.truncated_normal])
@pytest.mark.parametrize(
    ("dtype", "std"), [("float16", 1e-8), ("float16", 6e-5), ("float32", 1e-39)]
)
def test_std_that_underflows_is_refused(function, dtype, std):
    with pytest.raises(ValueError, match=r"std=.*underflows"):
        function(16, 0.0, std, seed=0, dtype=as_dtype(dtype))


@pytest.mark.parametrize("function", [wf.normal, wf.truncated_normal])
def test_smallest_accepted_std_keeps_its_scale(function):
    std = 2.0**-14  # the smallest normal float16
    x = function(1 << 18, 0.0, std, seed=0, dtype=np.float16).astype(np.float64)
    reference = function(1 << 18, 0.0, std, seed=0).astype(np.float64)
    assert abs(x.std() / reference.std() - 1) < 1e-3
    assert np.count_nonzero(x == 0) < 1e-3 * x.size
    assert function(8, 0.5, 0.0, seed=0, dtype=np.float16).tolist() == [0.5] * 8  # std=0 is fine
