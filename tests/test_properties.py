"""Property tests (hypothesis) of the three invariances, through the public API.

For random functions, dtypes, shapes, seeds, streams, offsets, ``index`` blocks and thread
counts: the C core and the NumPy fallback give the same bytes; a block equals the same slice
of the whole; the thread count changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CORE, same_bytes

import winit_fast as wf

pytestmark = pytest.mark.skipif(
    CORE is None, reason="needs the compiled extension winit_fast._core"
)

FUNCTIONS = {
    "uniform": lambda shape, **kw: wf.uniform(shape, -0.5, 3.0, **kw),
    "normal": lambda shape, **kw: wf.normal(shape, 1.0, 0.25, **kw),
    "truncated_normal": lambda shape, **kw: wf.truncated_normal(
        shape, 0.0, 0.02, a=-1.5, b=3.0, **kw
    ),
    "he_normal": lambda shape, **kw: wf.he_normal(shape, **kw),
    "glorot_uniform": lambda shape, **kw: wf.glorot_uniform(shape, **kw),
}
DTYPES = [np.float32, np.float64, np.float16, "bfloat16"]


@st.composite
def calls(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 40), min_size=ndim, max_size=ndim)))
    bounds = []
    for dim in shape:
        lo = draw(st.integers(0, dim - 1))
        bounds.append(slice(lo, draw(st.integers(lo + 1, dim))))
    return {
        "name": draw(st.sampled_from(sorted(FUNCTIONS))),
        "shape": shape,
        "index": tuple(bounds),
        "dtype": draw(st.sampled_from(DTYPES)),
        "seed": draw(st.integers(0, 2**64 - 1)),
        "stream": draw(st.one_of(st.integers(0, 2**64 - 1), st.text(max_size=12))),
        "threads": draw(st.integers(1, 4)),
    }


@settings(max_examples=60, deadline=None)
@given(call=calls())
def test_backends_blocks_and_threads_agree(call):
    fill = FUNCTIONS[call["name"]]
    common = {"seed": call["seed"], "stream": call["stream"], "dtype": call["dtype"]}
    with wf.use_backend("c"):
        whole = fill(call["shape"], n_threads=call["threads"], **common)
        block = fill(call["shape"], index=call["index"], n_threads=1, **common)
    with wf.use_backend("python"):
        whole_fallback = fill(call["shape"], **common)
    assert same_bytes(whole, whole_fallback)
    assert same_bytes(block, np.ascontiguousarray(whole[call["index"]]))


@settings(max_examples=40, deadline=None)
@given(
    dtype=st.sampled_from(DTYPES),
    size=st.integers(0, 70_000),
    offset=st.integers(0, 2**63),
    seed=st.integers(0, 2**64 - 1),
    threads=st.lists(st.integers(1, 8), min_size=2, max_size=3),
)
def test_offsets_and_thread_counts(dtype, size, offset, seed, threads):
    results = [wf.normal(size, seed=seed, dtype=dtype, offset=offset, n_threads=t) for t in threads]
    for other in results[1:]:
        assert same_bytes(results[0], other)
    if size > 1:  # the tail alone equals the tail of the whole
        tail = wf.normal(size - 1, seed=seed, dtype=dtype, offset=offset + 1)
        assert same_bytes(tail, results[0][1:])


INITIALIZERS = {
    "he_normal": lambda **kw: wf.he_normal((40, 30), **kw),
    "he_uniform": lambda **kw: wf.he_uniform((3, 3, 8, 4), **kw),
    "glorot_normal": lambda **kw: wf.glorot_normal((40, 30), **kw),
    "glorot_uniform": lambda **kw: wf.glorot_uniform((40, 30), layout="torch", **kw),
    "lecun_normal": lambda **kw: wf.lecun_normal((40, 30), **kw),
    "lecun_uniform": lambda **kw: wf.lecun_uniform((40, 30), **kw),
    "variance_scaling": lambda **kw: wf.variance_scaling(
        (40, 30), 3.0, "fan_avg", "untruncated_normal", **kw
    ),
    "orthogonal": lambda **kw: wf.orthogonal((40, 30), gain=2.0, **kw),
    "truncated_normal": lambda **kw: wf.truncated_normal((40, 30), std=0.002, **kw),
    "uniform": lambda **kw: wf.uniform((40, 30), **kw),
    "normal": lambda **kw: wf.normal((40, 30), **kw),
}


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_initializer_same_bytes_on_both_backends(name, dtype):
    """orthogonal included: its normals agree, and on one machine both use the same LAPACK."""
    with wf.use_backend("c"):
        compiled = INITIALIZERS[name](seed=21, dtype=dtype)
    with wf.use_backend("python"):
        fallback = INITIALIZERS[name](seed=21, dtype=dtype)
    assert same_bytes(compiled, fallback)
