"""Guarantee 4: the NumPy fallback returns the same bytes as the C core."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CORE, FLOAT_DTYPES, needs_core, same_bytes

from winit_fast import _fallback
from winit_fast import _validation as v
from winit_fast._families import BY_NAME as FAMILIES
from winit_fast._normal_cdf import truncation_masses
from winit_fast._stream import per_block

# every comparison runs at each SIMD level the machine has (scalar, sse2, avx2, avx512)
pytestmark = [needs_core, pytest.mark.usefixtures("each_simd_level")]

SEEDS = [0, 1, 0xDEADBEEF, 2**63 + 12345, 2**64 - 1]
STREAMS = [0, 1, 2**40 + 3, 2**64 - 1]
SIZES = [0, 1, 2, 3, 5, 8, 4097, 70_001]


def both(method: str, dtype, size: int, *args):
    outs = []
    for module in (CORE, _fallback):
        out = np.empty(size, dtype)
        getattr(module, method)(out, *args)
        outs.append(out)
    return outs


def fill_both(dtype, size: int, family: str, seed, stream, block, phase, params, n_threads):
    """The backends' fill of ``family`` (by name) into two arrays, one per backend."""
    code = FAMILIES[family].code
    return both("fill", dtype, size, code, seed, stream, block, phase, tuple(params), n_threads)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stream", STREAMS)
def test_normal_and_uniform_match(dtype, seed, stream):
    per = per_block(np.dtype(dtype))
    for size in SIZES:
        for block, phase in [(0, 0), (12345, per - 1), (2**64 - 3, 1 % per)]:
            a, b = fill_both(dtype, size, "normal", seed, stream, block, phase, (-0.5, 3.0), 2)
            assert same_bytes(a, b), ("normal", size, block, phase)
            cap = float(np.nextafter(dtype(2.0), dtype(-1)))
            params = (-1.0, 3.0, cap)
            a, b = fill_both(dtype, size, "uniform", seed, stream, block, phase, params, 2)
            assert same_bytes(a, b), ("uniform", size, block, phase)


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_words_match(seed):
    a, b = fill_both(np.uint32, 10_007, "raw_u32", seed, 77, 2**64 - 100, 3, (), 2)
    assert same_bytes(a, b)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, -3.5e-7, np.inf, np.nan])
def test_constant_matches(dtype, value):
    a, b = both("fill_constant", dtype, 70_001, value, 2)
    assert same_bytes(a, b)


def test_normal_with_extreme_parameters_matches():
    """Tiny and huge std, big mean: the affine map rounds the same way on both sides."""
    for dtype in FLOAT_DTYPES:
        for mean, std in [(0.0, 1e-30), (1e6, 3.0), (-2.5, 1e20), (0.0, 0.0)]:
            a, b = fill_both(dtype, 40_003, "normal", 9, 0, 0, 0, (mean, std), 2)
            assert same_bytes(a, b)


@settings(max_examples=60, deadline=None)
@given(
    dtype=st.sampled_from(FLOAT_DTYPES),
    size=st.integers(0, 5000),
    seed=st.integers(0, 2**64 - 1),
    stream=st.integers(0, 2**64 - 1),
    offset=st.integers(0, 2**64),
    mean=st.floats(-1e3, 1e3),
    std=st.floats(0, 1e3),
)
def test_property_normal_matches(dtype, size, seed, stream, offset, mean, std):
    per = per_block(np.dtype(dtype))
    block, phase = offset // per, offset % per
    a, b = fill_both(dtype, size, "normal", seed, stream, block, phase, (mean, std), 1)
    assert same_bytes(a, b)


SIXTEEN_BIT = [np.float16, pytest.param("bfloat16", id="bfloat16")]
ALL_DTYPES = [*FLOAT_DTYPES, *SIXTEEN_BIT]


def dtype_of(spec):
    return v.as_dtype(spec)


def truncation_params(dtype, mean, std, a, b):
    work = v.working_dtype(dtype).type
    return tuple(float(work(x)) for x in (mean, std, a, b, *truncation_masses(a, b)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    ("a", "b"), [(-2.0, 2.0), (0.5, 3.0), (-30.0, -4.0), (5.0, 6.0), (-1e3, 1e3), (-0.01, 0.01)]
)
def test_truncated_normal_matches(dtype, a, b):
    dt = dtype_of(dtype)
    params = truncation_params(dt, 0.1, 0.5, a, b)
    for size, block, phase in [(1, 0, 3), (7, 2**64 - 2, 1), (40_003, 11, 2)]:
        phase %= per_block(dt)
        a_, b_ = fill_both(dt, size, "truncated_normal", 7, 3, block, phase, params, 2)
        assert same_bytes(a_, b_), (size, block, phase)


@pytest.mark.parametrize("dtype", SIXTEEN_BIT)
def test_sixteen_bit_uniform_and_normal_match(dtype):
    dt = dtype_of(dtype)
    cap = float(np.nextafter(np.float32(2.0), np.float32(-1)))
    a, b = fill_both(dt, 40_003, "uniform", 5, 0, 0, 1, (-1.0, 3.0, cap), 2)
    assert same_bytes(a, b)
    a, b = fill_both(dt, 40_003, "normal", 5, 0, 0, 1, (0.0, 1e-6), 2)  # subnormal float16s
    assert same_bytes(a, b)
    a, b = both("fill_constant", dt, 1001, -0.3, 2)
    assert same_bytes(a, b)


@pytest.mark.parametrize("dtype", SIXTEEN_BIT)
def test_sixteen_bit_is_float32_rounded(dtype):
    """16-bit outputs are the float32 result rounded to nearest even (numpy's astype)."""
    dt = dtype_of(dtype)
    normal = FAMILIES["normal"].code
    for params in [(0.0, 300.0), (0.0, 1e-5)]:
        narrow, wide = np.empty(70_001, dt), np.empty(70_001, np.float32)
        CORE.fill(narrow, normal, 1, 2, 3, 0, params, 2)
        CORE.fill(wide, normal, 1, 2, 3, 0, params, 2)
        assert same_bytes(narrow, wide.astype(dt))
