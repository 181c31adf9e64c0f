"""ResidualMLP: gradients against finite differences, and the depth scalings' formulas."""

from __future__ import annotations

import numpy as np
import pytest
from reference_support import assert_gradients_match

import winit_fast as wf
from winit_fast.reference import ResidualMLP
from winit_fast.reference.depth_study import make_model
from winit_fast.reference.functions import ACTIVATIONS, one_hot
from winit_fast.reference.residual import branch_scale


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 4))
    Y = one_hot(rng.integers(0, 3, 6), 3, np.float64)
    model = ResidualMLP(4, 5, 2, 3, activation, "glorot_uniform", seed=3, dtype=np.float64)
    analytic = assert_gradients_match(model, X, Y, rng, activation)
    assert len(analytic) == 2 * 2 + 2


def test_trace_gradients_are_those_of_the_residual_stream():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 4)), one_hot(rng.integers(0, 3, 5), 3, np.float64)
    model = ResidualMLP(4, 6, 3, 3, "tanh", seed=0, dtype=np.float64)
    stream, grads = model.trace(X, Y)
    assert len(stream) == len(grads) == 3 + 1
    # d loss / d h_depth is the last layer's delta times W_out^T: perturb h_depth directly
    w, b = model.weights[-1]
    direction = rng.normal(size=stream[-1].shape)
    eps = 1e-6

    def loss_at(h):
        from winit_fast.reference.functions import cross_entropy

        return cross_entropy(h @ w + b, Y)

    numeric = (loss_at(stream[-1] + eps * direction) - loss_at(stream[-1] - eps * direction)) / (
        2 * eps
    )
    assert numeric == pytest.approx(float((grads[-1] * direction).sum()), rel=1e-6)


WIDTH, DEPTH = 256, 16


def branch_kernels(model):
    firsts = [model.weights[1 + 2 * j][0] for j in range(model.depth)]
    lasts = [model.weights[2 + 2 * j][0] for j in range(model.depth)]
    return firsts, lasts


def test_fixup_follows_its_formula():
    model = ResidualMLP(32, WIDTH, DEPTH, 10, init="he_normal", scaling="fixup", seed=0)
    plain = ResidualMLP(32, WIDTH, DEPTH, 10, init="he_normal", seed=0)
    firsts, lasts = branch_kernels(model)
    assert all(not w.any() for w in lasts)  # rule 1: last layer of every branch is zero
    assert not model.weights[-1][0].any()  # rule 1: the classifier too
    scale = DEPTH ** (-1 / (2 * 2 - 2))  # rule 2: L^(-1/(2m-2)), m = 2 layers per branch
    he_std = np.sqrt(2 / WIDTH)
    for w in firsts:  # each has 65,536 draws: the std is within 1 % (about 4 sigma)
        assert float(w.std()) == pytest.approx(he_std * scale, rel=0.01)
    # same streams as without scaling: exactly the He kernels times the factor
    for w, base in zip(firsts, branch_kernels(plain)[0], strict=True):
        np.testing.assert_allclose(w, base * np.float32(scale), rtol=1e-6)
    np.testing.assert_array_equal(model.weights[0][0], plain.weights[0][0])  # stem untouched


def test_gpt2_follows_its_formula():
    model = ResidualMLP(32, WIDTH, DEPTH, 10, init="he_normal", scaling="gpt2", seed=0)
    plain = ResidualMLP(32, WIDTH, DEPTH, 10, init="he_normal", seed=0)
    firsts, lasts = branch_kernels(model)
    base_std = np.sqrt(2 / WIDTH)
    for w in lasts:
        assert float(w.std()) == pytest.approx(base_std / np.sqrt(2 * DEPTH), rel=0.01)
    for w, base in zip(lasts, branch_kernels(plain)[1], strict=True):
        np.testing.assert_allclose(w, base / np.float32(np.sqrt(2 * DEPTH)), rtol=1e-6)
    for w, base in zip(firsts, branch_kernels(plain)[0], strict=True):
        np.testing.assert_array_equal(w, base)
    np.testing.assert_array_equal(model.weights[-1][0], plain.weights[-1][0])


def test_layers_use_the_mlp_stream_convention():
    model = ResidualMLP(8, 16, 2, 3, init="glorot_normal", seed=5)
    for i, (w, _) in enumerate(model.weights):
        expected = wf.initializers.GlorotNormal(seed=5, stream=f"dense_{i}/kernel")(w.shape)
        np.testing.assert_array_equal(w, expected)


def test_branch_scale_and_bad_input():
    assert branch_scale("fixup", 9, m=3) == pytest.approx((9 ** (-1 / 4), 0.0))
    with pytest.raises(ValueError, match="scaling"):
        branch_scale("deepnet", 4)
    with pytest.raises(ValueError, match="depth"):
        branch_scale("gpt2", 0)
    with pytest.raises(ValueError, match="scaling"):
        ResidualMLP(4, 4, 2, 2, scaling="bogus")
    with pytest.raises(TypeError, match="width"):
        ResidualMLP(4, 4.0, 2, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="depth"):
        ResidualMLP(4, 4, 0, 2)
    with pytest.raises(ValueError, match="residual"):
        make_model("fixup", residual=False, n_inputs=4, width=4, depth=2, n_classes=2)
    with pytest.raises(ValueError, match="X_batch"):
        make_model("lsuv", residual=True, n_inputs=4, width=4, depth=2, n_classes=2)


def test_residual_model_learns():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 2, (3, 8))
    y = rng.integers(0, 3, 150)
    X = (centres[y] + rng.normal(0, 1, (150, 8))).astype(np.float32)
    model = ResidualMLP(8, 16, 8, 3, scaling="fixup", seed=0, lr=1e-2)
    history = model.fit(X, y, epochs=5, batch_size=16)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
