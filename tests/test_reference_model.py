"""The MLP: zero-init symmetry, determinism, history semantics, weights, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from reference_support import toy_data

from winit_fast.reference import MLP
from winit_fast.reference.experiments import hidden_unit_spread


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_zero_init_leaves_hidden_units_identical(activation):
    data = toy_data()
    model = MLP([12, 16, 3], activation, init="zeros", seed=0, lr=1e-2)
    model.fit(data.X_train, data.y_train, epochs=3, batch_size=16)
    weights = model.weights
    assert hidden_unit_spread(weights) == 0.0
    if activation == "sigmoid":  # the units do move (sigmoid(0) = 0.5), all in lockstep
        assert np.abs(weights[0][0]).max() > 1e-3


def test_random_init_breaks_the_symmetry():
    data = toy_data()
    model = MLP([12, 16, 3], init="he_normal", seed=0)
    model.fit(data.X_train, data.y_train, epochs=1)
    assert hidden_unit_spread(model.weights) > 0.1


def test_fit_is_deterministic_and_depends_on_its_seed():
    data = toy_data()

    def run(init_seed, shuffle_seed):
        model = MLP([12, 8, 3], seed=init_seed)
        return model.fit(data.X_train, data.y_train, epochs=2, seed=shuffle_seed)

    assert run(0, 0) == run(0, 0)
    assert run(0, 0)["loss"] != run(0, 1)["loss"]
    assert run(0, 0)["loss"] != run(1, 0)["loss"]


def test_history_loss_is_the_batch_size_weighted_mean_before_each_step():
    data = toy_data(n=50)  # 40 training rows: batches of 16, 16, 8
    model = MLP([12, 8, 3], seed=0, dtype=np.float64)
    twin = MLP([12, 8, 3], seed=0, dtype=np.float64)
    history = model.fit(data.X_train, data.y_train, epochs=1, batch_size=16, seed=5)
    order = np.random.default_rng(5).permutation(40)
    total = 0.0
    for start in range(0, 40, 16):
        rows = order[start : start + 16]
        targets = np.eye(3)[data.y_train[rows]]
        total += twin.train_step(data.X_train[rows], targets) * rows.size
    assert history["loss"][0] == pytest.approx(total / 40, rel=1e-12)
    assert history["val_loss"] == [] and history["val_accuracy"] == []


def test_validation_history_matches_evaluate():
    data = toy_data()
    model = MLP([12, 8, 3], seed=0)
    history = model.fit(
        data.X_train, data.y_train, epochs=2, validation_data=(data.X_val, data.y_val)
    )
    assert (history["val_loss"][-1], history["val_accuracy"][-1]) == model.evaluate(
        data.X_val, data.y_val
    )


def test_training_learns_the_toy_data():
    data = toy_data(n=300)
    model = MLP([12, 16, 3], seed=0, lr=1e-2)
    history = model.fit(data.X_train, data.y_train, epochs=5, validation_data=data[2:])
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9


def test_predict_returns_probabilities():
    data = toy_data()
    p = MLP([12, 8, 3], seed=0).predict(data.X_val)
    assert p.shape == (len(data.X_val), 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


def test_weights_are_copies_and_settable():
    model = MLP([4, 3, 2], seed=0)
    weights = model.weights
    weights[0][0][:] = 7
    assert not (model.weights[0][0] == 7).any()
    model.weights = weights
    assert (model.weights[0][0] == 7).all() and model.weights[0][0].dtype == np.float32
    with pytest.raises(ValueError, match=r"weights\[1\] must be shaped \(3, 2\)"):
        model.weights = [weights[0], (np.zeros((2, 3)), np.zeros(2))]
    with pytest.raises(ValueError, match="2 \\(W, b\\) pairs"):
        model.weights = weights[:1]


def test_float64_model_computes_in_float64():
    model = MLP([4, 3, 2], seed=0, dtype=np.float64)
    assert all(w.dtype == b.dtype == np.float64 for w, b in model.weights)
    assert model.predict(np.ones((2, 4), np.float32)).dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_sizes": [4]}, ValueError, "input and an output"),
        ({"layer_sizes": [4, 0, 2]}, ValueError, "layer_sizes"),
        ({"layer_sizes": "784,10"}, TypeError, "layer_sizes"),
        ({"activation": "gelu"}, ValueError, "relu, tanh, sigmoid, linear"),
        ({"activation": None}, TypeError, "activation"),
        ({"dtype": np.float16}, ValueError, "dtype"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"backend": "cuda"}, ValueError, "backend"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    arguments = {"layer_sizes": [4, 3, 2], **kwargs}
    with pytest.raises(error, match=match):
        MLP(**arguments)


def test_bad_fit_arguments():
    model = MLP([4, 3, 2])
    X, y = np.ones((5, 4)), np.array([0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match=r"X must be shaped \(n, 4\)"):
        model.fit(np.ones((5, 3)), y)
    with pytest.raises(ValueError, match=r"labels in \[0, 2\)"):
        model.fit(X, np.array([0, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match="integer labels"):
        model.fit(X, np.zeros(5))
    with pytest.raises(ValueError, match="as many rows"):
        model.fit(X, y[:4])
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(X, y, batch_size=0)
    with pytest.raises(TypeError, match="epochs"):
        model.fit(X, y, epochs=1.0)
    with pytest.raises(ValueError, match="Y_onehot"):
        model.train_step(X, np.ones((5, 3)))


def test_layer_sizes_may_be_any_iterable_of_ints():
    model = MLP(np.array([4, 3, 2]))
    assert model.layer_sizes == [4, 3, 2]
    assert all(type(size) is int for size in model.layer_sizes)
