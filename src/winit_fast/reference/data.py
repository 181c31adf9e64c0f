"""Data sets for the reference trainer; nothing is downloaded.

- :func:`load_digits_784`: scikit-learn's bundled 8x8 digits (1,797 images), upsampled to
  28x28 = 784 features (the seed article's MNIST input size) and scaled to ``[0, 1]``;
- :func:`load_npz`: any ``.npz`` holding ``X`` and ``y`` (and optionally ``X_val``, ``y_val``).

Both return a :class:`Dataset` with a fixed train/validation split.
"""

from __future__ import annotations

import functools
import os
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Dataset", "load_data", "load_digits_784", "load_npz", "split", "upsample_matrix"]


class Dataset(NamedTuple):
    """Training and validation arrays; ``y`` are integer labels in ``[0, n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.data import Dataset
    >>> d = Dataset(np.zeros((3, 2)), np.zeros(3, int), np.zeros((1, 2)), np.zeros(1, int))
    >>> d.n_features, d.n_classes
    (2, 1)
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray

    @property
    def n_features(self) -> int:
        """Columns of ``X``."""
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        """One more than the largest label of either split."""
        return int(max(self.y_train.max(initial=-1), self.y_val.max(initial=-1)) + 1)

    def head(self, n_train: int | None) -> Dataset:
        """The first ``n_train`` training rows (all when ``None``), the same validation set.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference.data import Dataset
        >>> d = Dataset(np.zeros((3, 2)), np.zeros(3, int), np.zeros((1, 2)), np.zeros(1, int))
        >>> d.head(2).X_train.shape
        (2, 2)
        """
        if n_train is None:
            return self
        if n_train < 1:
            raise ValueError(f"n_train must be >= 1, got {n_train}")
        return self._replace(X_train=self.X_train[:n_train], y_train=self.y_train[:n_train])


def split(
    X: np.ndarray, y: np.ndarray, validation_fraction: float = 0.2, split_seed: int = 0
) -> Dataset:
    """Shuffle the rows with ``numpy.random.default_rng(split_seed)`` and hold out the last
    ``validation_fraction`` of them.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.data import split
    >>> d = split(np.arange(20.0).reshape(10, 2), np.arange(10) % 2)
    >>> d.X_train.shape, d.X_val.shape
    ((8, 2), (2, 2))
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    order = np.random.default_rng(split_seed).permutation(len(X))
    n_val = max(1, round(validation_fraction * len(X)))
    train, val = order[:-n_val], order[-n_val:]
    return Dataset(X[train], y[train], X[val], y[val])


def synthetic(rows: int, features: int, classes: int, seed: int = 0) -> Dataset:
    """A random data set for examples and smoke tests: uniform features in ``[0, 1)`` and
    random labels from ``numpy.random.default_rng(seed)``, held out as :func:`split` does.

    Examples
    --------
    >>> from winit_fast.reference.data import synthetic
    >>> d = synthetic(100, 12, 3)
    >>> d.X_train.shape, d.X_val.shape, int(d.y_train.max()) < 3
    ((80, 12), (20, 12), True)
    """
    rng = np.random.default_rng(seed)
    return split(rng.random((rows, features)), rng.integers(0, classes, rows))


def upsample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """The ``(n_out, n_in)`` matrix of 1-D linear interpolation between pixel centres.

    ``M @ image @ M.T`` is the bilinear resize of a square image; each row of ``M`` sums to 1
    and is non-negative, so values stay in the input's range.

    Examples
    --------
    >>> from winit_fast.reference.data import upsample_matrix
    >>> upsample_matrix(2, 4)
    array([[1.  , 0.  ],
           [0.75, 0.25],
           [0.25, 0.75],
           [0.  , 1.  ]])
    """
    # Output pixel centres mapped to input coordinates (half-pixel convention, edges clamped).
    position = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = position - low
    matrix = np.zeros((n_out, n_in))
    matrix[np.arange(n_out), low] += 1 - frac
    matrix[np.arange(n_out), high] += frac
    return matrix


