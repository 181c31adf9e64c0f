"""variance_scaling and its presets: Keras's formulas, fans in both layouts, bad input."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from scipy import stats
from support import same_bytes

import winit_fast as wf

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

TRUNCATED_STD = 0.87962566103423978


def _keras_presets() -> dict[str, tuple[float, str, str]]:
    """name -> (scale, mode, default distribution), read from Keras 3's own preset classes:
    the table winit_fast's presets copy, from the framework, so a mistake in winit_fast's
    table is not copied into its check. Empty without Keras (the tests then skip)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError:
        return {}
    table = {}
    for name in _PRESET_NAMES:
        preset = getattr(keras.initializers, "".join(p.title() for p in name.split("_")))()
        table[name] = (float(preset.scale), preset.mode, preset.distribution)
    return table


_PRESET_NAMES = (
    "glorot_normal glorot_uniform he_normal he_uniform lecun_normal lecun_uniform".split()
)
PRESETS = _keras_presets()
PRESET_NAMES = sorted(PRESETS) or [
    pytest.param("he_normal", marks=pytest.mark.skip(reason="needs keras (the presets' table)"))
]


def test_the_presets_are_keras_presets():
    if not PRESETS:
        pytest.skip("needs keras (the presets' table)")
    assert set(PRESETS) == set(_PRESET_NAMES)
    assert {name: PRESETS[name] for name in _PRESET_NAMES} == {
        name: (float(s), m, d) for name, (s, m, d) in wf._variance_scaling.PRESETS.items()
    }


# (shape, layout, fan_in, fan_out): fans worked out by hand; each shape has >= 10**6 elements.
SHAPES = [
    ((1250, 800), "keras", 1250, 800),
    ((3, 3, 256, 448), "keras", 2304, 4032),
    ((448, 256, 3, 3), "torch", 2304, 4032),
]


def expected_distribution(distribution, scale, mode, fan_in, fan_out):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    s = scale / max(1.0, n)
    if distribution == "truncated_normal":
        return stats.truncnorm(-2.0, 2.0, scale=math.sqrt(s) / TRUNCATED_STD), s
    if distribution == "untruncated_normal":
        return stats.norm(scale=math.sqrt(s)), s
    limit = math.sqrt(3.0 * s)
    return stats.uniform(loc=-limit, scale=2 * limit), s


def check_sample(sample, dist, variance):
    values = sample.astype(np.float64).ravel()
    assert values.size >= 10**6
    assert stats.kstest(values, dist.cdf).pvalue > 1e-3
    # The variance is scale / n for all three distributions: that is the point of 0.8796.
    assert values.var() == pytest.approx(variance, rel=0.01)
    low, high = dist.support()
    assert low <= values.min() and values.max() <= high


@pytest.mark.slow
@pytest.mark.parametrize(("shape", "layout", "fan_in", "fan_out"), SHAPES)
@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_match_the_formula(name, shape, layout, fan_in, fan_out):
    scale, mode, distribution = PRESETS[name]
    sample = getattr(wf, name)(shape, seed=11, layout=layout)
    assert sample.shape == shape and sample.dtype == np.float32
    dist, variance = expected_distribution(distribution, scale, mode, fan_in, fan_out)
    check_sample(sample, dist, variance)


@pytest.mark.slow
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_matches_the_formula(mode, distribution):
    shape, layout, fan_in, fan_out = SHAPES[2]
    sample = wf.variance_scaling(shape, 3.0, mode, distribution, seed=5, layout=layout)
    dist, variance = expected_distribution(distribution, 3.0, mode, fan_in, fan_out)
    check_sample(sample, dist, variance)


def test_uniform_is_exactly_the_uniform_call():
    shape = (3, 3, 8, 16)  # fan_in 72
    limit = math.sqrt(3.0 * 2.0 / 72)
    expected = wf.uniform(shape, -limit, limit, seed=3, stream="k")
    assert same_bytes(wf.he_uniform(shape, seed=3, stream="k"), expected)


def test_untruncated_normal_is_exactly_the_normal_call():
    shape = (40, 60)
    std = math.sqrt(1.0 / 50)
    expected = wf.normal(shape, 0.0, std, seed=3, dtype=np.float64)
    result = wf.glorot_normal(shape, seed=3, dtype=np.float64, distribution="untruncated_normal")
    assert same_bytes(result, expected)


def test_truncated_normal_is_exactly_the_truncated_call():
    from winit_fast._distributions import truncated_normal

    shape = (40, 60)
    std = math.sqrt(2.0 / 40) / TRUNCATED_STD
    expected = truncated_normal(shape, 0.0, std, a=-2.0, b=2.0, seed=3)
    assert same_bytes(wf.he_normal(shape, seed=3), expected)
    assert same_bytes(wf.variance_scaling(shape, 2.0, distribution="normal", seed=3), expected)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_distribution_keyword_overrides_the_default(name):
    scale, mode, _ = PRESETS[name]
    for distribution in ("uniform", "untruncated_normal"):
        result = getattr(wf, name)((30, 20), seed=1, distribution=distribution)
        expected = wf.variance_scaling((30, 20), scale, mode, distribution, seed=1)
        assert same_bytes(result, expected)


