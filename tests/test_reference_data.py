"""Data loaders: the 784-feature digits (scikit-learn) and .npz files."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from winit_fast.reference import MLP, load_digits_784, load_npz
from winit_fast.reference import data as data_module
from winit_fast.reference.data import split, upsample_matrix
from winit_fast.reference.experiments import epoch_reaching


def test_upsample_matrix_is_a_convex_interpolation():
    m = upsample_matrix(8, 28)
    assert m.shape == (28, 8)
    np.testing.assert_allclose(m.sum(axis=1), 1)
    assert (m >= 0).all()
    ramp = m @ np.arange(8.0)  # linear data stays linear (between the clamped edges)
    assert (np.diff(ramp) >= 0).all()


def test_digits_784():
    pytest.importorskip("sklearn", reason="needs scikit-learn (the bundled digits)")
    data = load_digits_784()
    assert data.X_train.shape == (1438, 784) and data.X_val.shape == (359, 784)
    assert data.X_train.dtype == np.float32
    assert data.X_train.min() == 0 and data.X_train.max() == 1
    assert set(np.unique(data.y_train)) == set(range(10))
    again = load_digits_784()
    assert np.array_equal(again.y_val, data.y_val) and np.array_equal(again.X_val, data.X_val)
    other = load_digits_784(split_seed=1)
    assert not np.array_equal(other.y_val, data.y_val)


def test_he_reaches_90_percent_on_digits_within_10_epochs():
    """A correctness check of the whole trainer: the article's network, He init, seed 0."""
    pytest.importorskip("sklearn", reason="needs scikit-learn (the bundled digits)")
    data = load_digits_784()
    model = MLP([784, 64, 10], "relu", "he_normal", seed=0)
    history = model.fit(
        data.X_train, data.y_train, epochs=10, batch_size=32, validation_data=data[2:], seed=0
    )
    assert epoch_reaching(history, 0.9) is not None
    assert history["val_accuracy"][-1] >= 0.9


def test_missing_scikit_learn_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    data_module._digits_784.cache_clear()
    try:
        with pytest.raises(ImportError, match="scikit-learn"):
            load_digits_784()
    finally:
        data_module._digits_784.cache_clear()


def test_load_npz_splits_and_scales(tmp_path):
    path = tmp_path / "images.npz"
    X = np.arange(20 * 4, dtype=np.uint8).reshape(20, 2, 2)
    np.savez(path, X=X, y=np.arange(20) % 4)
    data = load_npz(path, validation_fraction=0.25)
    assert data.X_train.shape == (15, 4) and data.X_val.shape == (5, 4)
    assert data.X_train.max() <= 1 and data.n_classes == 4
    # the same rows as split() on the scaled data
    expected = split(X.reshape(20, 4) / 255.0, np.arange(20) % 4, 0.25)
    np.testing.assert_allclose(data.X_val, expected.X_val.astype(np.float32))


def test_load_npz_uses_given_validation_arrays(tmp_path):
    path = tmp_path / "given.npz"
    np.savez(path, X=np.ones((6, 3)), y=np.zeros(6, int), X_val=np.zeros((2, 3)), y_val=[1, 1])
    data = load_npz(path)
    assert data.X_train.shape == (6, 3) and data.y_val.tolist() == [1, 1]


def test_load_npz_bad_files(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, features=np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"lacks \['X', 'y'\]"):
        load_npz(path)
    np.savez(path, X=np.ones((3, 2)), y=np.ones(3))
    with pytest.raises(ValueError, match="integer labels"):
        load_npz(path)


def test_split_rejects_bad_fraction():
    with pytest.raises(ValueError, match="validation_fraction"):
        split(np.ones((4, 2)), np.zeros(4, int), validation_fraction=1.0)
