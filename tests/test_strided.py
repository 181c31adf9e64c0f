"""Strided index= blocks (column blocks, steps, N-D rectangles, lists of slices per axis),
filled in one call by ``fill_runs`` (csrc/wf_runs.c, _fallback/runs.py), equal the same
elements of the whole tensor, byte for byte, on both backends, every SIMD level, any threads.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CORE, needs_core, same_bytes

import winit_fast as wf
from winit_fast import _blocks, _fallback, _schemes
from winit_fast import _validation as v
from winit_fast._families import BY_NAME as RECORDS
from winit_fast._stream import Runs, per_block, position

FAMILIES = ["raw_u32", "uniform", "normal", "truncated_normal"]
FLOATS = [np.float32, np.float64, np.float16, "bfloat16"]
SEED, STREAM = 9, 2**40 + 3


VALUES = {"uniform": (-1.0, 2.0), "normal": (0.5, 2.0), "truncated_normal": (0.0, 0.1, -2.0, 2.0)}


def params(family: str, dtype: np.dtype) -> tuple:
    """The backend parameters of ``family``'s test values, from its record."""
    return RECORDS[family].prepare(VALUES.get(family, ()), dtype)


def the_dtype(family: str, dtype) -> np.dtype:
    return np.dtype(np.uint32) if family == "raw_u32" else v.as_dtype(dtype)


def whole(backend, family, shape, dtype, offset=0, n_threads=2) -> np.ndarray:
    """The whole tensor, by the contiguous fill."""
    dt = the_dtype(family, dtype)
    out = np.empty(shape, dt)
    first, phase = position(offset, out.size, per_block(dt))
    code = RECORDS[family].code
    backend.fill(out.reshape(-1), code, SEED, STREAM, first, phase, params(family, dt), n_threads)
    return out


def block(backend, family, shape, index, dtype, offset=0, n_threads=2) -> np.ndarray:
    """The block alone, by fill_runs."""
    dt = the_dtype(family, dtype)
    plan = _blocks.resolve(shape, index)
    out = np.empty(plan.shape, dt)
    code, values = RECORDS[family].code, params(family, dt)
    for runs in _blocks.runs(plan, per_block(dt), offset):
        backend.fill_runs(out.reshape(-1), code, SEED, STREAM, runs, values, n_threads)
    return out


def numpy_block(array: np.ndarray, index) -> np.ndarray:
    """The block by NumPy's own indexing: slices as NumPy reads them, lists concatenated."""
    parts = index if isinstance(index, tuple) else (index,)
    picks = []
    for axis, dim in enumerate(array.shape):
        part = parts[axis] if axis < len(parts) else slice(None)
        pieces = part if isinstance(part, list) else [part]
        picks.append(np.concatenate([np.arange(dim)[p] for p in pieces] + [np.zeros(0, int)]))
    return array[np.ix_(*picks)] if picks else array.copy()


@st.composite
def blocks(draw):
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 9), min_size=ndim, max_size=ndim)))
    if ndim and draw(st.booleans()):  # rows long enough for several blocks and SIMD steps
        shape = (*shape[:-1], draw(st.integers(10, 150)))

    def a_slice(dim):
        lo = draw(st.integers(0, dim))
        hi = draw(st.integers(lo, dim))
        # negative bounds too, where NumPy reads them as the same place
        lo -= dim if lo < dim and draw(st.booleans()) else 0
        hi -= dim if hi < dim and draw(st.booleans()) else 0
        return slice(lo, hi, draw(st.sampled_from([None, 1, 2, 3])))

    index = []
    for dim in shape[: draw(st.integers(0, ndim))]:
        if draw(st.integers(0, 3)) == 0:
            index.append([a_slice(dim) for _ in range(draw(st.integers(0, 3)))])
        else:
            index.append(a_slice(dim))
    return shape, tuple(index)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    case=blocks(),
    family=st.sampled_from(FAMILIES),
    dtype=st.sampled_from(FLOATS),
    offset=st.integers(0, 10**6),
)
def test_any_block_equals_the_slice_of_the_whole(backend, case, family, dtype, offset):
    shape, index = case
    expected = numpy_block(whole(backend, family, shape, dtype, offset), index)
    assert same_bytes(block(backend, family, shape, index, dtype, offset), expected)


# Cases that reach each path of csrc/wf_runs.c: short runs that start mid-block (scratch),
# short runs of whole SIMD steps (straight into out), runs of one element (a step on the last
# axis), long runs (the single-range fill: few runs on the team, many runs one per thread),
# a 3-D rectangle, several rectangles (a list on an axis).
PATH_CASES = [
    ((300, 257), np.s_[:, 5:70]),
    ((64, 256), np.s_[3:60, 64:128]),
    ((100, 90), np.s_[:, ::3]),
    ((3, 9001), np.s_[:, 3:8999]),
    ((24, 4500), np.s_[:, 1:4499]),
    ((6, 40, 33), np.s_[1:5, ::2, 7:30]),
    ((50, 200), (slice(None), [np.s_[0:13], np.s_[100:164], np.s_[199:]])),
]


@needs_core
@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("shape", "index"), PATH_CASES)
def test_every_simd_level_and_thread_count(each_simd_level, n_threads, family, shape, index):
    for dtype in [np.float32] if family == "raw_u32" else FLOATS:
        expected = numpy_block(whole(CORE, family, shape, dtype), index)
        got = block(CORE, family, shape, index, dtype, n_threads=n_threads)
        assert same_bytes(got, expected), (each_simd_level, dtype)