def test_explicit_fans_win_over_the_shape():
    limit_in = math.sqrt(3.0 / 400)
    result = wf.variance_scaling((10, 10), distribution="uniform", fan_in=400, seed=0)
    assert same_bytes(result, wf.uniform((10, 10), -limit_in, limit_in, seed=0))
    # Only fan_out given: fan_in still comes from the shape (10).
    limit_avg = math.sqrt(3.0 / ((10 + 30) / 2))
    result = wf.glorot_uniform((10, 10), fan_out=30, seed=0)
    assert same_bytes(result, wf.uniform((10, 10), -limit_avg, limit_avg, seed=0))


def test_layout_changes_only_the_fans():
    torch_shape = (64, 32, 3, 3)  # fan_in 288, fan_out 576
    result = wf.he_uniform(torch_shape, layout="torch", seed=2)
    assert same_bytes(result, wf.he_uniform(torch_shape, fan_in=288, fan_out=576, seed=2))
    assert not same_bytes(result, wf.he_uniform(torch_shape, seed=2))


def test_out_without_shape_uses_out_shape():
    out = np.empty((3, 3, 4, 8), np.float32)
    result = wf.lecun_uniform(out=out, seed=9)
    assert result is out
    assert same_bytes(out, wf.lecun_uniform((3, 3, 4, 8), seed=9))


def test_float64_and_streams():
    a = wf.he_uniform((20, 30), seed=1, dtype=np.float64)
    assert a.dtype == np.float64
    b = wf.he_uniform((20, 30), seed=1, dtype=np.float64, stream="layer")
    assert not same_bytes(a, b)


def test_functional_seed_none_draws_fresh_values():
    assert not same_bytes(wf.glorot_uniform((50, 50)), wf.glorot_uniform((50, 50)))


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("shape", [(0,), (0, 10), (3, 3, 0, 8), (4, 0)])
def test_zero_size_shapes_return_empty_arrays(shape, distribution):
    for mode in ("fan_in", "fan_out", "fan_avg"):
        result = wf.variance_scaling(shape, 2.0, mode, distribution, seed=0)
        assert result.shape == shape and result.size == 0


def test_zero_fans_are_clamped_to_one():
    # Keras divides by max(1, n): a fan of 0 behaves as a fan of 1.
    limit = math.sqrt(3.0 * 2.0)
    result = wf.he_uniform((5,), fan_in=0, seed=4)
    assert same_bytes(result, wf.uniform(5, -limit, limit, seed=4))


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_index_selects_a_block_with_global_fans(name):
    shape = (37, 23)
    index = np.s_[5:30, 3:20]
    whole = getattr(wf, name)(shape, seed=8)
    block = getattr(wf, name)(shape, seed=8, index=index)
    assert same_bytes(block, np.ascontiguousarray(whole[index]))


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"mode": "fan_sum"}, ValueError, "mode.*'fan_in', 'fan_out', 'fan_avg'"),
        ({"mode": None}, ValueError, "mode"),
        ({"distribution": "gaussian"}, ValueError, "distribution.*'truncated_normal'"),
        ({"distribution": "Normal"}, ValueError, "distribution"),
        ({"scale": 0.0}, ValueError, "scale"),
        ({"scale": -1.0}, ValueError, "scale"),
        ({"scale": float("nan")}, ValueError, "scale"),
        ({"scale": float("inf")}, ValueError, "scale"),
        ({"scale": "2"}, TypeError, "scale"),
        ({"layout": "jax"}, ValueError, "layout.*'keras', 'torch'"),
        ({"fan_in": -1}, ValueError, "fan_in"),
        ({"fan_out": 2.5}, TypeError, "fan_out"),
        ({"shape": (5,), "layout": "torch"}, ValueError, "shape"),
        ({"shape": None}, TypeError, "shape"),
        ({"shape": None, "index": np.s_[0:1]}, TypeError, "shape"),
        ({"seed": -1}, ValueError, "seed"),
        ({"dtype": np.int32}, TypeError, "dtype"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, pattern):
    arguments = {"shape": (4, 5), "seed": 0, "distribution": "uniform", **kwargs}
    with pytest.raises(error, match=pattern):
        wf.variance_scaling(**arguments)


def test_presets_reject_bad_distribution():
    with pytest.raises(ValueError, match="distribution"):
        wf.he_normal((3, 3), distribution="poisson")