def load_digits_784(
    validation_fraction: float = 0.2, split_seed: int = 0, dtype: Any = np.float32
) -> Dataset:
    """scikit-learn's 8x8 digits, bilinearly upsampled to 28x28, as 784 features in ``[0, 1]``.

    1,797 images of 10 classes; with the defaults, 1,438 for training and 359 for validation,
    always the same ones (``split_seed``). The data ship with scikit-learn: nothing is
    downloaded.

    Raises
    ------
    ImportError
        If scikit-learn is not installed (``pip install "winit-fast[train]"``).

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("sklearn", reason="needs scikit-learn")
    >>> from winit_fast.reference import load_digits_784
    >>> data = load_digits_784()
    >>> data.X_train.shape, data.X_val.shape, float(data.X_train.max()), data.n_classes
    ((1438, 784), (359, 784), 1.0, 10)
    """
    X, y = _digits_784()
    return split(X.astype(dtype), y, validation_fraction, split_seed)


@functools.lru_cache(maxsize=1)
def _digits_784() -> tuple[np.ndarray, np.ndarray]:
    """The upsampled images in float64 and the labels, computed once per process."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits_784 needs scikit-learn (its bundled 8x8 digits): "
            'pip install scikit-learn, or pip install "winit-fast[train]"'
        ) from exc
    digits = load_digits()
    images = digits.images / 16.0  # pixel values are 0..16
    m = upsample_matrix(8, 28)
    upsampled = np.einsum("ij,njk,lk->nil", m, images, m)  # M @ image @ M.T for each image
    X = np.clip(upsampled, 0, 1).reshape(len(images), 784)
    X.flags.writeable = False  # shared by every call: split() returns fresh copies
    return X, digits.target.astype(np.int64)


def load_npz(
    path: str | os.PathLike[str],
    validation_fraction: float = 0.2,
    split_seed: int = 0,
    dtype: Any = np.float32,
) -> Dataset:
    """A data set from an ``.npz`` file with ``X`` (rows of features) and ``y`` (labels).

    ``X`` is flattened to ``(n, features)``; a ``uint8`` ``X`` (image bytes) is divided by
    255, any other is used as given. If the file also holds ``X_val`` and ``y_val`` they are
    the validation set, else :func:`split` holds out ``validation_fraction`` of the rows.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from winit_fast.reference import load_npz
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, X=np.full((10, 2, 2), 255, np.uint8), y=np.arange(10) % 3)
    >>> data = load_npz(path)
    >>> data.X_train.shape, float(data.X_train.max()), data.n_classes
    ((8, 4), 1.0, 3)
    """
    with np.load(path) as arrays:
        missing = [key for key in ("X", "y") if key not in arrays]
        if missing:
            raise ValueError(f"{os.fspath(path)!r} lacks {missing}; it holds {list(arrays)}")
        parts = {key: arrays[key] for key in ("X", "y", "X_val", "y_val") if key in arrays}

    def features(X: np.ndarray) -> np.ndarray:
        scaled = X / 255.0 if X.dtype == np.uint8 else X
        return np.asarray(scaled, dtype=dtype).reshape(len(X), -1)

    def labels(y: np.ndarray, key: str) -> np.ndarray:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{key} must be a 1-D array of integer labels, got {y.dtype}")
        return y.astype(np.int64)

    X, y = features(parts["X"]), labels(parts["y"], "y")
    if len(X) != len(y):
        raise ValueError(f"X and y must have as many rows, got {len(X)} and {len(y)}")
    if "X_val" in parts and "y_val" in parts:
        return Dataset(X, y, features(parts["X_val"]), labels(parts["y_val"], "y_val"))
    return split(X, y, validation_fraction, split_seed)


def load_data(name: str | os.PathLike[str] = "digits", **options: Any) -> Dataset:
    """``"digits"`` (:func:`load_digits_784`) or the path of an ``.npz`` (:func:`load_npz`).

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from winit_fast.reference.data import load_data
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, X=np.ones((5, 3)), y=np.arange(5) % 2)
    >>> load_data(path).n_features
    3
    """
    if os.fspath(name) == "digits":
        return load_digits_784(**options)
    return load_npz(name, **options)
