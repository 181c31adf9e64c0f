"""Fans of a weight tensor (Keras and torch layouts) and torch's gain table.

The fans are what the variance-scaling family divides by: ``fan_in`` is the number of inputs
each output unit sums over, ``fan_out`` the number of outputs each input unit feeds.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from winit_fast import _validation as v


def compute_fans(
    shape: Any,
    *,
    layout: str = "keras",
    groups: int = 1,
    depthwise: bool = False,
    transposed: bool = False,
    input_axes: Any = None,
    output_axes: Any = None,
) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``.

    ``shape`` is the weight as the framework stores it (the array you fill). With the default
    options the result is exactly what Keras 3 (``layout="keras"``) or ``torch.nn.init``
    (``layout="torch"``) computes; the options correct the fans of grouped, depthwise and
    transposed convolutions.

    Parameters
    ----------
    shape : int or tuple of ints
        Shape of the weight.
    layout : {"keras", "torch"}
        ``"keras"``: ``(..., in, out)`` with the receptive field first: rank 0 gives
        ``(1, 1)``, rank 1 ``(n, n)``, rank 2 ``(shape[0], shape[1])``, rank >= 3
        ``rf * shape[-2]`` and ``rf * shape[-1]`` with ``rf = prod(shape[:-2])``.
        ``"torch"``: ``(out, in, *kernel)``: ``fan_in = shape[1] * rf``,
        ``fan_out = shape[0] * rf`` with ``rf = prod(shape[2:])``; rank < 2 is an error, as
        in torch.
    groups : int >= 1
        Groups of a grouped convolution (rank >= 3). Both frameworks store the per-group input
        axis already divided (Keras ``(*k, in/groups, out)``, torch ``(out, in/groups, *k)``),
        so ``fan_in`` is right as is, but the full output axis makes ``fan_out`` count all
        ``out`` channels although an input feeds only ``out/groups`` of them. ``groups=g``
        divides that full axis by ``g`` (it must divide it): ``fan_out = rf * out / g``.
        ``groups=1`` reproduces the frameworks' numbers.
    depthwise : bool
        Keras layout only: ``shape`` is a Keras depthwise kernel ``(*k, in, multiplier)``.
        Each output channel sees one input channel, so ``fan_in = rf`` and
        ``fan_out = rf * multiplier`` (Keras itself would use ``rf * in`` as ``fan_in``).
        In torch layout a depthwise convolution is a grouped one, weight
        ``(in * multiplier, 1, *k)``: pass ``groups=in`` instead.
    transposed : bool
        ``shape`` is the weight of a transposed convolution, whose in/out axes are swapped:
        torch ``ConvTranspose`` stores ``(in, out/groups, *k)`` and Keras ``ConvTranspose``
        ``(*k, out, in)``. The fans are swapped back, so ``fan_in = rf * in / groups`` and
        ``fan_out = rf * out / groups`` (torch and Keras, which do not swap, use the stored
        axes as they are).
    input_axes, output_axes : sequence of ints, optional
        Keras 3's explicit fans, given together: ``fan_in`` is the product of
        ``shape[axis]`` over ``input_axes``, ``fan_out`` over ``output_axes`` (negative axes
        count from the end; an empty sequence gives 1). This is how Keras's ``EinsumDense``
        and ``MultiHeadAttention`` describe kernels such as a query kernel
        ``(dim, heads, key_dim)``: ``input_axes=[0], output_axes=[1, 2]``. The axes replace
        the layout rule, so they cannot be combined with ``groups``, ``depthwise`` or
        ``transposed``.

    Returns
    -------
    (int, int)
        ``fan_in, fan_out``.

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.compute_fans((784, 64))
    (784, 64)
    >>> wf.compute_fans((3, 3, 16, 32))                   # Keras conv kernel
    (144, 288)
    >>> wf.compute_fans((32, 16, 3, 3), layout="torch")   # the same conv in torch
    (144, 288)
    >>> wf.compute_fans((32, 8, 3, 3), layout="torch", groups=2)  # in=16, out=32, 2 groups
    (72, 144)
    >>> wf.compute_fans((3, 3, 16, 2), depthwise=True)    # Keras depthwise, multiplier 2
    (9, 18)
    >>> wf.compute_fans((16, 32, 3, 3), layout="torch", transposed=True)  # ConvTranspose2d(16, 32)
    (144, 288)
    >>> wf.compute_fans((32, 4, 8), input_axes=[0], output_axes=[1, 2])  # attention query
    (32, 32)
    """
    dims = v.as_shape(shape)
    layout = v.as_layout(layout)
    groups = _as_groups(groups)
    depthwise, transposed = _as_flag("depthwise", depthwise), _as_flag("transposed", transposed)
    conv_options = groups != 1 or depthwise or transposed
    if input_axes is not None or output_axes is not None:
        return _fans_from_axes(dims, input_axes, output_axes, conv_options)
    if conv_options and len(dims) < 3:
        raise ValueError(
            f"groups, depthwise and transposed describe convolution kernels (rank >= 3); "
            f"shape {dims} has rank {len(dims)}"
        )
    if layout == "keras":
        if len(dims) == 0:
            return 1, 1
        if len(dims) == 1:
            return dims[0], dims[0]
        rf = math.prod(dims[:-2])
        stored_in, full_axis = dims[-2], dims[-1]
    else:
        if len(dims) < 2:
            raise ValueError(
                f'shape must have rank >= 2 with layout="torch" (out, in, *kernel), got {dims}'
            )
        rf = math.prod(dims[2:])
        stored_in, full_axis = dims[1], dims[0]
    if depthwise:
        if layout != "keras":
            raise ValueError(
                'depthwise=True describes a Keras (*kernel, in, multiplier) kernel; with layout="'
                'torch" a depthwise conv is a grouped conv: pass groups=in_channels'
            )
        if groups != 1 or transposed:
            raise ValueError(
                "groups and transposed must keep their defaults with depthwise=True "
                "(the depthwise kernel implies its groups)"
            )
        return rf, rf * full_axis
    if full_axis % groups:
        raise ValueError(f"groups={groups} does not divide the channel axis of size {full_axis}")
    per_group = full_axis // groups
    if transposed:
        return rf * per_group, rf * stored_in
    return rf * stored_in, rf * per_group


