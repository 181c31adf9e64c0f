"""Guarantee 6: bad input raises a clear exception naming the argument, and writes nothing."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

F32 = np.float32


def case(exc, pattern, function, *args, **kwargs):
    return pytest.param(exc, pattern, function, args, kwargs, id=f"{function.__name__}-{pattern}")


CASES = [
    # seed
    case(ValueError, "seed", wf.normal, 3, seed=-1),
    case(ValueError, "seed", wf.normal, 3, seed=2**64),
    case(TypeError, "seed", wf.normal, 3, seed=1.5),
    case(TypeError, "seed", wf.normal, 3, seed="42"),
    case(TypeError, "seed", wf.uniform, 3, seed=True),
    case(TypeError, "seed", wf.random_raw, 3, seed=[1]),
    # stream and offset
    case(ValueError, "stream", wf.normal, 3, seed=0, stream=-5),
    case(ValueError, "stream", wf.normal, 3, seed=0, stream=2**64),
    case(TypeError, "stream", wf.normal, 3, seed=0, stream=1.0),
    case(ValueError, "offset", wf.normal, 3, seed=0, offset=-1),
    case(TypeError, "offset", wf.normal, 3, seed=0, offset=0.5),
    case(ValueError, "offset", wf.normal, 3, seed=0, offset=2 * 2**64 - 2, dtype=np.float64),
    case(ValueError, "offset", wf.random_raw, 2, seed=0, offset=4 * 2**64 - 1),
    # shape
    case(ValueError, "shape", wf.normal, -1, seed=0),
    case(ValueError, "shape", wf.uniform, (3, -2), seed=0),
    case(TypeError, "shape", wf.normal, (3, 2.0), seed=0),
    case(TypeError, "shape", wf.normal, "abc", seed=0),
    case(TypeError, "shape", wf.zeros, None),
    case(ValueError, "shape", wf.normal, (2**40, 2**40), seed=0),
    case(ValueError, "shape", wf.zeros, (2**62,)),
    case(ValueError, "n", wf.random_raw, -3, seed=0),
    # parameters
    case(ValueError, "std", wf.normal, 3, std=-1.0, seed=0),
    case(ValueError, "std", wf.normal, 3, std=float("nan"), seed=0),
    case(ValueError, "std", wf.normal, 3, std=float("inf"), seed=0),
    case(ValueError, "mean", wf.normal, 3, mean=float("nan"), seed=0),
    case(ValueError, "mean", wf.normal, 3, mean=-float("inf"), seed=0),
    case(ValueError, "mean", wf.normal, 3, mean=1e300, seed=0),
    case(ValueError, "std", wf.normal, 3, std=1e38, seed=0),
    case(TypeError, "std", wf.normal, 3, std="1", seed=0),
    case(TypeError, "std must be a real number, got an array", wf.normal, 3, std=np.ones(2)),
    case(TypeError, "mean must be a real number, got list", wf.normal, 3, mean=[1], seed=0),
    case(TypeError, "low must be a real number", wf.uniform, 3, np.array([0.0]), seed=0),
    case(TypeError, "out must be a numpy.ndarray, got list", wf.glorot_uniform, out=[0.0] * 10),
    case(ValueError, "low", wf.uniform, 3, low=float("nan"), seed=0),
    case(ValueError, "high", wf.uniform, 3, high=float("inf"), seed=0),
    case(ValueError, "low", wf.uniform, 3, low=2.0, high=1.0, seed=0),
    case(ValueError, "high - low", wf.uniform, 3, low=-3e38, high=3e38, seed=0),
    case(ValueError, "value", wf.constant, 3, 1e300),
    case(TypeError, "value", wf.constant, 3, "x"),
    # truncated normal
    case(ValueError, "a must be < b", wf.truncated_normal, 3, a=2.0, b=2.0, seed=0),
    case(ValueError, "a must be < b", wf.truncated_normal, 3, a=3.0, b=-3.0, seed=0),
    case(ValueError, "a", wf.truncated_normal, 3, a=float("nan"), seed=0),
    case(ValueError, "b", wf.truncated_normal, 3, b=float("inf"), seed=0),
    case(ValueError, "std", wf.truncated_normal, 3, std=-0.1, seed=0),
    case(ValueError, "float64", wf.truncated_normal, 3, a=40.0, b=41.0, seed=0),
    case(ValueError, "overflow", wf.truncated_normal, 3, std=1e4, a=-8.0, b=8.0, dtype=np.float16),
    case(ValueError, "overflow", wf.normal, 3, mean=7e4, dtype=np.float16, seed=0),
    # dtype
    case(TypeError, "dtype", wf.normal, 3, seed=0, dtype=np.int32),
    case(TypeError, "dtype", wf.normal, 3, seed=0, dtype="not-a-dtype"),
    case(TypeError, "dtype", wf.zeros, 3, dtype=np.complex64),
    # n_threads
    case(ValueError, "n_threads", wf.normal, 3, seed=0, n_threads=0),
    case(ValueError, "n_threads", wf.normal, 3, seed=0, n_threads=-2),
    case(ValueError, "n_threads", wf.zeros, 3, n_threads=10**6),
    case(TypeError, "n_threads", wf.uniform, 3, seed=0, n_threads=2.0),
    # philox4x32
    case(ValueError, "counters", wf.philox4x32, np.zeros(3, np.uint32), np.zeros(2, np.uint32)),
    case(ValueError, "key", wf.philox4x32, np.zeros(4, np.uint32), np.zeros(3, np.uint32)),
    case(TypeError, "counters", wf.philox4x32, np.zeros(4, np.float32), np.zeros(2, np.uint32)),
    case(TypeError, "key", wf.philox4x32, np.zeros(4, np.uint32), np.array([-1, 0])),
]


@pytest.mark.parametrize(("exc", "pattern", "function", "args", "kwargs"), CASES)
def test_bad_argument(exc, pattern, function, args, kwargs):
    with pytest.raises(exc, match=pattern):
        function(*args, **kwargs)


OUT_CASES = [
    (TypeError, "dtype", lambda: np.zeros(4, np.float64), {"dtype": np.float32}),
    (TypeError, "dtype", lambda: np.zeros(4, np.int64), {}),
    (TypeError, "dtype", lambda: np.zeros(4, ">f4"), {}),
    (ValueError, "C-contiguous", lambda: np.zeros((4, 4), F32)[:, ::2], {}),
    (ValueError, "C-contiguous", lambda: np.zeros((4, 4), F32).T, {}),
    (ValueError, "shape", lambda: np.zeros((4, 4), F32), {"shape": (16,)}),
    (TypeError, "out", lambda: [0.0, 0.0], {}),
]


@pytest.mark.parametrize("function", [wf.normal, wf.uniform, wf.zeros, wf.ones])
@pytest.mark.parametrize(("exc", "pattern", "make", "extra"), OUT_CASES)
def test_bad_out_is_rejected_and_untouched(function, exc, pattern, make, extra):
    out = make()
    before = np.array(out, copy=True)
    with pytest.raises(exc, match=pattern):
        function(out=out, **extra)
    assert np.array_equal(np.asarray(out), before)


@pytest.mark.parametrize("function", [wf.normal, wf.uniform, wf.constant])
def test_read_only_out(function):
    out = np.zeros(8, F32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        function(out=out)
    assert not out.any()


def test_rejected_parameter_leaves_out_untouched():
    out = np.full(8, 7.0, F32)
    with pytest.raises(ValueError, match="std"):
        wf.normal(out=out, std=-1.0, seed=0)
    with pytest.raises(ValueError, match="n_threads"):
        wf.uniform(out=out, seed=0, n_threads=0)
    assert np.all(out == 7.0)


def test_unallocatable_shape_is_memory_error():
    # 4 EiB: below the 2**63-byte limit, never allocatable; the size is said for people
    with pytest.raises(MemoryError, match=r"shape .* needs 4\.0 EiB, which cannot be"):
        wf.normal((2**30, 2**30), seed=0)


@pytest.mark.parametrize(
    ("function", "checked", "refused"),
    [
        (wf.uniform, {"low": 1}, {"low": True}),
        (wf.normal, {"std": 1}, {"std": True}),
        (wf.truncated_normal, {"std": 1}, {"std": np.True_}),
    ],
)
def test_a_bool_is_refused_even_after_the_int_it_equals(function, checked, refused):
    """The checked-parameter cache tells True from 1 (they are equal and hash alike)."""
    out = np.zeros(8, F32)
    for call in (lambda kw: function(3, seed=0, **kw), lambda kw: function(out=out, seed=0, **kw)):
        call(checked)
        with pytest.raises(TypeError, match="must be a real number, got bool"):
            call(refused)


@pytest.mark.parametrize("std", [np.array(2.0), np.float32(2.0), np.float64(2.0), 2])
def test_numpy_scalars_and_0d_arrays_are_numbers(std):
    expected = wf.normal(9, std=2.0, seed=4)
    assert np.array_equal(wf.normal(9, std=std, seed=4), expected)
    out = np.empty(9, F32)
    assert np.array_equal(wf.normal(out=out, std=std, seed=4), expected)
    assert np.array_equal(
        wf.uniform(9, np.array(-1.0), np.array(3.0), seed=4), wf.uniform(9, -1.0, 3.0, seed=4)
    )


def test_the_sign_of_a_zero_parameter_does_not_depend_on_earlier_calls():
    """A zero parameter is +0.0 whatever was called before (-0.0 == 0.0 as a cache key)."""
    first = wf.normal(64, -0.0, 0.0, seed=0)
    wf.normal(64, 0.0, 0.0, seed=0)
    again = wf.normal(64, -0.0, 0.0, seed=0)
    assert first.tobytes() == again.tobytes() == np.zeros(64, F32).tobytes()


@pytest.mark.parametrize("function", [wf.normal, wf.uniform, wf.zeros, wf.ones])
def test_size_zero_returns_empty(function):
    for shape in [0, (0,), (3, 0, 2)]:
        result = function(shape)
        assert result.shape == (shape,) if isinstance(shape, int) else shape
        assert result.size == 0
    assert wf.random_raw(0, seed=1).shape == (0,)


def test_out_is_filled_and_returned():
    out = np.empty((3, 5), np.float64)
    assert wf.normal(out=out, seed=1) is out
    assert np.array_equal(out, wf.normal((3, 5), seed=1, dtype=np.float64))
    assert wf.uniform((3, 5), seed=2, out=out) is out


def test_bfloat16_without_ml_dtypes_names_the_package(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # as if it were not installed
    with pytest.raises(ImportError, match="ml_dtypes"):
        wf.normal(3, seed=0, dtype="bfloat16")


@pytest.mark.parametrize("function", [wf.uniform, wf.normal, wf.truncated_normal])
@pytest.mark.parametrize(("exc", "pattern", "make", "extra"), OUT_CASES)
def test_the_short_path_refuses_what_the_full_path_refuses(function, exc, pattern, make, extra):
    """Parameters checked before (for float32) and int seeds: a call that takes the short
    path when its out= is fine must still refuse a bad out=, with the same message."""
    function(out=np.zeros(4, F32), seed=0)
    out = make()
    before = np.array(out, copy=True)
    with pytest.raises(exc, match=pattern):
        function(out=out, seed=0, **extra)
    assert np.array_equal(np.asarray(out), before)


@pytest.mark.parametrize(
    ("exc", "pattern", "extra"),
    [
        (ValueError, "seed", {"seed": -1}),
        (ValueError, "stream", {"seed": 0, "stream": 2**64}),
        (ValueError, "offset", {"seed": 0, "offset": 4 * 2**64 - 2}),  # past the end
        (ValueError, "n_threads", {"seed": 0, "n_threads": 0}),
        (ValueError, "writeable", {"seed": 0, "out": "read-only"}),
    ],
)
def test_the_short_path_refuses_bad_positions(exc, pattern, extra):
    wf.normal(out=np.zeros(4, F32), seed=0)
    out = np.full(4, 7.0, F32)
    if extra.get("out") == "read-only":
        out.flags.writeable = False
        extra = {**extra, "out": out}
    with pytest.raises(exc, match=pattern):
        wf.normal(**{"out": out, **extra})
    assert np.all(out == 7.0)


def test_sizes_are_said_in_binary_units():
    from winit_fast._validation import byte_size

    assert byte_size(0) == "0 bytes"
    assert byte_size(1023) == "1023 bytes"
    assert byte_size(1536) == "1.5 KiB"
    assert byte_size(3 << 40) == "3.0 TiB"
    assert byte_size(5 << 60) == "5.0 EiB"
    assert byte_size(2000 << 60) == "2000.0 EiB"  # no unit above EiB


@pytest.mark.parametrize(
    "function",
    [wf.uniform, wf.normal, wf.truncated_normal, wf.variance_scaling, wf.he_normal],
    ids=lambda f: f.__name__,
)
def test_a_keyword_a_fill_does_not_take_is_refused_as_python_does(function):
    """The keyword tail is one TypedDict (_placement.Where): a misspelled or foreign keyword
    is still Python's TypeError naming the function, and nothing else is filled."""
    out = np.full(4, 7.0, F32)
    with pytest.raises(TypeError, match=rf"^{function.__name__}\(\) got an unexpected keyword "):
        function(out=out, seed=0, sed=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'fan_in'"):
        (wf.orthogonal if function is wf.he_normal else wf.normal)((4, 4), fan_in=3)
    with pytest.raises(TypeError, match=r"^zeros\(\) got an unexpected keyword argument 'seed'"):
        wf.zeros(4, seed=0)
    assert (out == 7.0).all()
    assert "n_threads" in inspect.signature(function).parameters  # what help() shows
