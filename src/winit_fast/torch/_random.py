"""The random ``torch.nn.init`` twins: uniform, normals, Xavier, Kaiming, orthogonal, sparse."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch

from winit_fast import Generator
from winit_fast import _interface as wfi
from winit_fast.torch._dtensor import computed_whole, shardable
from winit_fast.torch._tensor import (
    at_least_2d,
    checked,
    draw,
    host_filling,
    need_dims,
    stream_source,
)


@shardable
def uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    b: float = 1.0,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` with values uniform in ``[a, b)``, as ``torch.nn.init.uniform_``.

    Parameters
    ----------
    tensor : torch.Tensor
        A contiguous CPU tensor of float32, float64, float16 or bfloat16, filled in place.
    a, b : float
        The bounds, ``a <= b``.
    generator : winit_fast.Generator, optional
        Draw from this generator (it advances) instead of ``seed``/``stream``.
    seed : int in [0, 2**64), optional
        ``None`` draws fresh OS entropy.
    stream : int or str
        The stream id (a str such as a parameter name is hashed).
    n_threads : int, optional
        Threads to use; the values never depend on it.

    Returns
    -------
    torch.Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import torch, winit_fast as wf, winit_fast.torch as wft
    >>> w = wft.uniform_(torch.empty(3, 4), -0.1, 0.1, seed=0)
    >>> w.numpy().tobytes() == wf.uniform((3, 4), -0.1, 0.1, seed=0).tobytes()
    True
    """
    low, high = wfi.as_real("a", a), wfi.as_real("b", b)
    if low > high:
        raise ValueError(f"a must be <= b, got a={low}, b={high}")
    source = stream_source(generator, seed, stream)
    draw(tensor, source, "uniform", low, high, n_threads=n_threads)
    return tensor


