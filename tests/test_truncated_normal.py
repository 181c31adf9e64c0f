"""The truncated normal: the right distribution at any std, bound and dtype."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from scipy import special, stats
from support import same_bytes

import winit_fast as wf
from winit_fast._fallback import transforms as t
from winit_fast._normal_cdf import truncation_masses

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

N = 1 << 20
ALPHA = 1e-4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("a", "b"), [(-2.0, 2.0), (-1.0, 3.0), (0.0, 0.5), (4.0, 6.0), (-8, -5)])
def test_matches_scipy_truncnorm(dtype, a, b):
    mean, std = 0.25, 1.5
    x = wf.truncated_normal(N, mean, std, a=a, b=b, seed=1, dtype=dtype).astype(np.float64)
    reference = stats.truncnorm(a, b, loc=mean, scale=std)
    assert x.min() >= mean + a * std - 1e-6 and x.max() <= mean + b * std + 1e-6
    assert stats.kstest(x, reference.cdf).pvalue > ALPHA
    assert abs(x.mean() - reference.mean()) < 5 * reference.std() / np.sqrt(N)
    assert abs(x.std() / reference.std() - 1) < 0.01


def test_tiny_std_keeps_the_shape():
    """torch's old inverse-CDF version clamped at std=0.002 (kurtosis ~28000 instead of -0.63)."""
    std = 0.002
    x = wf.truncated_normal(N, std=std, seed=2).astype(np.float64) / std
    assert abs(stats.kurtosis(x) - stats.truncnorm(-2, 2).stats(moments="k")) < 0.02
    assert stats.kstest(x, stats.truncnorm(-2, 2).cdf).pvalue > ALPHA
    at_bounds = np.count_nonzero(np.abs(x) >= 2 - 1e-6)
    assert at_bounds < 5  # no pile-up: the density at the bound is finite


@pytest.mark.parametrize("dtype", [np.float16, "bfloat16"])
def test_sixteen_bit_has_no_excess_mass_at_the_bounds(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs ml_dtypes")
    std = 0.02
    x = wf.truncated_normal(N, std=std, seed=3, dtype=dtype)
    wide = x.astype(np.float64)
    lo, hi = np.float64(x.dtype.type(-2 * std)), np.float64(x.dtype.type(2 * std))
    assert wide.min() >= lo and wide.max() <= hi
    # the share of values on the two outermost representable levels matches the float32 run
    reference = wf.truncated_normal(N, std=std, seed=3).astype(x.dtype).astype(np.float64)
    assert np.array_equal(wide, reference)
    reference_kurtosis = stats.truncnorm(-2, 2).stats(moments="k")
    assert abs(stats.kurtosis(wide / std) - reference_kurtosis) < 0.03  # the shape survives
    levels = np.unique(wide)
    edge = np.count_nonzero((wide == levels[0]) | (wide == levels[-1]))
    inner = np.count_nonzero((wide == levels[1]) | (wide == levels[-2]))
    assert edge <= 2 * inner + 20


def test_sixteen_bit_is_float32_rounded():
    x32 = wf.truncated_normal(10_001, std=0.5, seed=4)
    assert same_bytes(
        wf.truncated_normal(10_001, std=0.5, seed=4, dtype=np.float16), x32.astype(np.float16)
    )


def test_bounds_far_in_one_tail():
    x = wf.truncated_normal(N, a=20.0, b=21.0, seed=5, dtype=np.float64)
    assert x.min() >= 20 and x.max() <= 21
    # nearly exponential above 20: mean excess about 1/20
    assert abs((x - 20).mean() - 1 / 20.0) < 0.002


def test_symmetric_bounds_give_a_symmetric_sample():
    x = wf.truncated_normal(N, seed=6, dtype=np.float64)
    assert abs(stats.skew(x)) < 0.01


def ulps(approx, exact, dtype):
    spacing = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    return np.abs(approx.astype(np.float64) - exact) / spacing


def test_float64_inverse_cdf_error_in_ulp():
    """AS 241 (PPND16) as evaluated here: against mpmath down to t = 1e-30, measured 3 ulp on
    this sample (scipy's ndtri: 4); against scipy down to 2^-1000, measured 7 ulp (the audit:
    8 on 2^30 samples)."""
    mpmath.mp.dps = 60
    tails = np.concatenate([np.geomspace(1e-30, 0.5, 600), np.linspace(0.05, 0.5, 200)])
    exact = np.array([float(-mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(x) - 1)) for x in tails])
    z = t.ndtri_upper_f64(tails)
    away_from_zero = np.abs(exact) > 1e-3
    assert ulps(z[away_from_zero], exact[away_from_zero], np.float64).max() <= 4.0
    assert np.abs(z - exact)[~away_from_zero].max() < 1e-15
    far = np.geomspace(2.0**-1000, 1e-30, 200_000)
    assert ulps(t.ndtri_upper_f64(far), -special.ndtri(far), np.float64).max() <= 8.0


