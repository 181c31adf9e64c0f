"""Guarantee 4: the NumPy fallback returns the same bytes as the C core."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CORE, FLOAT_DTYPES, needs_core, same_bytes

from winit_fast import _fallback
from winit_fast import _validation as v

pytestmark = needs_core

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


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stream", STREAMS)
def test_normal_and_uniform_match(dtype, seed, stream):
    per = v.PER_BLOCK[np.dtype(dtype)]
    for size in SIZES:
        for block, phase in [(0, 0), (12345, per - 1), (2**64 - 3, 1 % per)]:
            a, b = both("fill_normal", dtype, size, seed, stream, block, phase, -0.5, 3.0, 2)
            assert same_bytes(a, b), ("normal", size, block, phase)
            cap = float(np.nextafter(dtype(2.0), dtype(-1)))
            a, b = both("fill_uniform", dtype, size, seed, stream, block, phase, -1.0, 3.0, cap, 2)
            assert same_bytes(a, b), ("uniform", size, block, phase)


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_words_match(seed):
    a, b = both("fill_raw_u32", np.uint32, 10_007, seed, 77, 2**64 - 100, 3, 2)
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
            a, b = both("fill_normal", dtype, 40_003, 9, 0, 0, 0, mean, std, 2)
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
    per = v.PER_BLOCK[np.dtype(dtype)]
    block, phase = offset // per, offset % per
    a, b = both("fill_normal", dtype, size, seed, stream, block, phase, mean, std, 1)
    assert same_bytes(a, b)
