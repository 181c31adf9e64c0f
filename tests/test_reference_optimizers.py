"""SGD and Adam against updates computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference_support import toy_data

from winit_fast.reference import MLP
from winit_fast.reference.functions import one_hot
from winit_fast.reference.optimizers import SGD, Adam, get_optimizer


def test_sgd_step_is_lr_times_gradient():
    p = np.array([1.0, -2.0, 0.5])
    SGD(lr=0.25).step([p], [np.array([4.0, 1.0, -2.0])])
    np.testing.assert_array_equal(p, [0.0, -2.25, 1.0])


def test_adam_first_step_without_epsilon_moves_each_parameter_by_lr():
    # t = 1: m = 0.1 g, v = 0.001 g², alpha = lr sqrt(0.001) / 0.1, so the step is lr sign(g).
    p = np.array([0.0, 0.0, 0.0])
    Adam(lr=0.01, epsilon=0.0).step([p], [np.array([5.0, -0.003, 1e6])])
    np.testing.assert_allclose(p, [-0.01, 0.01, -0.01], rtol=1e-12)


def test_adam_matches_the_textbook_form_over_several_steps():
    # Kingma & Ba with bias-corrected moments; Keras's epsilon sits on the uncorrected sqrt(v),
    # which is the textbook form with epsilon / sqrt(1 - beta2^t).
    lr, b1, b2, eps = 0.003, 0.9, 0.999, 1e-7
    grads = [np.array([0.5, -1.5]), np.array([0.25, 2.0]), np.array([-1.0, 1e-4])]
    p = np.array([1.0, -1.0])
    expected, m, v = p.copy(), np.zeros(2), np.zeros(2)
    adam = Adam(lr)
    for t, g in enumerate(grads, start=1):
        adam.step([p], [g])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        expected -= lr * m_hat / (np.sqrt(v_hat) + eps / math.sqrt(1 - b2**t))
        np.testing.assert_allclose(p, expected, rtol=1e-12, atol=0)
    assert adam.iterations == 3


def test_adam_keeps_float32():
    p = np.ones(3, np.float32)
    Adam().step([p], [np.full(3, 0.5, np.float32)])
    assert p.dtype == np.float32


def test_model_sgd_step_equals_manual_update():
    data = toy_data()
    model = MLP([12, 8, 3], seed=1, dtype=np.float64, optimizer="sgd", lr=0.1)
    X, Y = data.X_train[:16], one_hot(data.y_train[:16], 3, np.float64)
    before = model.weights
    loss, grads = model.loss_and_gradients(X, Y)
    assert model.train_step(X, Y) == loss  # the loss before the step
    for (w, b), (w0, b0), (dw, db) in zip(model.weights, before, grads, strict=True):
        np.testing.assert_allclose(w, w0 - 0.1 * dw, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(b, b0 - 0.1 * db, rtol=1e-14, atol=1e-15)


def test_train_step_lowers_the_loss_of_its_batch():
    data = toy_data()
    model = MLP([12, 8, 3], seed=1, optimizer="sgd", lr=0.1)
    X, Y = data.X_train[:32], one_hot(data.y_train[:32], 3)
    first = model.train_step(X, Y)
    assert model.loss_and_gradients(X, Y)[0] < first


@pytest.mark.parametrize(
    ("name", "lr", "error", "match"),
    [
        ("rmsprop", 0.1, ValueError, "optimizer 'rmsprop' is unknown"),
        ("adam", -1.0, ValueError, "lr must be"),
        ("sgd", "0.1", TypeError, "lr must be"),
        (None, 0.1, TypeError, "optimizer must be"),
    ],
)
def test_bad_optimizer_arguments(name, lr, error, match):
    with pytest.raises(error, match=match):
        get_optimizer(name, lr)


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="sgd, adam"):
        MLP([2, 2], optimizer="adagrad")
