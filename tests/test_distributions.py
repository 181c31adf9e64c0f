"""The values have the distributions they claim (scipy as the reference)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from support import FLOAT_DTYPES

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

N = 1 << 20  # >= 10^6 samples per check
ALPHA = 1e-4  # a correct generator fails a single KS test this rarely; the seeds are fixed


def anderson_darling_passes(z: np.ndarray) -> bool:
    """Anderson-Darling normality at the 1% level, with either scipy API."""
    try:
        return stats.anderson(z, "norm", method="interpolate").pvalue > 0.01
    except TypeError:  # scipy < 1.17: no `method`, critical values instead
        result = stats.anderson(z, "norm")
        return result.statistic < result.critical_values[-1]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-3.0, 5.0), (1.0, 2.0)])
def test_uniform_distribution(dtype, low, high):
    x = wf.uniform(N, low, high, seed=101, dtype=dtype)
    assert x.min() >= low and x.max() < high
    width = high - low
    assert abs(x.mean() - (low + high) / 2) < 5 * width / np.sqrt(12 * N)
    assert abs(x.var(dtype=np.float64) / (width**2 / 12) - 1) < 0.01
    assert stats.kstest(x, stats.uniform(low, width).cdf).pvalue > ALPHA


def test_uniform_never_returns_high_even_when_rounding_would():
    # 1 + u rounds to 2 for the largest u in float32 (a tie to even); the cap prevents it
    x = wf.uniform(N, 1.0, 2.0, seed=7)
    assert x.max() < 2.0
    assert np.float32(2.0) not in x


def test_uniform_low_equals_high():
    assert np.all(wf.uniform(100, 3.0, 3.0, seed=1) == 3.0)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize(("mean", "std"), [(0.0, 1.0), (2.5, 0.02), (-1.0, 3.0)])
def test_normal_distribution(dtype, mean, std):
    x = wf.normal(N, mean, std, seed=202, dtype=dtype).astype(np.float64)
    assert abs(x.mean() - mean) < 5 * std / np.sqrt(N)
    assert abs(x.std() / std - 1) < 0.005
    z = (x - mean) / std
    assert abs(stats.skew(z)) < 0.02 and abs(stats.kurtosis(z)) < 0.04
    assert stats.kstest(z, "norm").pvalue > ALPHA
    assert anderson_darling_passes(z)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normal_pairs_are_uncorrelated(dtype):
    x = wf.normal(N, seed=303, dtype=dtype).astype(np.float64)
    r = np.corrcoef(x[0::2], x[1::2])[0, 1]
    assert abs(r) < 5 / np.sqrt(N / 2)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normal_tail_frequency(dtype):
    n = 1 << 24
    x = wf.normal(n, seed=404, dtype=dtype)
    tail = np.count_nonzero(np.abs(x) > 4)
    expected = n * 2 * stats.norm.sf(4)  # about 1063
    assert abs(tail - expected) < 5 * np.sqrt(expected)


def test_no_inf_or_nan_in_1e8_float32_normals():
    chunk = np.empty(10**7, np.float32)
    for i in range(10):
        wf.normal(out=chunk, seed=505, offset=i * chunk.size)
        assert np.isfinite(chunk).all()
        assert np.abs(chunk).max() < 6.56  # sqrt(-2 ln 2^-31) = 6.555 bounds the radius


def test_seeds_and_streams_differ():
    base = wf.normal(1000, seed=1)
    assert not np.array_equal(base, wf.normal(1000, seed=2))
    assert not np.array_equal(base, wf.normal(1000, seed=1, stream=1))
    assert np.array_equal(base, wf.normal(1000, seed=1))


def test_seed_none_draws_fresh_values():
    assert not np.array_equal(wf.normal(64), wf.normal(64))


def anderson_darling_via_normal_scores(x: np.ndarray, cdf) -> bool:
    """Anderson-Darling for any continuous law: map the sample through its CDF (uniform if
    the law is right), then through the normal quantile, and test normality at 1%."""
    u = np.clip(cdf(x.astype(np.float64)), 1e-300, 1 - 1e-16)
    return anderson_darling_passes(stats.norm.ppf(u))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_anderson_darling_uniform(dtype):
    x = wf.uniform(N, -1.0, 3.0, seed=606, dtype=dtype)
    assert anderson_darling_via_normal_scores(x, stats.uniform(-1.0, 4.0).cdf)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize(("a", "b"), [(-2.0, 2.0), (0.5, 4.0)])
def test_anderson_darling_truncated_normal(dtype, a, b):
    x = wf.truncated_normal(N, 0.1, 0.5, a=a, b=b, seed=707, dtype=dtype)
    assert anderson_darling_via_normal_scores(x, stats.truncnorm(a, b, loc=0.1, scale=0.5).cdf)