@needs_core
@pytest.mark.parametrize(
    ("shape", "index"), [((1100, 4001), np.s_[:, 2:4000]), ((70000, 100), np.s_[:, 1:65])]
)
def test_blocks_longer_than_one_interrupt_slice(shape, index):
    """_core.pyx fills 2**22 elements between Ctrl-C checks: a slice ends inside a run."""
    assert np.prod(numpy_block(np.empty(shape, np.int8), index).shape) > 1 << 22
    expected = numpy_block(whole(CORE, "normal", shape, np.float32), index)
    assert same_bytes(block(CORE, "normal", shape, index, np.float32), expected)


def test_public_api_takes_steps_and_lists_of_slices():
    shape = (40, 30)
    for function in (wf.uniform, wf.normal, wf.truncated_normal):
        full = function(shape, seed=5, stream="w", dtype=np.float16)
        for index in [
            np.s_[::7, 1::2],
            (slice(None), [np.s_[0:4], np.s_[20:24]]),  # a _StridedShard's columns
            ([np.s_[30:], np.s_[:10]], [np.s_[29:], np.s_[5:7], np.s_[5:7]]),  # order, repeats
            ([],),
        ]:
            part = function(shape, seed=5, stream="w", dtype=np.float16, index=index)
            assert same_bytes(part, numpy_block(full, index)), (function.__name__, index)
    # variance scaling takes its fans from the whole shape and passes index= on
    full = wf.glorot_uniform((64, 48), seed=1)
    index = (slice(None), [np.s_[0:8], np.s_[24:32]])
    out = np.empty((64, 16), np.float32)
    assert wf.glorot_uniform((64, 48), seed=1, index=index, out=out) is out
    assert same_bytes(out, numpy_block(full, index))


@pytest.mark.parametrize(("dtype", "per_block"), [(np.float32, 4), (np.float64, 2)])
def test_the_last_elements_of_the_stream(dtype, per_block):
    shape = (7, 10)
    last = per_block * 2**64 - 70  # the tensor ends at the stream's last element
    full = wf.normal(shape, seed=3, offset=last, dtype=dtype)
    part = wf.normal(shape, seed=3, offset=last, dtype=dtype, index=np.s_[:, 3:5])
    assert same_bytes(part, np.ascontiguousarray(full[:, 3:5]))
    out = np.full((7, 2), 7.0, dtype)
    with pytest.raises(ValueError, match="past the end of the stream"):
        wf.normal(shape, seed=3, offset=last + 1, index=np.s_[:, 8:], out=out)
    assert (out == 7.0).all()  # refused before anything is written


@pytest.mark.parametrize(
    ("runs", "pattern"),
    [
        ((0, 0, 4, (3,), (10,), 1, (4,)), "reach element 13"),  # one past the end of out
        ((0, 0, 4, (3,), (10,), 0, (3,)), "overlap"),
        ((0, 0, 2, (2, 2), (20, 10), 0, (2, 3)), "overlap"),  # inner rows spill into the next
        ((0, 0, 4, (3,), (10, 1), 0, (4,)), "equally long"),
        ((0, 0, 4, (3,), (10,), -1, (4,)), "negative"),
    ],
)
def test_runs_outside_out_or_overlapping_are_refused(backend, runs, pattern):
    """The layout is checked when the record is made, its place in out by every backend."""
    out = np.full(12, 7.0, np.float32)
    params = RECORDS["uniform"].prepare((0.0, 1.0), out.dtype)
    with pytest.raises(ValueError, match=pattern):
        backend.fill_runs(out, RECORDS["uniform"].code, 1, 2, Runs(*runs), params, 2)
    assert (out == 7.0).all()


def test_the_compiled_core_takes_only_checked_runs():
    if CORE is None:
        pytest.skip("needs the compiled extension winit_fast._core")
    out = np.zeros(12, np.float32)
    lookalike = Runs(0, 0, 4, (3,), (10,), 0, (4,)).__dict__  # the fields, not the record
    with pytest.raises(TypeError, match="Runs"):
        CORE.fill_runs(out, RECORDS["uniform"].code, 1, 2, lookalike, (0.0, 1.0, 0.5), 2)


@pytest.mark.parametrize("scheme", sorted(_schemes.SCHEME_FUNCTIONS))
def test_every_scheme_gives_strided_shards_of_its_weight(scheme):
    """The weight init_module writes, cut as a _StridedShard on dim 1 and a stepped block."""
    shape = (12, 10, 3)
    full = _schemes.weight(scheme, shape, seed=4, stream="layer.weight")
    for index in [(slice(None), [np.s_[0:2], np.s_[5:7]]), np.s_[1::4, ::3, 1:]]:
        part = _schemes.weight(scheme, shape, seed=4, stream="layer.weight", index=index)
        assert same_bytes(part, numpy_block(full, index)), index


@pytest.mark.parametrize("limit", ["STEP_BLOCKS", "LONG_RUN"])
@pytest.mark.parametrize("family", FAMILIES)
def test_fallback_in_groups_and_one_run_at_a_time(monkeypatch, limit, family):
    """The fallback's two ways, at small sizes: runs gathered in several groups (few blocks
    per step), and runs long enough to go one call each."""
    from winit_fast._fallback import gather, runs

    monkeypatch.setattr(gather, "STEP_BLOCKS", 40)
    if limit == "LONG_RUN":
        monkeypatch.setattr(runs, "LONG_RUN", 8)
    shape, index = (60, 37), (np.s_[1:59], [np.s_[3:20], np.s_[30:]])
    for dtype in [np.float32] if family == "raw_u32" else FLOATS:
        expected = numpy_block(whole(_fallback, family, shape, dtype, offset=5), index)
        got = block(_fallback, family, shape, index, dtype, offset=5)
        assert same_bytes(got, expected), dtype
