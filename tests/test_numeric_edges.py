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
        lambda: wf.uniform(out=np.empty(0, np.float32), seed=0, offset=4 * 2**64),  # out= form
        lambda: wf.normal(out=np.empty((3, 0), np.float16), seed=0, offset=4 * 2**64),
        lambda: wf.truncated_normal(out=np.empty(0, np.float64), seed=0, offset=2 * 2**64),
    ],
)
def test_an_empty_fill_at_the_end_of_the_stream_is_empty_on_both_backends(fill):
    for result in both_backends(fill):
        assert result.size == 0


# ---- the same edges through the compiled core's out= short path ---------------------------
#
# The short path (winit_fast._core.short_fill) fills an out= call with parameters its family
# record checked before; a set it has not seen goes through the record's check first. These
# call it directly, so a decline (None) cannot hide behind the full path.

SHORT_CODES = {"uniform": 1, "normal": 2, "truncated_normal": 3}
PARAMETERS = {"uniform": ("low", "high"), "normal": ("mean", "std"),
              "truncated_normal": ("mean", "std", "a", "b")}  # fmt: skip


def short_path(name, out, *values, **where):
    """``name``'s fill of ``out`` through the C short path, which must take the call."""
    from support import CORE

    filled = CORE.short_fill(SHORT_CODES[name], {"out": out, "seed": 0, **where}, *values)
    assert filled is out, "the short path declined the call"
    return out


def python_backend(name, out, *values, **where):
    with wf.use_backend("python"):
        return getattr(wf, name)(
            out=out, seed=0, **where, **dict(zip(PARAMETERS[name], values, strict=True))
        )


needs_core = pytest.mark.skipif(
    "c" not in available_backends(), reason="needs the compiled extension (its short path)"
)


@needs_core
def test_the_short_path_never_gives_infinity_from_a_finite_16_bit_range():
    for low, high in NEAR_THE_ENDS["float16"]:
        x = short_path("uniform", np.empty(4096, np.float16), low, high).astype(np.float64)
        assert np.isfinite(x).all() and x.max() < high, (low, high)
        expected = python_backend("uniform", np.empty(4096, np.float16), low, high)
        assert x.astype(np.float16).tobytes() == expected.tobytes()


@needs_core
@pytest.mark.parametrize(
    ("low", "high", "dtype"),
    [(-65519.0, -65504.0, "float16"), (0.1, 0.10002, "float16"), (0.1, 0.1 + 1e-10, "float32")],
)
def test_the_short_path_refuses_an_interval_holding_no_value(low, high, dtype):
    for _ in range(2):  # a refused set is never kept: the second call is refused too
        with pytest.raises(ValueError, match=r"\[low, high\) = .* holds no finite"):
            short_path("uniform", np.empty(8, dtype), low, high)


ROUNDING_TO_ZERO = [  # below float32's (and float16's) smallest subnormal, not float64's
    ("uniform", (-1e-46, 1e-46)),
    ("normal", (-1e-46, 0.0)),
    ("truncated_normal", (-5e-324, 0.0, -2.0, 2.0)),
]
NEGATIVE_ZERO = [("uniform", (-0.0, -0.0)), ("normal", (-0.0, 0.0))]


@needs_core
@pytest.mark.parametrize(
    ("name", "values", "dtype"),
    [(*case, dtype) for case in ROUNDING_TO_ZERO for dtype in ("float32", "float16")]
    + [(*case, dtype) for case in NEGATIVE_ZERO for dtype in ("float32", "float64", "float16")],
)
def test_the_short_path_writes_plus_zero_for_a_parameter_that_rounds_to_zero(name, values, dtype):
    expected = np.empty(1000, dtype)
    with wf.use_backend("python"):
        getattr(wf, name)(out=expected, seed=0, **dict(zip(PARAMETERS[name], values, strict=True)))
    short_path(name, np.zeros(1000, dtype), 0.0, *values[1:])  # +0.0 kept first, then
    result = short_path(name, np.empty(1000, dtype), *values)  # its signed twin: its own set
    assert (result == 0).all() and not np.signbit(result).any()
    assert result.tobytes() == expected.tobytes()


@needs_core
def test_the_short_path_declines_what_it_cannot_check_and_the_full_path_answers():
    from support import CORE

    empty = np.empty(0, np.float32)
    # the end of the stream: offsets past 2**62 are the full path's, which returns the empty out
    assert CORE.short_fill(1, {"out": empty, "seed": 0, "offset": 4 * 2**64}, 0.0, 1.0) is None
    assert wf.uniform(out=empty, seed=0, offset=4 * 2**64) is empty
    # more threads than the limit: the full path names n_threads
    out = np.empty(4, np.float32)
    assert CORE.short_fill(1, {"out": out, "seed": 0, "n_threads": 1025}, 0.0, 1.0) is None
    with pytest.raises(ValueError, match="n_threads"):
        wf.uniform(out=out, seed=0, n_threads=1025)


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
