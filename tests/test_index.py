"""index=: a block of a big tensor, alone, equals that block of the whole."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import same_bytes

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

FUNCTIONS = {
    "uniform": lambda shape, **kw: wf.uniform(shape, -1.0, 2.0, seed=9, **kw),
    "normal": lambda shape, **kw: wf.normal(shape, 0.5, 2.0, seed=9, **kw),
    "truncated_normal": lambda shape, **kw: wf.truncated_normal(shape, std=0.1, seed=9, **kw),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_block_cutting_rows_mid_block(name, dtype):
    shape = (37, 23)  # rows of 23 elements: row starts fall mid Philox block
    whole = FUNCTIONS[name](shape, dtype=dtype)
    for index in [np.s_[3:30, 5:17], np.s_[1:2, 1:2], np.s_[:, 7:], np.s_[10:11], np.s_[0:0, :]]:
        part = FUNCTIONS[name](shape, dtype=dtype, index=index)
        assert same_bytes(part, np.ascontiguousarray(whole[index]))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_blocks_equal_slices(data):
    ndim = data.draw(st.integers(1, 4))
    shape = tuple(data.draw(st.lists(st.integers(1, 9), min_size=ndim, max_size=ndim)))
    index = []
    for dim in shape:
        lo = data.draw(st.integers(0, dim))
        hi = data.draw(st.integers(lo, dim))
        index.append(slice(lo, hi))
    index = tuple(index[: data.draw(st.integers(1, ndim))])
    name = data.draw(st.sampled_from(sorted(FUNCTIONS)))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    offset = data.draw(st.integers(0, 10**6))
    whole = FUNCTIONS[name](shape, dtype=dtype, offset=offset)
    part = FUNCTIONS[name](shape, dtype=dtype, offset=offset, index=index)
    assert same_bytes(part, np.ascontiguousarray(whole[index]))


def test_block_fills_out_and_takes_negative_bounds():
    whole = wf.normal((50, 40), seed=1)
    out = np.empty((10, 8), np.float32)
    assert wf.normal((50, 40), seed=1, index=np.s_[-10:, 8:16], out=out) is out
    assert same_bytes(out, np.ascontiguousarray(whole[-10:, 8:16]))


@pytest.mark.parametrize(
    ("index", "exc", "pattern"),
    [
        (np.s_[10:0:-1, :], ValueError, "step"),
        ((slice(0, 10, 0),), ValueError, "step"),
        ((slice(0, 10, 1.5),), ValueError, "step"),
        (np.s_[0:51, :], ValueError, "out of range"),
        (np.s_[5:2, :], ValueError, "after its stop"),
        (np.s_[:, :, :], ValueError, "axes"),
        ((3, slice(None)), TypeError, "slices"),
        ((slice(None), [slice(0, 2), 5]), TypeError, "slices"),
        ((slice(None), [slice(0, 41)]), ValueError, "out of range"),
        ((slice(0.5, 2),), TypeError, "ints"),
    ],
)
def test_bad_index(index, exc, pattern):
    out = np.full((2, 2), 7.0, np.float32)
    with pytest.raises(exc, match=pattern):
        wf.normal((50, 40), seed=1, index=index)
    with pytest.raises(exc, match=pattern):
        wf.uniform((50, 40), seed=1, index=index, out=out)
    assert (out == 7.0).all()


def test_index_needs_the_whole_shape():
    with pytest.raises(TypeError, match="shape"):
        wf.normal(seed=1, index=np.s_[0:2], out=np.empty(2, np.float32))
