"""Back-propagation against central finite differences (float64, tiny networks)."""

from __future__ import annotations

import numpy as np
import pytest
from reference_support import numeric_gradients

from winit_fast.reference import MLP
from winit_fast.reference.functions import ACTIVATIONS, cross_entropy, one_hot, softmax


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 4))
    Y = one_hot(rng.integers(0, 3, 6), 3, np.float64)
    model = MLP([4, 5, 4, 3], activation, init="glorot_uniform", seed=3, dtype=np.float64)
    # biases off zero so that every bias gradient is exercised away from symmetric points
    model.weights = [(w, rng.normal(0, 0.1, b.shape)) for w, b in model.weights]
    if activation == "relu":  # finite differences need every unit away from the kink
        zs, _ = model._forward(X)
        assert min(np.abs(z).min() for z in zs[:-1]) > 1e-4
    _, analytic = model.loss_and_gradients(X, Y)
    numeric = numeric_gradients(model, X, Y)
    for (dw, db), (nw, nb) in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(dw, nw, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(db, nb, rtol=1e-5, atol=1e-8)


def test_cross_entropy_gradient_is_softmax_minus_targets():
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(5, 4)), one_hot(rng.integers(0, 4, 5), 4, np.float64)
    h = 1e-6
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (cross_entropy(up, targets) - cross_entropy(down, targets)) / (2 * h)
    np.testing.assert_allclose(numeric, (softmax(logits) - targets) / 5, rtol=1e-6, atol=1e-9)


def test_cross_entropy_is_finite_for_saturated_logits():
    logits = np.array([[1e4, 0.0, -1e4]])
    loss = cross_entropy(logits, np.array([[0.0, 0.0, 1.0]]))
    assert loss == pytest.approx(2e4)
