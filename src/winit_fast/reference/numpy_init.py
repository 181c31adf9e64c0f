"""Reference initializers drawn with ``numpy.random``: what winit_fast is compared against.

The formulas are Keras 3's (see docs/initializers.md): variance ``s = scale / max(1, n)`` with
``n`` the fan-in, fan-out or their mean, then

- ``*_normal``: a normal with std ``sqrt(s) / 0.87962566103423978`` truncated at ±2 of that
  std (so the samples have variance ``s``), drawn by rejection: draw standard normals, redraw
  the ones outside ``[-2, 2]`` until none is left (4.6 % are redrawn per round);
- ``*_uniform``: uniform in ``[-sqrt(3 s), sqrt(3 s))``;
- ``random_normal:STD``: an untruncated normal with standard deviation ``STD``;
- ``random_uniform:LIMIT``: uniform in ``[-LIMIT, LIMIT)``.

Samples are drawn in float64 by a :class:`numpy.random.Generator` (PCG64) and rounded once to
the requested dtype.
"""

from __future__ import annotations

import math

import numpy as np

# Keras 3's presets, name -> (scale, mode, distribution), and the std of a standard normal
# cut at ±2: the library's table, so the reference draws the same formulas another way.
from winit_fast._interface import PRESETS as _PRESETS
from winit_fast._interface import TRUNCATED_STD

__all__ = ["NUMPY_INITIALIZERS", "numpy_initializer"]
NUMPY_INITIALIZERS: tuple[str, ...] = (
    *_PRESETS,
    "random_normal:STD",
    "random_uniform:LIMIT",
    "zeros",
)


def _truncated_standard_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():  # each round keeps 95.4 % of what it redraws, so this ends quickly
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return z


def init_parameter(name: str, text: str) -> float:
    """The number after the colon of an init spec (``"random_normal:0.01"``): finite, >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"init {name!r}: {text!r} is not a number") from None
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"init {name!r}: the parameter must be finite and >= 0")
    return value


def numpy_initializer(
    name: str, shape: tuple[int, int], rng: np.random.Generator, dtype: np.typing.DTypeLike
) -> np.ndarray:
    """A ``(fan_in, fan_out)`` kernel drawn from ``rng`` with the reference formula ``name``.

    Parameters
    ----------
    name : str
        One of :data:`NUMPY_INITIALIZERS` (``"he_normal"``, ``"random_normal:0.01"``, ...),
        without the ``"numpy:"`` prefix.
    shape : tuple of two ints
        ``(fan_in, fan_out)``.
    rng : numpy.random.Generator
    dtype : float32 or float64

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.numpy_init import numpy_initializer
    >>> w = numpy_initializer("he_normal", (512, 256), np.random.default_rng(0), np.float64)
    >>> bool(abs(w.std() / np.sqrt(2 / 512) - 1) < 0.02), bool(abs(w).max() <= 2 * 0.0625 / 0.8796)
    (True, True)
    """
    fan_in, fan_out = shape
    base, _, parameter = name.partition(":")
    if base in _PRESETS and not parameter:
        scale, mode, distribution = _PRESETS[base]
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = scale / max(1.0, n)
        if distribution == "uniform":
            limit = math.sqrt(3 * variance)
            values = rng.uniform(-limit, limit, shape)
        else:
            values = _truncated_standard_normal(rng, shape) * (math.sqrt(variance) / TRUNCATED_STD)
    elif base == "random_normal" and parameter:
        values = rng.standard_normal(shape) * init_parameter(name, parameter)
    elif base == "random_uniform" and parameter:
        limit = init_parameter(name, parameter)
        values = rng.uniform(-limit, limit, shape)
    elif base == "zeros" and not parameter:
        values = np.zeros(shape)
    else:
        raise ValueError(
            f"init 'numpy:{name}' is unknown; valid after 'numpy:': {', '.join(NUMPY_INITIALIZERS)}"
        )
    return values.astype(dtype)