@shardable
def normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` with ``N(mean, std**2)`` values, as ``torch.nn.init.normal_``.

    ``generator``, ``seed``, ``stream``, ``n_threads`` as in :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.normal_(torch.empty(512, 512), std=0.02, seed=0)
    >>> round(float(w.std()), 3)
    0.02
    """
    source = stream_source(generator, seed, stream)
    draw(tensor, source, "normal", mean, std, n_threads=n_threads)
    return tensor


@shardable
def trunc_normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """``N(mean, std**2)`` truncated to ``[a, b]``, as ``torch.nn.init.trunc_normal_``.

    Unlike :func:`winit_fast.truncated_normal` (Keras: bounds in units of ``std``), ``a`` and
    ``b`` are absolute values, as in torch; they become ``(a - mean) / std`` and
    ``(b - mean) / std`` standard deviations. Note torch's defaults ``a=-2, b=2`` are absolute,
    so with a small ``std`` they cut nothing.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.trunc_normal_(torch.empty(1000), mean=1.0, std=0.5, a=0.5, b=2.0, seed=0)
    >>> bool(w.min() >= 0.5), bool(w.max() <= 2.0)
    (True, True)
    """
    mean_f, std_f = wfi.as_real("mean", mean), wfi.as_real("std", std)
    low, high = wfi.as_real("a", a), wfi.as_real("b", b)
    if not std_f > 0:
        raise ValueError(f"std must be > 0 for trunc_normal_, got {std_f}")
    if not low < high:
        raise ValueError(f"a must be < b, got a={low}, b={high}")
    a_std, b_std = (low - mean_f) / std_f, (high - mean_f) / std_f
    source = stream_source(generator, seed, stream)
    draw(tensor, source, "truncated_normal", mean_f, std_f, a=a_std, b=b_std, n_threads=n_threads)
    return tensor


def _validated_gain(gain: Any) -> float:
    value = wfi.as_real("gain", gain)
    if value < 0:
        raise ValueError(f"gain must be >= 0, got {value}")
    return value


def _xavier(
    tensor: Any, gain: Any, distribution: str, generator: Any, seed: Any, stream: Any, threads: Any
) -> torch.Tensor:
    # variance_scaling with scale gain**2 and fan_avg is exactly torch's std
    # gain * sqrt(2 / (fan_in + fan_out)); with gain 1 it is glorot_* byte for byte.
    at_least_2d(tensor)
    gain_f = _validated_gain(gain)
    source = stream_source(generator, seed, stream)
    if gain_f == 0:  # scale must be > 0 in variance_scaling; the values are all zero
        draw(tensor, source, "uniform", 0.0, 0.0, n_threads=threads)
    else:
        scale = gain_f**2
        draw(
            tensor,
            source,
            "variance_scaling",
            scale,
            "fan_avg",
            distribution,
            n_threads=threads,
            layout="torch",
        )
    return tensor


@shardable
def xavier_uniform_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """Glorot/Xavier uniform, as ``torch.nn.init.xavier_uniform_``.

    ``U(-bound, bound)`` with ``bound = gain * sqrt(6 / (fan_in + fan_out))``, fans of the
    ``(out, in, *kernel)`` layout. ``generator``, ``seed``, ``stream``, ``n_threads`` as in
    :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast as wf, winit_fast.torch as wft
    >>> w = wft.xavier_uniform_(torch.empty(64, 32, 3, 3), seed=0)
    >>> w.numpy().tobytes() == wf.glorot_uniform((64, 32, 3, 3), layout="torch", seed=0).tobytes()
    True
    """
    return _xavier(tensor, gain, "uniform", generator, seed, stream, n_threads)


@shardable
def xavier_normal_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """Glorot/Xavier normal (untruncated), as ``torch.nn.init.xavier_normal_``.

    ``N(0, std**2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``. ``generator``,
    ``seed``, ``stream``, ``n_threads`` as in :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.xavier_normal_(torch.empty(500, 300), seed=0)
    >>> round(float(w.var() * (500 + 300) / 2), 2)
    1.0
    """
    return _xavier(tensor, gain, "untruncated_normal", generator, seed, stream, n_threads)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: ``torch.nn.init.calculate_gain`` itself.

    Its table (``"linear"`` and the convolutions give the int ``1``, ``"tanh"`` 5/3, ``"relu"``
    sqrt(2), ``"leaky_relu"`` sqrt(2 / (1 + param**2)) with ``param`` 0.01 by default,
    ``"selu"`` 3/4) and its errors: an unknown name, or a ``param`` for ``"leaky_relu"`` that
    is not an int or a float (a str, a bool), is a ``ValueError``. The Kaiming functions use
    it, so they accept and refuse what torch's do.

    Examples
    --------
    >>> import winit_fast.torch as wft
    >>> wft.calculate_gain("linear"), round(wft.calculate_gain("leaky_relu", 0.2), 4)
    (1, 1.3868)
    """
    return torch.nn.init.calculate_gain(nonlinearity, param)  # type: ignore[arg-type]


def _gain_squared(nonlinearity: str, a: Any) -> float:
    """``calculate_gain(nonlinearity, a) ** 2``, exact for ReLU and leaky ReLU.

    The gain is torch's own (its table and its errors: an unknown name, a slope that is not an
    int or a float, are ``ValueError``). ``sqrt(2 / (1 + a**2))**2`` is not exactly
    ``2 / (1 + a**2)`` in floating point; using the exact variance keeps ``kaiming_normal_``
    byte-identical to ``winit_fast.he_normal``.
    """
    gain = calculate_gain(nonlinearity, a)
    if nonlinearity == "relu":
        return 2.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if a is None else float(a)
        return 2.0 / (1.0 + slope * slope)
    gain_f = float(gain)  # torch gives the int 1 for the linear names
    return gain_f * gain_f


def _kaiming(
    tensor: Any,
    a: Any,
    mode: Any,
    nonlinearity: Any,
    distribution: str,
    generator: Any,
    seed: Any,
    stream: Any,
    threads: Any,
) -> torch.Tensor:
    checked(tensor)  # the type, device and dtype errors first
    if 0 in tensor.shape:  # torch's behaviour, before any other check
        # at the caller's line: above this, kaiming_*_ and its @shardable wrapper
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=4)
        return tensor
    at_least_2d(tensor)
    if isinstance(mode, str):
        mode = mode.lower()  # as torch
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    scale = _gain_squared(nonlinearity, a)
    source = stream_source(generator, seed, stream)
    draw(
        tensor,
        source,
        "variance_scaling",
        scale,
        mode,
        distribution,
        n_threads=threads,
        layout="torch",
    )
    return tensor


@shardable
def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """He/Kaiming uniform, as ``torch.nn.init.kaiming_uniform_``.

    ``U(-bound, bound)`` with ``bound = gain * sqrt(3 / fan)``, ``gain =
    calculate_gain(nonlinearity, a)`` (``a``: the negative slope of leaky ReLU) and ``fan``
    per ``mode`` from the ``(out, in, *kernel)`` layout. ``generator``, ``seed``, ``stream``,
    ``n_threads`` as in :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast as wf, winit_fast.torch as wft
    >>> w = wft.kaiming_uniform_(torch.empty(64, 128), nonlinearity="relu", seed=0)
    >>> w.numpy().tobytes() == wf.he_uniform((64, 128), layout="torch", seed=0).tobytes()
    True
    """
    return _kaiming(tensor, a, mode, nonlinearity, "uniform", generator, seed, stream, n_threads)


@shardable
def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """He/Kaiming normal (untruncated), as ``torch.nn.init.kaiming_normal_``.

    ``N(0, std**2)`` with ``std = gain / sqrt(fan)``; the other arguments as in
    :func:`kaiming_uniform_`.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.kaiming_normal_(torch.empty(256, 400), mode="fan_in", seed=0)
    >>> round(float(w.var() * 400 / 2), 2)
    1.0
    """
    distribution = "untruncated_normal"
    return _kaiming(tensor, a, mode, nonlinearity, distribution, generator, seed, stream, n_threads)


@computed_whole
def orthogonal_(
    tensor: torch.Tensor,
    gain: float = 1,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """A (semi-)orthogonal matrix times ``gain``, as ``torch.nn.init.orthogonal_``.

    As in torch, ``tensor`` is seen as ``(rows, cols) = (shape[0], numel // shape[0])``
    (Keras flattens the other way: see :func:`winit_fast.orthogonal`), and that matrix is
    :func:`winit_fast.orthogonal` of shape ``(rows, cols)``: QR of a float64 normal matrix
    from the stream, with the sign correction. ``generator``, ``seed``, ``stream``,
    ``n_threads`` as in :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.orthogonal_(torch.empty(32, 8, 2, 2), seed=0).reshape(32, -1)
    >>> bool(torch.allclose(w @ w.T, torch.eye(32), atol=1e-5))
    True
    """
    checked(tensor)
    need_dims(tensor, lambda n: n >= 2, "at least 2 dimensions")
    source = stream_source(generator, seed, stream)
    with host_filling(tensor) as array:
        if array.size:  # torch returns an empty tensor as it is
            matrix = array.reshape(array.shape[0], -1)  # a view: the tensor is contiguous
            source.orthogonal(None, gain, out=matrix, n_threads=n_threads)
    return tensor


@computed_whole
def sparse_(
    tensor: torch.Tensor,
    sparsity: float,
    std: float = 0.01,
    generator: Generator | None = None,
    *,
    seed: int | None = None,
    stream: int | str = 0,
    n_threads: int | None = None,
) -> torch.Tensor:
    """A 2-D ``N(0, std**2)`` matrix with ``ceil(sparsity * rows)`` zeros per column, as
    ``torch.nn.init.sparse_``.

    The normals are elements ``0 ... rows*cols - 1`` of the stream (as :func:`normal_`); the
    zeroed rows of each column are those with the smallest float64 uniform keys drawn next,
    from the same stream: a uniformly random subset, reproducible from ``(seed, stream)``.
    ``generator``, ``seed``, ``stream``, ``n_threads`` as in :func:`uniform_`.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.sparse_(torch.empty(10, 4), sparsity=0.3, seed=0)
    >>> (w == 0).sum(dim=0).tolist()
    [3, 3, 3, 3]
    """
    checked(tensor)
    need_dims(tensor, lambda n: n == 2, "2 dimensions")
    fraction = wfi.as_real("sparsity", sparsity)
    if not 0 <= fraction <= 1:
        raise ValueError(f"sparsity must be in [0, 1], got {fraction}")
    rows, cols = tensor.shape
    zeros = math.ceil(fraction * rows)
    source = stream_source(generator, seed, stream)
    with host_filling(tensor) as array:
        source.normal(None, 0.0, std, out=array, n_threads=n_threads)
        if zeros and cols:
            keys = source.uniform((rows, cols), dtype=np.float64, n_threads=n_threads)
            chosen = np.argsort(keys, axis=0, kind="stable")[:zeros]
            array[chosen, np.arange(cols)] = 0
    return tensor
