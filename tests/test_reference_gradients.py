"""Back-propagation against central finite differences (float64, tiny networks)."""

from __future__ import annotations

import numpy as np
import pytest
from reference_support import assert_gradients_match

from winit_fast.reference import MLP
from winit_fast.reference.functions import ACTIVATIONS, cross_entropy, one_hot, softmax


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 4))
    Y = one_hot(rng.integers(0, 3, 6), 3, np.float64)
    model = MLP([4, 5, 4, 3], activation, init="glorot_uniform", seed=3, dtype=np.float64)
    assert_gradients_match(model, X, Y, rng, activation)


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