EVERY_WORD = np.arange(2**23, dtype=np.uint32) << np.uint32(9)  # each u = (2k + 1) 2^-24


def exact_z(a: float, b: float) -> np.ndarray:
    """The standard normal quantile of every float32 point u, in float64 (scipy's erfinv and
    ndtri, within 1e-15 relative of mpmath: test_float64_reference_is_exact)."""
    p_lo, q_hi, mass = truncation_masses(a, b)
    u = (2 * (EVERY_WORD >> np.uint32(9)).astype(np.float64) + 1) * 2.0**-24
    x = (p_lo - q_hi) + mass * (2 * u - 1)
    p, q = p_lo + mass * u, q_hi + mass * (1 - u)
    tails = np.where(p <= q, special.ndtri(p), -special.ndtri(q))
    return np.where(np.abs(x) < 0.9, np.sqrt(2) * special.erfinv(x), tails)


def float32_z(a: float, b: float) -> np.ndarray:
    params = t.truncnorm_params_f32((0.0, 1.0, a, b, *truncation_masses(a, b)))
    return t.truncnorm_z_f32(EVERY_WORD, params)


def test_float64_reference_is_exact():
    """The float64 reference is within 1e-12 relative of mpmath (float32's ulp is 6e-8)."""
    mpmath.mp.dps = 60
    rng = np.random.default_rng(0)
    for a, b in ((-2.0, 2.0), (-0.3, 2.0), (4.0, 9.0), (11.0, 12.5)):
        sample = rng.choice(EVERY_WORD.size, 200, replace=False)
        p_lo, q_hi, mass = (mpmath.mpf(v) for v in truncation_masses(a, b))
        for k, reference in zip(sample.tolist(), exact_z(a, b)[sample].tolist(), strict=True):
            u = (2 * k + 1) * mpmath.mpf(2) ** -24
            p, q = p_lo + mass * u, q_hi + mass * (1 - u)  # each accurate in its own tail
            x = p - q if min(p, q) > 0.01 else (2 * p - 1 if p < q else 1 - 2 * q)
            z = float(mpmath.sqrt(2) * mpmath.erfinv(x))
            assert abs(reference - z) <= 1e-12 * max(abs(z), 1e-3)


@pytest.mark.parametrize(
    ("a", "b", "bound"),
    [
        (-2.0, 2.0, 3.8),  # the Keras default, all in the central piece: measured 3.74
        (-2.2, 2.2, 4.6),  # the central piece's edge: 4.53
        (-3.0, 3.0, 4.4),  # central and tail: 4.30
        (-6.0, 6.0, 3.4),  # 3.35
        (2.0, 2.3, 3.0),  # 2.99
        (-9.0, -3.5, 3.9),  # the tail piece alone: 3.81
        (4.0, 9.0, 2.8),  # 2.78
        (11.0, 12.5, 2.2),  # the far tail: 2.18
    ],
)
def test_float32_inverse_cdf_error_in_ulp_for_every_input(a, b, bound):
    """Exhaustive over the 2^23 inputs: relative precision everywhere for these bounds,
    both tails and (symmetric bounds: x is formed directly) near 0."""
    error = ulps(float32_z(a, b), exact_z(a, b), np.float32)
    assert error.max() <= bound


@pytest.mark.parametrize(("a", "b"), [(-1.0, 3.0), (0.0, 0.5), (-0.3, 2.0), (-4.0, 1.0)])
def test_float32_asymmetric_bounds_error(a, b):
    """Asymmetric bounds: d = Phi(a) - Phi(-b) rounded to float32 leaves an absolute error
    near z = 0 (measured at most 1.07e-7 below |z| = 0.25), so the bound in ulp holds from
    |z| = 0.25 on (measured 6.12)."""
    z, exact = float32_z(a, b), exact_z(a, b)
    away = np.abs(exact) >= 0.25
    assert ulps(z[away], exact[away], np.float32).max() <= 6.2
    assert np.abs(z - exact)[~away].max() <= 1.1e-7
