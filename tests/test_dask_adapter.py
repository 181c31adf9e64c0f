"""winit_fast.dask: chunks generated on worker processes equal the single-machine array."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from support import same_bytes

da = pytest.importorskip("dask.array", reason="needs dask[array]")
distributed = pytest.importorskip("distributed", reason="needs dask[distributed]")

import winit_fast as wf  # noqa: E402
import winit_fast.dask as wfd  # noqa: E402
from winit_fast import _variance_scaling  # noqa: E402

SHAPE = (300, 70)
# Uneven row chunks (the last one has 44 rows); whole rows keep each chunk one stream run, so
# the dtype matrix stays fast under the NumPy fallback too. Column cuts are tested below.
CHUNKS = (64, 70)


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each: the chunks are computed in other processes."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


# name -> (Dask array, the NumPy API's array).
CASES = {
    "uniform": lambda d: (
        wfd.uniform(SHAPE, -2.0, 3.0, chunks=CHUNKS, seed=1, dtype=d),
        wf.uniform(SHAPE, -2.0, 3.0, seed=1, dtype=d),
    ),
    "normal": lambda d: (
        wfd.normal(SHAPE, 1.0, 0.5, chunks=CHUNKS, seed=2, stream="w", dtype=d),
        wf.normal(SHAPE, 1.0, 0.5, seed=2, stream="w", dtype=d),
    ),
    "truncated_normal": lambda d: (
        wfd.truncated_normal(SHAPE, 0.0, 0.1, a=-1.0, b=3.0, chunks=CHUNKS, seed=3, dtype=d),
        wf.truncated_normal(SHAPE, 0.0, 0.1, a=-1.0, b=3.0, seed=3, dtype=d),
    ),
    "variance_scaling": lambda d: (
        wfd.variance_scaling(
            SHAPE, 3.0, "fan_out", "untruncated_normal", chunks=CHUNKS, seed=4, dtype=d
        ),
        wf.variance_scaling(SHAPE, 3.0, "fan_out", "untruncated_normal", seed=4, dtype=d),
    ),
    "he_normal": lambda d: (
        wfd.he_normal(SHAPE, chunks=CHUNKS, seed=5, dtype=d),
        wf.he_normal(SHAPE, seed=5, dtype=d),
    ),
    "glorot_uniform_torch": lambda d: (
        wfd.glorot_uniform((40, 6, 5, 5), chunks=(16, 6, 5, 5), seed=6, dtype=d, layout="torch"),
        wf.glorot_uniform((40, 6, 5, 5), seed=6, dtype=d, layout="torch"),
    ),
    "lecun_normal_untruncated": lambda d: (
        wfd.lecun_normal(SHAPE, chunks=CHUNKS, seed=7, dtype=d, distribution="untruncated_normal"),
        wf.lecun_normal(SHAPE, seed=7, dtype=d, distribution="untruncated_normal"),
    ),
    "constant": lambda d: (
        wfd.constant(SHAPE, -0.75, chunks=CHUNKS, dtype=d),
        wf.constant(SHAPE, -0.75, dtype=d),
    ),
}
PRESETS = list(_variance_scaling.PRESETS)  # the six preset names


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", CASES)
def test_cluster_compute_equals_the_numpy_api(client, name, dtype):
    lazy, expected = CASES[name](dtype)
    assert lazy.chunks != ((lazy.shape[0],),) * lazy.ndim  # really chunked
    assert same_bytes(client.compute(lazy).result(), expected)


def test_column_and_kernel_cuts(client):
    # Chunks cutting every axis: each chunk is many stream runs, at their global offsets.
    cases = [
        (wfd.normal((40, 30), chunks=(16, 12), seed=9), wf.normal((40, 30), seed=9)),
        (
            wfd.he_uniform((5, 5, 6, 8), chunks=(2, 3, 4, 5), seed=9, dtype="float64"),
            wf.he_uniform((5, 5, 6, 8), seed=9, dtype="float64"),
        ),
    ]
    computed = client.gather(client.compute([lazy for lazy, _ in cases]))
    for result, (_, expected) in zip(computed, cases, strict=True):
        assert same_bytes(result, expected)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_uses_the_global_fans(client, name):
    # A chunk (1, 3, 32, 64) of a 3x3 kernel would have a third of the whole kernel's fans.
    lazy = getattr(wfd, name)((3, 3, 32, 64), chunks=(1, 3, 32, 64), seed=8)
    assert same_bytes(client.compute(lazy).result(), getattr(wf, name)((3, 3, 32, 64), seed=8))


def test_axes_pass_through_with_the_global_fans():
    # Keras 3's input_axes/output_axes on the whole shape: a chunk's axes would be smaller.
    axes = {"input_axes": [0], "output_axes": [1, 2]}
    for name in ("variance_scaling", *PRESETS):
        lazy = getattr(wfd, name)((32, 4, 8), chunks=(8, 2, 8), seed=3, **axes)
        assert same_bytes(lazy.compute(), getattr(wf, name)((32, 4, 8), seed=3, **axes))
    with pytest.raises(ValueError, match="output_axes is None"):  # on the client, at definition
        wfd.he_normal((32, 4, 8), chunks=8, seed=3, input_axes=[0])


def test_chunks_are_made_on_the_workers_and_the_graph_holds_no_data(client):
    lazy = wfd.he_normal((4096, 256), chunks=(512, 256), seed=0)
    graph_bytes = len(pickle.dumps(dict(lazy.__dask_graph__())))
    assert graph_bytes < lazy.nbytes / 100  # a few hundred bytes a task, not the 4 MB of data
    persisted = client.persist(lazy)
    distributed.wait(persisted)
    holders = client.who_has(persisted)
    workers = set(client.scheduler_info()["workers"])
    assert len(holders) == lazy.npartitions
    assert all(set(where) <= workers and where for where in holders.values())
    assert same_bytes(persisted.compute(), wf.he_normal((4096, 256), seed=0))


def test_seed_none_is_drawn_once_per_array():
    lazy = wfd.uniform((50, 8), chunks=(7, 3))
    assert same_bytes(lazy.compute(), lazy.compute())
    other = wfd.uniform((50, 8), chunks=(7, 3))
    assert not same_bytes(lazy.compute(), other.compute())
    assert lazy.name != other.name


def test_same_arguments_give_the_same_keys_and_a_stream_changes_them():
    assert wfd.normal(10, seed=1, chunks=5).name == wfd.normal(10, seed=1, chunks=5).name
    assert wfd.normal(10, seed=1, chunks=5).name != wfd.normal(10, seed=1, chunks=5, stream=1).name


def test_chunk_options_of_dask_work():
    lazy = wfd.normal((1000, 30), chunks="auto", seed=1)
    assert same_bytes(lazy.compute(), wf.normal((1000, 30), seed=1))
    assert wfd.zeros(5, chunks=2).compute().tolist() == [0.0] * 5
    assert wfd.ones((2, 2), chunks=1, dtype="float64").compute().dtype == np.float64
    assert same_bytes(wfd.normal((), seed=1).compute(), wf.normal((), seed=1))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: wfd.he_normal((10, 10), distribution="cauchy"), ValueError, "distribution"),
        (lambda: wfd.normal((10,), std=-1.0), ValueError, "std"),
        (lambda: wfd.uniform((10,), dtype="int32"), TypeError, "dtype"),
        (lambda: wfd.uniform((-1, 2)), ValueError, "shape"),
        (lambda: wfd.uniform((4,), seed="x"), TypeError, "seed"),
        (lambda: wfd.constant((4,), 1e6, dtype="float16"), ValueError, "overflows"),
    ],
)
def test_bad_arguments_fail_when_the_array_is_defined(make, error, message):
    with pytest.raises(error, match=message):
        make()
