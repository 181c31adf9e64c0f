"""The initial weights of an MLP from an ``init`` spec: winit_fast or ``numpy.random``.

Layer ``i`` (0 for the first ``Dense``) draws its kernel from its own stream, so adding or
resizing a layer never changes the others:

- winit_fast: stream ``f"dense_{i}/kernel"`` of ``seed`` (for an initializer object with its
  own stream ``s``: ``f"{s}/dense_{i}/kernel"``);
- ``numpy:`` references: ``numpy.random.default_rng([seed, i])``.

Biases are zero. Kernels are ``(fan_in, fan_out)``, the Keras layout.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast import initializers
from winit_fast.reference.numpy_init import NUMPY_INITIALIZERS, init_parameter, numpy_initializer

__all__ = ["INIT_FORMS", "TEXT_INIT_FORMS", "initial_weights", "kernel_stream", "layer_initializer"]

# The spellings ``init`` accepts, for error messages and the docs: first those written as text
# (the command line's --init takes these), then the Python objects.
TEXT_INIT_FORMS = (
    "a winit_fast initializer name (he_normal, glorot_normal, zeros, ...), "
    "'random_normal:STD', 'random_uniform:LIMIT', "
    f"'numpy:NAME' with NAME in {', '.join(NUMPY_INITIALIZERS)}"
)
INIT_FORMS = (
    f"{TEXT_INIT_FORMS}, a config dict, a winit_fast.initializers.Initializer, or a callable "
    "(shape, dtype)"
)

LayerInit = Callable[[int, tuple[int, int], Any], np.ndarray]


def kernel_stream(layer: int, prefix: Any = 0) -> str:
    """The winit_fast stream name of layer ``layer``'s kernel.

    Examples
    --------
    >>> from winit_fast.reference.initialization import kernel_stream
    >>> kernel_stream(0), kernel_stream(2, prefix="encoder")
    ('dense_0/kernel', 'encoder/dense_2/kernel')
    """
    name = f"dense_{layer}/kernel"
    return name if prefix == 0 else f"{prefix}/{name}"


def _get(identifier: str | dict[str, Any]) -> initializers.Initializer:
    resolved = initializers.get(identifier)
    assert resolved is not None  # only None itself resolves to None
    return resolved


def _from_object(init: initializers.Initializer, seed: int | None) -> LayerInit:
    """Per-layer kernels from an initializer object, each layer on its own stream.

    ``seed`` replaces the object's seed (names and seedless configs); ``None`` keeps it.
    """
    config = init.get_config()
    if "seed" not in config:  # Zeros, Constant, Identity: nothing random
        return lambda layer, shape, dtype: init(shape, dtype=dtype)
    own_seed = getattr(init, "seed", None)
    if seed is None and isinstance(own_seed, wf.Generator):
        # The generator advances at each call: the layers get consecutive, disjoint blocks.
        return lambda layer, shape, dtype: init(shape, dtype=dtype)
    use_seed = own_seed if seed is None else seed
    prefix = getattr(init, "stream", 0)

    def draw(layer: int, shape: tuple[int, int], dtype: Any) -> np.ndarray:
        layer_config = {**config, "seed": use_seed, "stream": kernel_stream(layer, prefix)}
        return type(init).from_config(layer_config)(shape, dtype=dtype)

    return draw


def layer_initializer(init: Any, seed: int) -> LayerInit:
    """``f(layer, (fan_in, fan_out), dtype) -> kernel`` for an ``init`` spec.

    Parameters
    ----------
    init : str, dict, Initializer or callable
        See :data:`INIT_FORMS`. A name or a config dict without a seed uses ``seed``; an
        initializer object keeps its own seed (a ``Generator``-seeded one advances layer after
        layer); a callable is called as ``init((fan_in, fan_out), dtype)``.
    seed : int
        The seed for names, ``random_*:`` and ``numpy:`` specs.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.initialization import layer_initializer
    >>> draw = layer_initializer("he_normal", seed=0)
    >>> w = draw(0, (784, 64), np.float32)
    >>> w.shape, w.dtype
    ((784, 64), dtype('float32'))
    """
    if isinstance(init, str):
        if init.startswith("numpy:"):
            name = init[len("numpy:") :]
            numpy_initializer(name, (1, 1), np.random.default_rng(0), np.float64)  # validates
            return lambda layer, shape, dtype: numpy_initializer(
                name, shape, np.random.default_rng([seed, layer]), dtype
            )
        base, _, parameter = init.partition(":")
        if base == "random_normal" and parameter:
            std = init_parameter(init, parameter)
            return lambda layer, shape, dtype: wf.normal(
                shape, 0.0, std, seed=seed, stream=kernel_stream(layer), dtype=dtype
            )
        if base == "random_uniform" and parameter:
            limit = init_parameter(init, parameter)
            return lambda layer, shape, dtype: wf.uniform(
                shape, -limit, limit, seed=seed, stream=kernel_stream(layer), dtype=dtype
            )
        try:
            resolved = _get(init)
        except ValueError:
            raise ValueError(f"init {init!r} is unknown; give {INIT_FORMS}") from None
        return _from_object(resolved, seed)
    if isinstance(init, dict):
        resolved = _get(init)
        own = init.get("config", {}).get("seed") is not None
        return _from_object(resolved, None if own else seed)
    if isinstance(init, initializers.Initializer):
        return _from_object(init, None)
    if callable(init):
        return lambda layer, shape, dtype: np.asarray(init(shape, dtype), dtype=dtype)
    raise TypeError(f"init must be {INIT_FORMS}; got {type(init).__name__}")


def initial_weights(
    layer_sizes: Sequence[int],
    init: Any = "he_normal",
    seed: int = 0,
    dtype: np.typing.DTypeLike = np.float32,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(W, b), ...]`` for an MLP with ``layer_sizes``; ``W`` is ``(fan_in, fan_out)``.

    Every layer, the softmax output layer included, uses ``init``; biases are zeros.

    Examples
    --------
    >>> from winit_fast.reference.initialization import initial_weights
    >>> [(w.shape, b.shape) for w, b in initial_weights([784, 64, 10])]
    [((784, 64), (64,)), ((64, 10), (10,))]
    >>> a = initial_weights([784, 64, 10], seed=1)
    >>> b = initial_weights([784, 64, 32, 10], seed=1)  # one more layer: the first is unchanged
    >>> bool((a[0][0] == b[0][0]).all())
    True
    """
    draw = layer_initializer(init, seed)
    dtype = np.dtype(dtype)
    weights = []
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(layer_sizes)):
        kernel = np.ascontiguousarray(draw(layer, (fan_in, fan_out), dtype), dtype=dtype)
        if kernel.shape != (fan_in, fan_out):
            raise ValueError(
                f"init returned a kernel of shape {kernel.shape}, expected {(fan_in, fan_out)}"
            )
        weights.append((kernel, np.zeros(fan_out, dtype)))
    return weights
