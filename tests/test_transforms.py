"""The word-to-value transforms, checked against independent NumPy arithmetic.

The fallback mirrors the C core operation for operation, so a shared mistake would pass the
backend tests; these tests recompute the values another way.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import winit_fast as wf
from winit_fast._fallback import transforms as t

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")


def raw_blocks(n_blocks: int, seed: int, offset_blocks: int = 0) -> np.ndarray:
    return wf.random_raw(4 * n_blocks, seed=seed, offset=4 * offset_blocks).reshape(-1, 4)


def test_uniform_f32_is_top_24_bits():
    words = wf.random_raw(4000, seed=5)
    expected = (words >> 8).astype(np.float32) * np.float32(2**-24)
    assert np.array_equal(wf.uniform(4000, seed=5), expected)


def test_uniform_f64_is_top_53_bits_of_word_pairs():
    words = wf.random_raw(4000, seed=5).astype(np.uint64)
    joined = words[0::2] | (words[1::2] << np.uint64(32))
    assert np.array_equal(wf.uniform(2000, seed=5, dtype=np.float64), (joined >> 11) * 2.0**-53)


def box_muller_reference(u1: np.ndarray, u2_bits: np.ndarray, bits: int) -> np.ndarray:
    """Box-Muller in float64 with libm, from the radius uniform and an integer angle."""
    u2 = u2_bits.astype(np.float64) * 2.0**-bits
    r = np.sqrt(-2 * np.log(u1))
    return np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], axis=-1)


def radius_uniform_f32(x: np.ndarray) -> np.ndarray:
    """Stream version 2: the odd 31-bit integer (x >> 1) | 1, rounded to float32, * 2**-31."""
    odd = ((x >> 1) | 1).astype(np.float64)
    return odd.astype(np.float32).astype(np.float64) * 2.0**-31


def test_radius_uniform_reaches_2_to_minus_31_and_1():
    x = np.array([0, 3, 4, 7, 2**32 - 1], dtype=np.uint32)
    assert t.u01_radius_f32(x).tolist() == [2.0**-31, 2.0**-31, 3 * 2.0**-31, 3 * 2.0**-31, 1.0]
    assert np.array_equal(t.u01_radius_f32(x), radius_uniform_f32(x))


def test_normal_f32_is_box_muller_on_word_pairs():
    x = raw_blocks(50_000, seed=8)
    ref = np.concatenate(
        [
            box_muller_reference(radius_uniform_f32(x[:, 0]), x[:, 1] >> 8, 24),
            box_muller_reference(radius_uniform_f32(x[:, 2]), x[:, 3] >> 8, 24),
        ],
        axis=1,
    ).reshape(-1)
    got = wf.normal(200_000, seed=8).astype(np.float64)
    np.testing.assert_allclose(got, ref, rtol=0, atol=2e-6)


def test_normal_f64_is_box_muller_on_64_bit_words():
    x = raw_blocks(50_000, seed=8).astype(np.uint64)
    w0 = x[:, 0] | (x[:, 1] << np.uint64(32))
    w1 = x[:, 2] | (x[:, 3] << np.uint64(32))
    ref = box_muller_reference(((w0 >> 11) + 1) * 2.0**-53, w1 >> 11, 53).reshape(-1)
    np.testing.assert_allclose(wf.normal(100_000, seed=8, dtype=np.float64), ref, atol=1e-14)


def ulps(approx: np.ndarray, exact: np.ndarray, dtype) -> np.ndarray:
    spacing = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    return np.abs(approx.astype(np.float64) - exact) / spacing


def test_log_f32_within_2_ulp_for_every_mantissa():
    """Every float32 in [1/2, 1) (all 2^23 mantissas), at the exponents the transforms meet
    (Box-Muller down to 2^-31, the truncated normal's 4pq down to 2^-122): measured 1.7 ulp."""
    m = (np.arange(2**23, dtype=np.uint32) | np.uint32(0x3F000000)).view(np.float32)
    for scale in (1.0, 2.0**-23, 2.0**-31, 2.0**-122):
        u = m * np.float32(scale)
        exact = np.log(u.astype(np.float64))
        nonzero = exact != 0
        assert ulps(t.log_f32(u)[nonzero], exact[nonzero], np.float32).max() <= 2.0
    assert t.log_f32(np.float32([1.0]))[0] == 0


def test_sincos_f32_within_2_ulp_for_every_angle():
    k = np.arange(0, 2**24, dtype=np.uint32)
    c, s = t.sincos_turn_f32(k)
    angle = 2 * np.pi * k.astype(np.float64) / 2**24  # exact enough: float64 vs float32 ulps
    for approx, exact in ((c, np.cos(angle)), (s, np.sin(angle))):
        assert np.abs(approx - exact).max() <= 2 * 2**-24  # absolute, near the zeros
        big = np.abs(exact) > 2**-10
        assert ulps(approx[big], exact[big], np.float32).max() <= 2.0


@pytest.fixture(scope="module")
def f64_sample():
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            rng.integers(1, 2**53, 1500, dtype=np.uint64),
            np.arange(1, 200, dtype=np.uint64),
            (2**53 - np.arange(0, 200)).astype(np.uint64),
            np.uint64([2**51, 2**52, 3 * 2**51]),
        ]
    )


def test_log_f64_within_2_01_ulp(f64_sample):
    """The audit measured 2.007 ulp at worst over 2^30 inputs against mpmath."""
    mpmath.mp.dps = 40
    u = f64_sample.astype(np.float64) * 2.0**-53
    exact = np.array([float(mpmath.log(mpmath.mpf(x))) for x in u])
    nonzero = exact != 0
    assert ulps(t.log_f64(u)[nonzero], exact[nonzero], np.float64).max() <= 2.01


def test_sincos_f64_within_2_ulp(f64_sample):
    mpmath.mp.dps = 40
    k = f64_sample % np.uint64(2**53)
    c, s = t.sincos_turn_f64(k)
    turns = [mpmath.mpf(int(x)) / 2**53 for x in k]
    exact_c = np.array([float(mpmath.cos(2 * mpmath.pi * x)) for x in turns])
    exact_s = np.array([float(mpmath.sin(2 * mpmath.pi * x)) for x in turns])
    for approx, exact in ((c, exact_c), (s, exact_s)):
        assert np.abs(approx - exact).max() <= 2 * 2**-53
        big = np.abs(exact) > 2**-10
        assert ulps(approx[big], exact[big], np.float64).max() <= 2.0
