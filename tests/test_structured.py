"""orthogonal (QR of a normal matrix from the stream) and identity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import same_bytes

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


def gram(w):
    """W W^T over the orthonormal side of the flattened matrix, in float64."""
    flat = w.reshape(-1, w.shape[-1]).astype(np.float64)
    return flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(64, 64), (100, 30), (30, 100), (3, 3, 16, 32), (1, 7)])
@pytest.mark.parametrize("gain", [1.0, 2.5, -0.5])
def test_orthogonal_is_orthogonal_times_gain(shape, dtype, gain):
    w = wf.orthogonal(shape, gain, seed=4, dtype=dtype)
    assert w.shape == shape and w.dtype == dtype
    product = gram(w)
    expected = gain**2 * np.eye(product.shape[0])
    assert np.abs(product - expected).max() <= TOLERANCE[dtype] * max(1.0, gain**2)


def test_orthogonal_follows_the_keras_recipe():
    # rows = 3*3*8 = 72 > cols = 16: Q of a (72, 16) normal matrix, sign-corrected.
    shape = (3, 3, 8, 16)
    draws = wf.normal((72, 16), seed=6, dtype=np.float64, stream="w")
    q, r = np.linalg.qr(draws)
    q = q * np.sign(np.diagonal(r))
    result = wf.orthogonal(shape, 1.5, seed=6, dtype=np.float64, stream="w")
    np.testing.assert_allclose(result, 1.5 * q.reshape(shape), rtol=0, atol=1e-14)
    # rows < cols: the transpose of Q of the (cols, rows) draw.
    draws = wf.normal((40, 10), seed=6, dtype=np.float64)
    q, r = np.linalg.qr(draws)
    wide = wf.orthogonal((10, 40), seed=6, dtype=np.float64)
    np.testing.assert_allclose(wide, (q * np.sign(np.diagonal(r))).T, rtol=0, atol=1e-14)


def test_float32_is_the_float64_result_rounded_once():
    w64 = wf.orthogonal((50, 20), 2.0, seed=1, dtype=np.float64)
    w32 = wf.orthogonal((50, 20), 2.0, seed=1, dtype=np.float32)
    assert same_bytes(w32, w64.astype(np.float32))


def test_orthogonal_is_reproducible_and_seeded():
    a = wf.orthogonal((20, 20), seed=3)
    assert same_bytes(a, wf.orthogonal((20, 20), seed=3))
    assert not same_bytes(a, wf.orthogonal((20, 20), seed=4))
    assert not same_bytes(a, wf.orthogonal((20, 20), seed=3, stream=1))


def test_orthogonal_fills_out():
    out = np.empty((16, 8), np.float64)
    assert wf.orthogonal(out=out, seed=2) is out
    assert same_bytes(out, wf.orthogonal((16, 8), seed=2, dtype=np.float64))


def test_orthogonal_entries_are_spread_like_haar():
    # Sign correction makes Q Haar-distributed: each entry has mean 0 and variance 1/n.
    w = wf.orthogonal((400, 400), seed=0, dtype=np.float64)
    assert abs(w.mean()) < 5 / 400
    assert w.var() == pytest.approx(1 / 400, rel=0.01)
    assert np.diagonal(w).mean() == pytest.approx(0.0, abs=5 / math.sqrt(400 * 400))


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (2, 0, 3)])
def test_orthogonal_of_zero_size_is_empty(shape):
    assert wf.orthogonal(shape, seed=0).shape == shape


@pytest.mark.parametrize(
    ("shape", "dtype", "gain"),
    [((3, 5), np.float32, 1.0), ((4, 4), np.float64, -2.0), ((5, 2), np.float32, 0.0)],
)
def test_identity_is_eye_times_gain(shape, dtype, gain):
    w = wf.identity(shape, gain, dtype=dtype)
    # Equal, not same bytes: off the diagonal we write +0 where gain * eye has -0 for gain < 0.
    assert w.dtype == dtype
    np.testing.assert_array_equal(w, (gain * np.eye(*shape)).astype(dtype))


def test_identity_fills_out():
    out = np.full((3, 4), 7.0, np.float32)
    assert wf.identity(out=out) is out
    assert same_bytes(out, np.eye(3, 4, dtype=np.float32))


@pytest.mark.parametrize(
    ("function", "args", "kwargs", "error", "pattern"),
    [
        (wf.orthogonal, ((5,),), {"seed": 0}, ValueError, "shape"),
        (wf.orthogonal, ((),), {"seed": 0}, ValueError, "shape"),
        (wf.orthogonal, ((4, 4), float("nan")), {"seed": 0}, ValueError, "gain"),
        (wf.orthogonal, ((4, 4), float("inf")), {"seed": 0}, ValueError, "gain"),
        (wf.orthogonal, ((4, 4), 1e300), {"seed": 0}, ValueError, "gain"),
        (wf.orthogonal, ((4, 4), "1"), {"seed": 0}, TypeError, "gain"),
        (wf.orthogonal, ((4, 4),), {"seed": -1}, ValueError, "seed"),
        (wf.orthogonal, ((4, 4),), {"dtype": np.int64}, TypeError, "dtype"),
        (wf.identity, ((4,),), {}, ValueError, "shape"),
        (wf.identity, ((2, 2, 2),), {}, ValueError, "shape"),
        (wf.identity, ((),), {}, ValueError, "shape"),
        (wf.identity, ((2, 2), float("nan")), {}, ValueError, "gain"),
        (wf.identity, ((2, 2),), {"dtype": np.int32}, TypeError, "dtype"),
    ],
)
def test_bad_input_names_the_argument(function, args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        function(*args, **kwargs)


@pytest.mark.parametrize("dtype", [np.float16, "bfloat16"])
def test_sixteen_bit_is_the_float32_result_rounded(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs ml_dtypes")
    w = wf.orthogonal((30, 20), 1.5, seed=1, dtype=dtype)
    resolved = w.dtype
    assert resolved.itemsize == 2
    assert same_bytes(w, wf.orthogonal((30, 20), 1.5, seed=1).astype(resolved))
    eye = wf.identity((3, 4), 0.1, dtype=dtype)
    assert same_bytes(eye, wf.identity((3, 4), 0.1).astype(resolved))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_orthogonal_index_is_the_block_of_the_whole(dtype):
    whole = wf.orthogonal((48, 20), gain=1.5, seed=3, dtype=dtype)
    for index in [np.s_[5:30, 2:19], np.s_[:, 7:8], np.s_[40:], np.s_[::3, 1::4]]:
        block = wf.orthogonal((48, 20), gain=1.5, seed=3, dtype=dtype, index=index)
        assert block.tobytes() == np.ascontiguousarray(whole[index]).tobytes()
    # a list of slices on an axis: the pieces concatenated (a _StridedShard's local part)
    block = wf.orthogonal(
        (48, 20), gain=1.5, seed=3, dtype=dtype, index=(slice(None), [np.s_[:3], np.s_[10:12]])
    )
    assert block.tobytes() == np.concatenate([whole[:, :3], whole[:, 10:12]], axis=1).tobytes()
    with pytest.raises(ValueError, match="step"):
        wf.orthogonal((48, 20), seed=3, index=np.s_[::-2])
