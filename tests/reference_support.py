"""Helpers for the reference-trainer tests: small random data sets."""

from __future__ import annotations

import numpy as np

from winit_fast.reference.data import Dataset, split


def toy_data(n: int = 120, features: int = 12, classes: int = 3, seed: int = 0) -> Dataset:
    """Gaussian blobs, one per class: learnable, tiny and without scikit-learn."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 2, (classes, features))
    y = rng.integers(0, classes, n)
    X = (centres[y] + rng.normal(0, 1, (n, features))).astype(np.float32)
    return split(X, y)
