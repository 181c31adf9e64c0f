"""Guarantee 3: element g of a stream depends only on (seed, stream, g)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from support import FLOAT_DTYPES, same_bytes

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

OFFSETS = [1, 3, 5, 7, 4095, 40_001]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("k", OFFSETS)
@pytest.mark.parametrize("n", [1, 2, 3, 10, 1001])
def test_offset_equals_slice_of_whole(dtype, k, n):
    whole_u = wf.uniform(k + n, seed=3, stream=9, dtype=dtype)
    whole_n = wf.normal(k + n, seed=3, stream=9, dtype=dtype)
    assert same_bytes(wf.uniform(n, seed=3, stream=9, dtype=dtype, offset=k), whole_u[k:])
    assert same_bytes(wf.normal(n, seed=3, stream=9, dtype=dtype, offset=k), whole_n[k:])
    whole_t = wf.truncated_normal(k + n, seed=3, stream=9, dtype=dtype)
    assert same_bytes(wf.truncated_normal(n, seed=3, stream=9, dtype=dtype, offset=k), whole_t[k:])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 9999])
def test_raw_offset_equals_slice(k):
    whole = wf.random_raw(k + 17, seed=8)
    assert same_bytes(wf.random_raw(17, seed=8, offset=k), whole[k:])


def test_shape_is_only_a_view_of_the_stream():
    flat = wf.normal(6 * 7, seed=4)
    assert same_bytes(wf.normal((6, 7), seed=4), flat.reshape(6, 7))


def test_pieces_reassemble_the_whole():
    whole = wf.normal(100_000, seed=21, dtype=np.float64)
    cuts = [0, 1, 4, 333, 4097, 50_001, 100_000]
    pieces = [
        wf.normal(b - a, seed=21, dtype=np.float64, offset=a) for a, b in itertools.pairwise(cuts)
    ]
    assert same_bytes(np.concatenate(pieces), whole)


@pytest.mark.parametrize(("dtype", "per_block"), [(np.float32, 4), (np.float64, 2)])
def test_last_elements_of_the_stream(dtype, per_block):
    end = per_block << 64
    tail = wf.normal(3, seed=1, dtype=dtype, offset=end - 3)
    assert np.isfinite(tail).all()
    # the last block of the stream, reached as raw words, gives the same uniform values
    words = wf.random_raw(4, seed=1, offset=(4 << 64) - 4)
    u = wf.uniform(per_block, seed=1, dtype=dtype, offset=end - per_block)
    if dtype == np.float32:
        assert same_bytes(u, ((words >> 8).astype(np.float32) * np.float32(2**-24)))
    else:
        joined = words[0::2].astype(np.uint64) | (words[1::2].astype(np.uint64) << 32)
        assert same_bytes(u, (joined >> 11).astype(np.float64) * 2.0**-53)


def test_streams_are_independent_names():
    a = wf.normal(1000, seed=0, stream="layer1.weight")
    b = wf.normal(1000, seed=0, stream="layer2.weight")
    assert not np.array_equal(a, b)
    assert same_bytes(a, wf.normal(1000, seed=0, stream="layer1.weight"))
