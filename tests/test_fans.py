"""compute_fans in both layouts, the conv recipes (groups, depthwise, transposed), and gains."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import winit_fast as wf


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((784, 64), (784, 64)),
        ((5, 16, 32), (80, 160)),
        ((3, 3, 16, 32), (144, 288)),
        ((2, 3, 4, 16, 32), (384, 768)),
        ((0, 10), (0, 10)),
        ((3, 3, 0, 8), (0, 72)),
    ],
)
def test_keras_layout_follows_keras_rules(shape, expected):
    assert wf.compute_fans(shape) == expected
    assert wf.compute_fans(shape, layout="keras") == expected


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((64, 784), (784, 64)),
        ((32, 16, 5), (80, 160)),
        ((32, 16, 3, 3), (144, 288)),
        ((32, 16, 2, 3, 4), (384, 768)),
    ],
)
def test_torch_layout_is_out_in_kernel(shape, expected):
    assert wf.compute_fans(shape, layout="torch") == expected


def test_an_int_shape_is_rank_one():
    assert wf.compute_fans(9) == (9, 9)


kernels = st.lists(st.integers(1, 5), min_size=1, max_size=3)
channels = st.integers(1, 6)


@given(kernel=kernels, groups=st.integers(1, 4), per_in=channels, per_out=channels)
def test_grouped_conv_fans_agree_between_layouts(kernel, groups, per_in, per_out):
    # A conv with in = groups * per_in, out = groups * per_out, as each framework stores it.
    rf = math.prod(kernel)
    out = groups * per_out
    keras = wf.compute_fans((*kernel, per_in, out), groups=groups)
    torch = wf.compute_fans((out, per_in, *kernel), layout="torch", groups=groups)
    # Each output sees per_in channels over the kernel; each input feeds per_out channels.
    assert keras == torch == (rf * per_in, rf * per_out)


@given(kernel=kernels, per_in=st.integers(1, 6), out=st.integers(1, 12))
def test_groups_one_reproduces_the_frameworks(kernel, per_in, out):
    rf = math.prod(kernel)
    assert wf.compute_fans((*kernel, per_in, out)) == (rf * per_in, rf * out)
    assert wf.compute_fans((out, per_in, *kernel), layout="torch") == (rf * per_in, rf * out)


@given(kernel=kernels, groups=st.integers(1, 4), per_in=channels, per_out=channels)
def test_transposed_conv_swaps_back(kernel, groups, per_in, per_out):
    rf = math.prod(kernel)
    in_channels, out_channels = groups * per_in, groups * per_out
    # torch ConvTranspose weight: (in, out / groups, *k).
    torch = wf.compute_fans(
        (in_channels, per_out, *kernel), layout="torch", groups=groups, transposed=True
    )
    assert torch == (rf * per_in, rf * per_out)
    if groups == 1:  # Keras ConvTranspose kernel: (*k, out, in), no groups
        keras = wf.compute_fans((*kernel, out_channels, in_channels), transposed=True)
        assert keras == (rf * in_channels, rf * out_channels)


def test_depthwise_keras_kernel():
    # DepthwiseConv2D(kernel 3x3, 16 channels, multiplier 2): each output sees 9 inputs.
    assert wf.compute_fans((3, 3, 16, 2), depthwise=True) == (9, 18)
    # The same conv in torch is grouped: weight (32, 1, 3, 3) with groups=16.
    assert wf.compute_fans((32, 1, 3, 3), layout="torch", groups=16) == (9, 18)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"shape": (), "layout": "torch"}, "shape"),
        ({"shape": (5,), "layout": "torch"}, "shape"),
        ({"shape": (3, 3), "layout": "tf"}, "layout.*'keras', 'torch'"),
        ({"shape": (3, 3), "layout": None}, "layout"),
        ({"shape": (3, 3, 4, 6), "groups": 4}, "groups"),
        ({"shape": (3, 3, 4, 6), "groups": 0}, "groups"),
        ({"shape": (4, 6), "groups": 2}, "groups"),
        ({"shape": (4, 6), "transposed": True}, "transposed"),
        ({"shape": (3, 3, 4, 2), "depthwise": True, "groups": 2}, "groups"),
        ({"shape": (8, 1, 3, 3), "depthwise": True, "layout": "torch"}, "groups"),
        ({"shape": (3, -3)}, "shape"),
        ({"shape": (4, 6), "input_axes": [0]}, "output_axes is None"),
        ({"shape": (4, 6), "output_axes": [0]}, "input_axes is None"),
        ({"shape": (4, 6), "input_axes": [2], "output_axes": [0]}, "input_axes has axis 2"),
        ({"shape": (4, 6), "input_axes": [0], "output_axes": [-3]}, "output_axes has axis -3"),
        ({"shape": (4, 6), "input_axes": [0, -2], "output_axes": [1]}, "input_axes names"),
        ({"shape": (3, 3, 4, 6), "input_axes": [2], "output_axes": [3], "groups": 2}, "groups"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        wf.compute_fans(**kwargs)


def test_bad_types_raise_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="shape"):
        wf.compute_fans((3, 2.5))
    with pytest.raises(TypeError, match="groups"):
        wf.compute_fans((3, 3, 4, 6), groups=1.5)
    with pytest.raises(TypeError, match="input_axes must be a sequence"):
        wf.compute_fans((3, 3), input_axes=0, output_axes=[1])
    with pytest.raises(TypeError, match="output_axes must contain only ints"):
        wf.compute_fans((3, 3), input_axes=[0], output_axes=[1.0])


@pytest.mark.parametrize(
    ("shape", "input_axes", "output_axes", "expected"),
    [
        ((64, 8, 16), [0], [1, 2], (64, 128)),  # attention query kernel (dim, heads, key_dim)
        ((8, 16, 64), (0, 1), (2,), (128, 64)),  # attention output kernel
        ((3, 5, 7), [-1], [0, 1], (7, 15)),
        ((4, 6), [], [1], (1, 6)),  # no input axis: a product over nothing
    ],
)
def test_axes_give_products_over_those_axes(shape, input_axes, output_axes, expected):
    fans = wf.compute_fans(shape, input_axes=input_axes, output_axes=output_axes)
    assert fans == expected
    # The layout rule is replaced by the axes, whatever the layout.
    assert wf.compute_fans(
        shape, layout="torch", input_axes=input_axes, output_axes=output_axes
    ) == (expected)


LINEAR = ["linear", "conv1d", "conv2d", "conv3d"]
LINEAR += ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"]


@pytest.mark.parametrize("name", LINEAR)
def test_gain_of_linear_layers_is_one(name):
    assert wf.calculate_gain(name) == 1.0


@pytest.mark.parametrize(
    ("name", "param", "expected"),
    [
        ("tanh", None, 5.0 / 3.0),
        ("relu", None, math.sqrt(2.0)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2.0 / (1.0 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", 0, math.sqrt(2.0)),
        ("relu", 123.0, math.sqrt(2.0)),  # param is read by leaky_relu only
    ],
)
def test_gain_table_matches_torch(name, param, expected):
    assert wf.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_unknown_nonlinearity_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"nonlinearity.*'leaky_relu'.*'gelu'"):
        wf.calculate_gain("gelu")
    with pytest.raises(ValueError, match="nonlinearity"):
        wf.calculate_gain(["relu"])


@pytest.mark.parametrize(
    ("param", "error"), [("0.1", TypeError), (float("nan"), ValueError), (True, TypeError)]
)
def test_bad_leaky_relu_slope_names_param(param, error):
    with pytest.raises(error, match="param"):
        wf.calculate_gain("leaky_relu", param)
