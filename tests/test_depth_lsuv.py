"""LSUV: every layer reaches unit pre-activation variance on the batch; max_iter is honoured."""

from __future__ import annotations

import numpy as np
import pytest

from winit_fast.reference import MLP, ResidualMLP, lsuv
from winit_fast.reference.initialization import initial_weights


def batch(n: int = 64, features: int = 20, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, features), dtype=np.float32)


def pre_activation_variances(model, X) -> list[float]:
    """Recomputed independently of lsuv: the variance of each layer's h @ W + b."""
    if isinstance(model, ResidualMLP):
        inputs = model.dense_inputs(X)
    else:
        inputs = [X]
        for w, b in model.weights[:-1]:
            inputs.append(np.maximum(inputs[-1] @ w + b, 0))  # relu
    return [float(np.var(h @ w + b)) for h, (w, b) in zip(inputs, model.weights, strict=True)]


@pytest.mark.parametrize("tol", [0.1, 0.01])
@pytest.mark.parametrize("residual", [False, True])
def test_every_layer_reaches_unit_variance(tol, residual):
    X = batch()
    if residual:
        model = ResidualMLP(20, 32, 6, 5, init="glorot_normal", seed=1)
    else:
        model = MLP([20, *[32] * 12, 5], init="glorot_normal", seed=1)
    report = lsuv(model, X, tol=tol)
    assert [r.layer for r in report] == list(range(len(model.weights)))
    assert all(r.converged and abs(r.variance - 1) < tol for r in report)
    variances = pre_activation_variances(model, X)
    assert max(abs(v - 1) for v in variances) < tol
    assert all(not b.any() for _, b in model.weights)  # biases zero


def test_starts_from_orthogonal_kernels_up_to_one_scale_per_layer():
    model = MLP([20, 32, 32, 5], seed=3)
    lsuv(model, batch())
    orthogonal = initial_weights([20, 32, 32, 5], "orthogonal", 3)
    for (w, _), (ortho, _) in zip(model.weights, orthogonal, strict=True):
        scale = float(np.abs(w).sum() / np.abs(ortho).sum())
        np.testing.assert_allclose(w, scale * ortho, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("max_iter", [0, 1, 3])
def test_stops_after_max_iter(max_iter):
    model = MLP([20, 32, 32, 5], seed=0)
    before = model.weights
    report = lsuv(model, batch(), tol=0.0, max_iter=max_iter)  # tol 0: never converges
    assert [r.iterations for r in report] == [max_iter] * 3
    assert not any(r.converged for r in report)
    if max_iter == 0:  # orthogonal kernels, not rescaled: not the he_normal ones any more
        assert not np.array_equal(model.weights[0][0], before[0][0])


def test_without_orthogonal_rescales_the_current_kernels():
    model = MLP([20, 16, 5], init="he_normal", seed=0)
    w0 = model.weights[0][0]
    lsuv(model, batch(), orthogonal=False)
    ratio = model.weights[0][0] / w0
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-5)


def test_a_dead_layer_is_reported_not_divided_by_zero():
    model = MLP([20, 8, 5], seed=0)
    report = lsuv(model, np.zeros((8, 20)))
    assert report[0].variance == 0.0 and not report[0].converged and report[0].iterations == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tol": -0.1}, ValueError, "tol"),
        ({"tol": "0.1"}, TypeError, "tol"),
        ({"max_iter": -1}, ValueError, "max_iter"),
        ({"max_iter": 2.0}, TypeError, "max_iter"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        lsuv(MLP([20, 8, 5]), batch(), **kwargs)


def test_bad_model_and_batch():
    with pytest.raises(TypeError, match="model"):
        lsuv("mlp", batch())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="X"):
        lsuv(MLP([20, 8, 5]), batch(features=7))
    with pytest.raises(ValueError, match="X_batch"):
        lsuv(MLP([20, 8, 5]), batch(n=1))