def sixteen_bit(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs ml_dtypes")
    return wf.uniform(1, seed=0, dtype=dtype).dtype


SIXTEEN_BIT = [np.float16, "bfloat16"]


@pytest.mark.parametrize("dtype", SIXTEEN_BIT)
@pytest.mark.parametrize("name", PRESET_NAMES)
def test_sixteen_bit_is_the_float32_result_rounded(name, dtype):
    resolved = sixteen_bit(dtype)
    shape = (37, 23)
    result = getattr(wf, name)(shape, seed=2, dtype=dtype, layout="torch")
    wide = getattr(wf, name)(shape, seed=2, layout="torch")
    expected = wide.astype(resolved)
    # stream v2: a uniform value that would round up to the limit is the 16-bit value below it
    capped = result.astype(np.float64) != expected.astype(np.float64)
    assert not capped.any() or "uniform" in name
    assert np.all(expected[capped].astype(np.float64) > wide.max())
    assert np.all(result[capped] < expected[capped]) and np.all(result[capped] == result.max())
    assert same_bytes(result[~capped], expected[~capped])
    block = getattr(wf, name)(shape, seed=2, dtype=dtype, index=np.s_[3:20, 1:22])
    full = getattr(wf, name)(shape, seed=2, dtype=dtype)
    assert same_bytes(block, np.ascontiguousarray(full[3:20, 1:22]))


# --- Keras 3's input_axes / output_axes -------------------------------------------------------

# An attention query kernel (dim, heads, key_dim): fan_in 64, fan_out 8 * 16 = 128.
QUERY = ((64, 8, 16), [0], [1, 2], 64, 128)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_axes_give_the_fans_of_their_products(name):
    shape, input_axes, output_axes, fan_in, fan_out = QUERY
    preset = getattr(wf, name)
    result = preset(shape, seed=3, input_axes=input_axes, output_axes=output_axes)
    assert same_bytes(result, preset(shape, seed=3, fan_in=fan_in, fan_out=fan_out))
    # The shape rule alone would give fans (64 * 8, 16): the axes really changed them.
    assert not same_bytes(result, preset(shape, seed=3))
    # A block keeps the fans of the whole shape; the axes are read from it, not from the block.
    block = preset(shape, seed=3, input_axes=[0], output_axes=[1, 2], index=np.s_[10:20, 2:5])
    assert same_bytes(block, np.ascontiguousarray(result[10:20, 2:5]))


def test_variance_scaling_axes_and_negative_axes():
    shape = (3, 5, 7, 2)  # fan_in 2 * 3 = 6, fan_out 7
    result = wf.variance_scaling(
        shape, 2.0, "fan_avg", "uniform", seed=1, input_axes=(-1, 0), output_axes=[2]
    )
    expected = wf.variance_scaling(shape, 2.0, "fan_avg", "uniform", seed=1, fan_in=6, fan_out=7)
    assert same_bytes(result, expected)


def test_axes_replace_the_layout_rule_and_read_out_shape():
    shape, input_axes, output_axes, _, _ = QUERY
    axes = {"input_axes": input_axes, "output_axes": output_axes}
    keras_layout = wf.he_uniform(shape, seed=5, **axes)
    assert same_bytes(wf.he_uniform(shape, seed=5, layout="torch", **axes), keras_layout)
    out = np.empty(shape, np.float32)
    assert same_bytes(wf.he_uniform(out=out, seed=5, **axes), keras_layout)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"input_axes": [0]}, ValueError, r"given together \(output_axes is None\)"),
        ({"output_axes": [1]}, ValueError, r"given together \(input_axes is None\)"),
        ({"input_axes": [0], "output_axes": [1], "fan_in": 3}, ValueError, "^fan_in cannot"),
        ({"input_axes": [0], "output_axes": [1], "fan_out": 3}, ValueError, "^fan_out cannot"),
        ({"input_axes": [2], "output_axes": [1]}, ValueError, "input_axes has axis 2"),
        ({"input_axes": [0], "output_axes": [1, -1]}, ValueError, "output_axes names an axis"),
        ({"input_axes": 0, "output_axes": [1]}, TypeError, "input_axes must be a sequence"),
        ({"input_axes": [0], "output_axes": ["1"]}, TypeError, "output_axes must contain"),
        ({"shape": None, "input_axes": [0], "output_axes": [1]}, TypeError, "shape is required"),
    ],
)
def test_bad_axes_name_the_argument(kwargs, error, pattern):
    arguments = {"shape": (4, 5), "seed": 0, **kwargs}
    for function in (wf.variance_scaling, wf.glorot_normal):
        with pytest.raises(error, match=pattern):
            function(**arguments)
    if "shape" not in kwargs:  # with out= and no shape: refused before anything is written
        out = np.zeros((4, 5), np.float32)
        with pytest.raises(error, match=pattern):
            wf.he_uniform(out=out, seed=0, **kwargs)
        assert not out.any()
