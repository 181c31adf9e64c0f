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


def numeric_gradients(model, X: np.ndarray, Y: np.ndarray, h: float = 1e-6) -> list:
    """Central finite differences of the loss for every weight and bias of ``model`` (an
    MLP or a ResidualMLP: anything with settable ``weights`` and ``loss_and_gradients``)."""
    weights = model.weights
    numeric = []
    for i, pair in enumerate(weights):
        grads = []
        for which in range(2):
            array = pair[which]
            grad = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                losses = []
                for step in (h, -h):
                    trial = [(w.copy(), b.copy()) for w, b in weights]
                    trial[i][which][index] += step
                    model.weights = trial
                    losses.append(model.loss_and_gradients(X, Y)[0])
                grad[index] = (losses[0] - losses[1]) / (2 * h)
            grads.append(grad)
        numeric.append(tuple(grads))
    model.weights = weights
    return numeric