def _fans_from_axes(
    dims: tuple[int, ...], input_axes: Any, output_axes: Any, conv_options: bool
) -> tuple[int, int]:
    # Keras 3 uses the axes only when both are given, and falls back silently to the shape
    # rule otherwise; a function call with one of them is a mistake worth an error.
    if input_axes is None or output_axes is None:
        missing = "output_axes" if output_axes is None else "input_axes"
        raise ValueError(f"input_axes and output_axes must be given together ({missing} is None)")
    if conv_options:
        raise ValueError(
            "groups, depthwise and transposed must keep their defaults with input_axes and "
            "output_axes (the axes define the fans)"
        )
    fan_in = math.prod(dims[axis] for axis in _as_axes("input_axes", input_axes, len(dims)))
    fan_out = math.prod(dims[axis] for axis in _as_axes("output_axes", output_axes, len(dims)))
    return fan_in, fan_out


def as_axes(name: str, axes: Any) -> tuple[int, ...] | None:
    """``None`` or a sequence of distinct ints (the rank is checked when a shape is known)."""
    if axes is None:
        return None
    if isinstance(axes, (str, bytes)) or not hasattr(axes, "__iter__"):
        raise TypeError(f"{name} must be a sequence of ints or None, got {type(axes).__name__}")
    result = []
    for axis in axes:
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"{name} must contain only ints, got {axis!r} in {axes!r}")
        result.append(int(axis))
    return tuple(result)


def _as_axes(name: str, axes: Any, rank: int) -> tuple[int, ...]:
    """The axes of a rank-``rank`` shape, each in ``[-rank, rank)`` and named once."""
    result = as_axes(name, axes) or ()  # never None here: the caller checked
    for axis in result:
        if not -rank <= axis < rank:
            raise ValueError(f"{name} has axis {axis}, out of range for a shape of rank {rank}")
    normalized = [axis % rank for axis in result]
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name} names an axis more than once: {list(result)}")
    return tuple(normalized)


def _as_groups(groups: Any) -> int:
    value = v.as_count("groups", groups)
    if value < 1:
        raise ValueError(f"groups must be >= 1, got {value}")
    return value


def _as_flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _linear_gain(param: Any) -> float:
    return 1.0


def _leaky_relu_gain(param: Any) -> float:
    slope = 0.01 if param is None else v.as_real("param", param)
    return math.sqrt(2.0 / (1.0 + slope * slope))


# torch.nn.init.calculate_gain's table; only leaky_relu reads `param` (the negative slope).
_GAINS = {
    "linear": _linear_gain,
    "conv1d": _linear_gain,
    "conv2d": _linear_gain,
    "conv3d": _linear_gain,
    "conv_transpose1d": _linear_gain,
    "conv_transpose2d": _linear_gain,
    "conv_transpose3d": _linear_gain,
    "sigmoid": _linear_gain,
    "tanh": lambda param: 5.0 / 3.0,
    "relu": lambda param: math.sqrt(2.0),
    "leaky_relu": _leaky_relu_gain,
    "selu": lambda param: 0.75,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    ============================================  ==========================
    nonlinearity                                  gain
    ============================================  ==========================
    linear, conv1d/2d/3d, conv_transpose1d/2d/3d  1
    sigmoid                                       1
    tanh                                          5/3
    relu                                          sqrt(2)
    leaky_relu                                    sqrt(2 / (1 + slope**2))
    selu                                          3/4
    ============================================  ==========================

    Parameters
    ----------
    nonlinearity : str
        One of the names above.
    param : float, optional
        The negative slope of ``leaky_relu`` (default 0.01); ignored by the others.

    Returns
    -------
    float

    Examples
    --------
    >>> import winit_fast as wf
    >>> round(wf.calculate_gain("relu"), 4), round(wf.calculate_gain("leaky_relu", 0.2), 4)
    (1.4142, 1.3868)
    """
    if not isinstance(nonlinearity, str) or nonlinearity not in _GAINS:
        names = ", ".join(map(repr, _GAINS))
        raise ValueError(f"nonlinearity must be one of {names}, got {nonlinearity!r}")
    return _GAINS[nonlinearity](param)
