"""The ``init`` specs: winit_fast names and objects, per-layer streams, numpy references."""

from __future__ import annotations

import numpy as np
import pytest
from support import same_bytes

import winit_fast as wf
from winit_fast import initializers
from winit_fast.reference import MLP, initial_weights
from winit_fast.reference.numpy_init import TRUNCATED_STD, numpy_initializer


def test_a_name_draws_layer_i_from_stream_dense_i_kernel():
    weights = initial_weights([30, 20, 10], "he_normal", seed=4)
    for i, (w, b) in enumerate(weights):
        expected = wf.he_normal(w.shape, seed=4, stream=f"dense_{i}/kernel")
        assert same_bytes(w, expected)
        assert not b.any()


def test_adding_a_layer_keeps_the_others():
    small = initial_weights([30, 20, 10], "glorot_uniform", seed=1)
    large = initial_weights([30, 20, 15, 10], "glorot_uniform", seed=1)
    assert same_bytes(small[0][0], large[0][0])
    small_np = initial_weights([30, 20, 10], "numpy:glorot_uniform", seed=1)
    large_np = initial_weights([30, 20, 15, 10], "numpy:glorot_uniform", seed=1)
    assert same_bytes(small_np[0][0], large_np[0][0])


def test_an_object_keeps_its_seed_and_stream():
    init = initializers.HeUniform(seed=9, stream="enc")
    weights = initial_weights([8, 6, 4], init, seed=0)
    expected = wf.he_uniform((6, 4), seed=9, stream="enc/dense_1/kernel")
    assert same_bytes(weights[1][0], expected)


def test_a_config_dict_without_seed_uses_the_model_seed():
    spec = {"class_name": "RandomNormal", "config": {"stddev": 0.5}}
    weights = initial_weights([8, 6], spec, seed=3)
    assert same_bytes(weights[0][0], wf.normal((8, 6), 0, 0.5, seed=3, stream="dense_0/kernel"))


def test_a_generator_seeded_object_advances_layer_after_layer():
    generator = wf.Generator(seed=2)
    weights = initial_weights([5, 5, 5], initializers.GlorotNormal(seed=generator))
    assert not np.array_equal(weights[0][0], weights[1][0])
    assert generator.state["block"] > 0


def test_random_normal_std_spec():
    w = initial_weights([400, 300], "random_normal:0.01", seed=0)[0][0]
    assert same_bytes(w, wf.normal((400, 300), 0, 0.01, seed=0, stream="dense_0/kernel"))
    assert w.std() == pytest.approx(0.01, rel=0.01)
    u = initial_weights([400, 300], "random_uniform:0.2", seed=0)[0][0]
    assert -0.2 <= u.min() and u.max() < 0.2


def test_zeros_spec_and_callable_spec():
    assert not initial_weights([3, 2], "zeros")[0][0].any()
    weights = initial_weights([3, 2], lambda shape, dtype: np.full(shape, 0.5, dtype))
    assert (weights[0][0] == 0.5).all() and weights[0][0].dtype == np.float32


@pytest.mark.parametrize(
    ("name", "variance", "bound"),
    [
        ("he_normal", 2 / 500, 2 * np.sqrt(2 / 500) / TRUNCATED_STD),
        ("glorot_normal", 2 / 800, 2 * np.sqrt(2 / 800) / TRUNCATED_STD),
        ("lecun_normal", 1 / 500, 2 * np.sqrt(1 / 500) / TRUNCATED_STD),
        ("he_uniform", 2 / 500, np.sqrt(6 / 500)),
        ("glorot_uniform", 2 / 800, np.sqrt(6 / 800)),
        ("lecun_uniform", 1 / 500, np.sqrt(3 / 500)),
    ],
)
def test_numpy_references_follow_the_keras_formulas(name, variance, bound):
    w = numpy_initializer(name, (500, 300), np.random.default_rng(0), np.float64)
    assert w.var() == pytest.approx(variance, rel=0.02)
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.9 * bound  # the whole range is used
    assert abs(w.mean()) < 4 * np.sqrt(variance / w.size)


def test_numpy_references_match_winit_fast_in_distribution():
    ours = wf.he_normal((500, 300), seed=0, dtype=np.float64)
    theirs = numpy_initializer("he_normal", (500, 300), np.random.default_rng(0), np.float64)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.01)
    quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]
    np.testing.assert_allclose(
        np.quantile(ours, quantiles), np.quantile(theirs, quantiles), atol=0.004
    )


def test_numpy_spec_is_seeded_per_layer():
    a = initial_weights([40, 40, 40], "numpy:he_normal", seed=0)
    b = initial_weights([40, 40, 40], "numpy:he_normal", seed=0)
    c = initial_weights([40, 40, 40], "numpy:he_normal", seed=1)
    assert same_bytes(a[1][0], b[1][0])
    assert not np.array_equal(a[0][0], a[1][0])
    assert not np.array_equal(a[0][0], c[0][0])


@pytest.mark.parametrize(
    ("init", "error", "match"),
    [
        ("he_normalized", ValueError, "winit_fast initializer name"),
        ("numpy:orthogonal", ValueError, "valid after 'numpy:'.*he_normal"),
        ("random_normal:abc", ValueError, "not a number"),
        ("random_normal:-1", ValueError, ">= 0"),
        (3.0, TypeError, "init must be"),
    ],
)
def test_bad_init_specs(init, error, match):
    with pytest.raises(error, match=match):
        MLP([4, 2], init=init)
