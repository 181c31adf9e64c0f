"""Numeric edges, through the public API on both backends: a finite 16-bit range never gives
infinities, an interval that holds no value of the dtype is refused, signed zeros and empty
fills at the end of the stream are the same bytes on both backends, and every bad argument is
a TypeError/ValueError naming it."""

from __future__ import annotations

import numpy as np
import pytest

import winit_fast as wf

ml_dtypes = pytest.importorskip("ml_dtypes", reason="needs ml_dtypes for bfloat16")
SIXTEEN_BIT = ["float16", "bfloat16"]


NEAR_THE_ENDS = {
    "float16": [(-65519.0, -65400.0), (-65504.0, -65000.0), (65000.0, 65519.0)],
    "bfloat16": [(-65519.0, -65000.0), (-3.3895e38, -3.37e38), (3.38e38, 3.3961e38)],
}


@pytest.mark.parametrize("dtype", SIXTEEN_BIT)
def test_a_finite_16_bit_range_never_gives_infinity(each_backend, dtype):
    # the cap search starts at the 16-bit type's own lowest value, not float32's (-inf there)
    for low, high in NEAR_THE_ENDS[dtype]:
        x = wf.uniform(4096, low, high, seed=0, dtype=dtype).astype(np.float64)
        assert np.isfinite(x).all(), (low, high)
        assert x.max() < high


@pytest.mark.parametrize(
    ("low", "high", "dtype"),
    [
        (-65519.0, -65504.0, "float16"),  # the only value below -65504 is -inf
        (-65519.0, -65504.0, "bfloat16"),  # -65536 and -65280 lie outside
        (0.1, 0.10002, "float16"),  # between 0.09997559 and 0.10003662
        (0.1, 0.1 + 1e-10, "float32"),
        (-1e-46, 0.0, "float32"),  # only -0.0 == 0.0, which is not below high
    ],
)
def test_an_interval_holding_no_value_of_the_dtype_is_refused(each_backend, low, high, dtype):
    with pytest.raises(ValueError, match=r"\[low, high\) = .* holds no finite"):
        wf.uniform(8, low, high, seed=0, dtype=dtype)


def both_backends(fill):
    results = []
    for name in ("c", "python"):
        if name == "c" and "c" not in available_backends():
            continue
        with wf.use_backend(name):
            results.append(fill())
    return results


def available_backends():
    from support import CORE

    return ("c", "python") if CORE is not None else ("python",)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize(
    "fill",
    [
        lambda dt: wf.uniform(1000, -1e-46, 1e-46, seed=1, dtype=dt),  # span 0 after rounding
        lambda dt: wf.uniform(1000, -1e-320, 1e-320, seed=1, dtype=dt),
        lambda dt: wf.normal(1000, -1e-46, 0.0, seed=1, dtype=dt),
        lambda dt: wf.truncated_normal(1000, -5e-324, 0.0, seed=1, dtype=dt),
    ],
    ids=["uniform", "uniform subnormal", "normal", "truncated_normal"],
)
def test_a_parameter_that_rounds_to_zero_is_plus_zero_on_both_backends(fill, dtype):
    """A zero parameter is +0.0 (docs/stream.md), also one that gets there by rounding: the
    C core wrote +0.0 and the fallback -0.0 before."""
    results = both_backends(lambda: fill(dtype))
    for result in results:
        assert (result.astype(np.float64) == 0).all()
        assert not np.signbit(result.astype(np.float32)).any()
        assert result.tobytes() == results[0].tobytes()


@pytest.mark.parametrize(
    "fill",
    [
        lambda: wf.uniform(0, seed=0, offset=4 * 2**64),
        lambda: wf.normal(0, seed=0, offset=4 * 2**64),
        lambda: wf.uniform(0, seed=0, dtype="float64", offset=2 * 2**64),
        lambda: wf.random_raw(0, seed=0, offset=2**66),
        lambda: wf.uniform((4, 4), seed=0, offset=4 * 2**64 - 16, index=np.s_[:0]),
    ],
)
def test_an_empty_fill_at_the_end_of_the_stream_is_empty_on_both_backends(fill):
    for result in both_backends(fill):
        assert result.size == 0


def test_a_fill_past_the_end_of_the_stream_is_refused_on_both_backends():
    for name in available_backends():
        with wf.use_backend(name), pytest.raises(ValueError, match="offset"):
            wf.uniform(1, seed=0, offset=4 * 2**64)


BAD = [
    (lambda: wf.he_normal((3, 3), fan_in=10**400, seed=0), ValueError, "fan_in"),
    (lambda: wf.glorot_uniform((3, 3), fan_in=10**400, fan_out=2, seed=0), ValueError, "fan_in"),
    (lambda: wf.zeros((1,) * 65), ValueError, r"shape with 65 dimensions"),
    (lambda: wf.normal((2**62,), seed=0), ValueError, r"shape \(4611686018427387904,\)"),
    (lambda: wf.uniform((2**40, 2**40), seed=0), ValueError, "shape"),
    (lambda: wf.normal(3, seed=0, stream="w\ud800"), ValueError, "stream must be Unicode"),
    (lambda: wf.Generator(0, stream="\udcff").normal(3), ValueError, "stream must be Unicode"),
    (lambda: wf.uniform(3, seed=0, dtype="\ud800"), TypeError, "dtype"),
    (lambda: wf.Generator(0).normal(3, dtype="\ud800"), TypeError, "dtype"),
    (lambda: wf.compute_fans((3, 3, 3), depthwise=np.ones(2)), TypeError, "depthwise"),
    (lambda: wf.compute_fans((3, 3, 3), transposed="yes"), TypeError, "transposed"),
    (lambda: wf.orthogonal((0, 3), seed=-1), ValueError, "seed"),
    (lambda: wf.orthogonal((0, 3), seed=0, stream=-1), ValueError, "stream"),
    (lambda: wf.orthogonal((3, 0), seed=0, offset=-1), ValueError, "offset"),
    (lambda: wf.orthogonal((0, 0), seed=0, offset=2 * 2**64 + 1), ValueError, "offset"),
    (lambda: wf.orthogonal((0, 3), seed=0, n_threads=0), ValueError, "n_threads"),
    (lambda: wf.orthogonal((0, 3), seed="0"), TypeError, "seed"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD)
def test_bad_arguments_are_named_on_both_backends(call, error, match):
    for name in available_backends():
        with wf.use_backend(name), pytest.raises(error, match=match):
            call()


@pytest.mark.skipif(
    np.finfo(np.longdouble).max <= np.finfo(np.float64).max,
    reason="needs a long double wider than float64 (x86 Linux)",
)
def test_a_long_double_beyond_float64_is_too_large_not_infinite():
    big = np.longdouble(10) ** 4000  # finite in long double, inf in float64
    with pytest.raises(ValueError, match="value is too large for a float"):
        wf.constant(3, big, dtype="float64")
    with pytest.raises(ValueError, match="std is too large for a float"):
        wf.normal(3, std=big, seed=0, dtype="float64")
    assert np.isinf(wf.constant(1, np.longdouble("inf"), dtype="float64")).all()  # inf is kept
