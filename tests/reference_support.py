"""Helpers for the reference-trainer tests: small data sets, their .npz file, and the
gradient check against finite differences."""

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


def write_toy_npz(path, n: int = 100) -> str:
    """:func:`toy_data` saved as the .npz the trainer's ``--data`` reads; returns the path."""
    data = toy_data(n=n)
    np.savez(path, X=data.X_train, y=data.y_train, X_val=data.X_val, y_val=data.y_val)
    return str(path)


def assert_gradients_match(model, X: np.ndarray, Y: np.ndarray, rng, activation: str) -> list:
    """The analytic gradients of ``model`` equal central finite differences; returns them.

    The biases are first moved off zero, so every bias gradient is exercised away from
    symmetric points; for ReLU every unit must be away from the kink."""
    model.weights = [(w, rng.normal(0, 0.1, b.shape)) for w, b in model.weights]
    if activation == "relu":
        zs, _ = model._forward(X)
        assert min(np.abs(z).min() for z in zs[:-1]) > 1e-4
    _, analytic = model.loss_and_gradients(X, Y)
    for (dw, db), (nw, nb) in zip(analytic, numeric_gradients(model, X, Y), strict=True):
        np.testing.assert_allclose(dw, nw, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(db, nb, rtol=1e-5, atol=1e-8)
    return analytic


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
