"""LSUV, layer-sequential unit-variance initialization (Mishkin and Matas, 2016).

Start from an orthogonal init (``winit_fast.orthogonal``, layer ``i`` on stream
``f"dense_{i}/kernel"`` of the model's seed), set every bias to zero, then, layer after layer
from the input to the output, rescale the layer's kernel until the variance of its
pre-activation output ``h @ W + b`` on a data batch is 1 within ``tol``.

Every ``Dense`` layer is processed, the softmax output layer included, as in the paper
("for each convolution and inner-product layer"). With the pre-activation variance and zero
biases the variance is quadratic in the kernel's scale, so one rescaling reaches 1 up to
rounding; the loop and ``max_iter`` are the paper's (whose Caffe layers measure the blob
after an in-place ReLU, where several passes can be needed).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from winit_fast.reference.initialization import initial_weights, layer_initializer
from winit_fast.reference.model import MLP
from winit_fast.reference.residual import ResidualMLP

__all__ = ["LSUV_INIT", "LayerReport", "lsuv"]

# The ``init`` name that the trainer's commands and experiments read as "LSUV on a batch".
LSUV_INIT = "lsuv"


@dataclass(frozen=True)
class LayerReport:
    """What LSUV did to one ``Dense`` layer.

    Attributes
    ----------
    layer : int
        Index in ``model.weights``.
    iterations : int
        How many times the kernel was rescaled.
    variance : float
        Variance of the layer's pre-activation output on the batch, after the last rescaling.
    converged : bool
        ``abs(variance - 1) < tol``.

    Examples
    --------
    >>> from winit_fast.reference.lsuv import LayerReport
    >>> LayerReport(layer=0, iterations=1, variance=1.0, converged=True).converged
    True
    """

    layer: int
    iterations: int
    variance: float
    converged: bool


def _dense_inputs(model: MLP, X: np.ndarray) -> list[np.ndarray]:
    """The input of each ``Dense`` layer of ``model`` on ``X`` with its current weights."""
    if isinstance(model, ResidualMLP):
        return model.dense_inputs(X)
    _, activations = model._forward(X)
    return activations[: len(model.weights)]


def _orthogonal_weights(model: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(model, ResidualMLP):
        draw = layer_initializer("orthogonal", model.seed)
        return [
            (draw(i, w.shape, model.dtype), np.zeros_like(b))
            for i, (w, b) in enumerate(model.weights)
        ]
    return initial_weights(model.layer_sizes, "orthogonal", model.seed, model.dtype)


def _check_options(X_batch: Any, model: MLP, tol: Any, max_iter: Any) -> np.ndarray:
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP or a ResidualMLP, got {type(model).__name__}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a float, got {type(tol).__name__}")
    if not (math.isfinite(tol) and float(tol) >= 0):
        raise ValueError(f"tol must be finite and >= 0, got {tol}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral):
        raise TypeError(f"max_iter must be an int, got {type(max_iter).__name__}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter}")
    X = model._check_inputs(X_batch)
    if X.shape[0] < 2:
        raise ValueError(f"X_batch must hold at least 2 rows to have a variance, got {X.shape}")
    return X


def lsuv(
    model: MLP,
    X_batch: Any,
    tol: float = 0.1,
    max_iter: int = 10,
    *,
    orthogonal: bool = True,
) -> list[LayerReport]:
    """Initialize ``model`` in place by LSUV on ``X_batch``; returns one report per layer.

    Parameters
    ----------
    model : MLP or ResidualMLP
        Its weights are replaced (the optimizer's state is kept, as by ``weights = ...``).
    X_batch : array, shape (n, n_inputs)
        The data batch (``n >= 2``); the trainer's commands use the first ``batch_size``
        training rows.
    tol : float
        Stop rescaling a layer once ``abs(variance - 1) < tol`` (``0`` never stops early).
    max_iter : int
        At most this many rescalings per layer.
    orthogonal : bool
        Start from orthogonal kernels (the paper); ``False`` rescales the model's current
        kernels instead. Biases are set to zero either way.

    Returns
    -------
    list of LayerReport
        One per ``Dense`` layer, in ``model.weights`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference import MLP
    >>> from winit_fast.reference.lsuv import lsuv
    >>> X = np.random.default_rng(0).random((64, 20))
    >>> model = MLP([20, 32, 32, 4], seed=0)
    >>> report = lsuv(model, X, tol=0.05)
    >>> [(r.layer, r.converged) for r in report]
    [(0, True), (1, True), (2, True)]
    """
    X = _check_options(X_batch, model, tol, max_iter)
    weights = (
        _orthogonal_weights(model)
        if orthogonal
        else [(w, np.zeros_like(b)) for w, b in model.weights]
    )
    model.weights = weights
    report = []
    for layer in range(len(weights)):
        # Earlier layers are final, so this layer's input does not change while we rescale.
        h = _dense_inputs(model, X)[layer]
        w, b = model._weights[layer]
        iterations, variance = 0, float(np.var(h @ w + b, dtype=np.float64))
        while not abs(variance - 1.0) < tol and iterations < max_iter:
            if not (math.isfinite(variance) and variance > 0):
                break  # a dead or overflowing input: no scale can fix it; reported as is
            w *= w.dtype.type(1.0 / math.sqrt(variance))
            iterations += 1
            variance = float(np.var(h @ w + b, dtype=np.float64))
        report.append(LayerReport(layer, iterations, variance, abs(variance - 1.0) < tol))
    return report
