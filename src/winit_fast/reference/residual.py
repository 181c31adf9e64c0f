"""``ResidualMLP``: an MLP whose hidden layers are residual blocks ``h + f(h)``, and the
depth-aware initializations that act on them (Fixup, GPT-2's residual scaling).

The network is ``Dense(n_inputs -> width) -> act`` (the stem), then ``depth`` blocks
``h <- h + Dense(act(Dense(h)))`` (each branch ``f`` is two ``Dense`` layers, ``m = 2``, with
no activation after the sum: the identity path stays linear), then a softmax ``Dense(width ->
n_classes)``. Training, evaluation and tracing are :class:`~winit_fast.reference.MLP`'s.

``weights`` are ordered stem, ``(block 0 first, block 0 second)``, ..., output; layer ``i`` of
that list draws its kernel from stream ``f"dense_{i}/kernel"`` of ``seed``, as in ``MLP``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from winit_fast.reference.functions import (
    activation_derivative,
    apply_activation,
    check_activation,
    softmax,
)
from winit_fast.reference.initialization import layer_initializer
from winit_fast.reference.model import MLP, Weights, _check_dtype, _check_seed
from winit_fast.reference.optimizers import get_optimizer

__all__ = ["SCALINGS", "ResidualMLP", "branch_scale"]

# None: every layer from ``init``. "fixup" and "gpt2": see :func:`branch_scale`.
SCALINGS = (None, "fixup", "gpt2")


def branch_scale(scaling: str | None, depth: int, m: int = 2) -> tuple[float, float]:
    """Multipliers ``(first, last)`` applied to the ``init`` kernels of each residual branch.

    - ``None``: ``(1, 1)``.
    - ``"fixup"`` (Zhang, Dauphin and Ma, 2019, rules 1 and 2): the branch's last layer is
      zero; its other layers are scaled by ``L ** (-1 / (2m - 2))``, ``L = depth`` branches of
      ``m`` layers: ``(depth ** -0.5, 0)`` for ``m = 2``. Fixup also zeroes the classifier
      (done by :class:`ResidualMLP`).
    - ``"gpt2"`` (Radford et al., 2019, as GPT-2's code does it): the branch's output
      projection is scaled by ``1 / sqrt(2 * depth)``; GPT-2 counts two residual branches
      per block (attention and MLP), and we keep its formula with ``n_layers = depth``.

    Examples
    --------
    >>> from winit_fast.reference.residual import branch_scale
    >>> branch_scale("fixup", 16), branch_scale("gpt2", 8), branch_scale(None, 8)
    ((0.25, 0.0), (1.0, 0.25), (1.0, 1.0))
    """
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 1:
        raise ValueError(f"depth must be an int >= 1, got {depth!r}")
    if scaling == "fixup":
        return float(depth) ** (-1.0 / (2 * m - 2)), 0.0
    if scaling == "gpt2":
        return 1.0, 1.0 / math.sqrt(2 * depth)
    return 1.0, 1.0


def _check_size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


class ResidualMLP(MLP):
    """A residual MLP classifier: a stem, ``depth`` blocks ``h + f(h)``, a softmax layer.

    Parameters
    ----------
    n_inputs, width, depth, n_classes : int
        Input features, width of the residual stream, number of residual blocks, classes.
        The network has ``2 * depth + 2`` ``Dense`` layers.
    activation : {"relu", "tanh", "sigmoid", "linear"}
        Activation of the stem and inside each branch.
    init : str, dict, Initializer or callable
        Base kernel initializer of every layer (as for ``MLP``); biases are zeros.
    scaling : {None, "fixup", "gpt2"}
        Depth-aware rescaling of the residual branches (see :func:`branch_scale`);
        ``"fixup"`` also zeroes the output layer, as the paper does.
    seed, dtype, optimizer, lr
        As for ``MLP``.

    Attributes
    ----------
    layer_sizes : list of int
        ``[n_inputs, width, ..., width, n_classes]``: the residual stream after the stem and
        after each block (``depth + 1`` widths), so ``trace`` returns ``depth + 1`` arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.residual import ResidualMLP
    >>> model = ResidualMLP(8, 16, 4, 3, init="he_normal", scaling="fixup", seed=0)
    >>> len(model.weights), float(np.abs(model.weights[2][0]).max())  # a branch's last layer
    (10, 0.0)
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((64, 8)), rng.integers(0, 3, 64)
    >>> len(model.fit(X, y, epochs=2, batch_size=16)["loss"])
    2
    """

    def __init__(
        self,
        n_inputs: int,
        width: int,
        depth: int,
        n_classes: int,
        activation: str = "relu",
        init: Any = "he_normal",
        scaling: str | None = None,
        seed: int = 0,
        dtype: np.typing.DTypeLike = np.float32,
        optimizer: str = "adam",
        lr: float = 1e-3,
    ) -> None:
        n_inputs, width = _check_size("n_inputs", n_inputs), _check_size("width", width)
        depth, n_classes = _check_size("depth", depth), _check_size("n_classes", n_classes)
        self.depth = depth
        self.scaling = scaling
        first, last = branch_scale(scaling, depth)
        self.layer_sizes = [n_inputs, *([width] * (depth + 1)), n_classes]
        self.activation = check_activation(activation)
        self.seed = _check_seed(seed)
        self.dtype = _check_dtype(dtype)
        self.optimizer_name = optimizer
        self.optimizer = get_optimizer(optimizer, lr)
        self.backend = None  # drawn in this process (the backend in use)
        self.init = init
        self._weights = self._initial_weights(init, first, last)

    def _shapes(self) -> list[tuple[int, int]]:
        width = self.layer_sizes[1]
        blocks = [(width, width)] * (2 * self.depth)
        return [(self.layer_sizes[0], width), *blocks, (width, self.layer_sizes[-1])]

    def _initial_weights(self, init: Any, first: float, last: float) -> Weights:
        draw = layer_initializer(init, self.seed)
        weights: Weights = []
        shapes = self._shapes()
        for layer, shape in enumerate(shapes):
            kernel = np.array(draw(layer, shape, self.dtype), dtype=self.dtype)
            if kernel.shape != shape:
                raise ValueError(f"init returned a kernel of shape {kernel.shape}, not {shape}")
            if 0 < layer < len(shapes) - 1:  # inside a branch: odd first, even last
                kernel *= self.dtype.type(first if layer % 2 == 1 else last)
            elif layer == len(shapes) - 1 and self.scaling == "fixup":
                kernel[...] = 0  # Fixup's rule 1: the classification layer starts at zero
            weights.append((kernel, np.zeros(shape[1], self.dtype)))
        return weights

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``zs = [stem z, branch pre-activations..., logits]``; ``activations = [X, h_0,
        ..., h_depth]`` (the residual stream after the stem and after each block)."""
        act = self.activation
        w, b = self._weights[0]
        zs = [X @ w + b]
        activations = [X, apply_activation(act, zs[0])]
        for block in range(self.depth):
            (w1, b1), (w2, b2) = self._weights[1 + 2 * block : 3 + 2 * block]
            h = activations[-1]
            u = h @ w1 + b1
            zs.append(u)
            activations.append(h + apply_activation(act, u) @ w2 + b2)
        w, b = self._weights[-1]
        zs.append(activations[-1] @ w + b)
        return zs, activations

    def _backward(
        self, zs: list[np.ndarray], activations: list[np.ndarray], targets: np.ndarray
    ) -> tuple[Weights, list[np.ndarray]]:
        """Gradients ``[(dW, db), ...]`` in ``weights`` order, and d loss / d ``h_j`` for
        ``j = 0 .. depth``."""
        act = self.activation
        delta = (softmax(zs[-1]) - targets) / self.dtype.type(targets.shape[0])
        w_out, _ = self._weights[-1]
        grads: Weights = [(activations[-1].T @ delta, delta.sum(axis=0))]
        g = delta @ w_out.T  # d loss / d h_depth
        stream_grads = [g]
        for block in range(self.depth - 1, -1, -1):
            (w1, _), (w2, _) = self._weights[1 + 2 * block : 3 + 2 * block]
            h, u = activations[1 + block], zs[1 + block]
            a = apply_activation(act, u)
            grads.append((a.T @ g, g.sum(axis=0)))  # second layer of the branch
            du = (g @ w2.T) * activation_derivative(act, u, a)
            grads.append((h.T @ du, du.sum(axis=0)))  # first layer of the branch
            g = g + du @ w1.T  # the identity path plus the branch
            stream_grads.append(g)
        dz = g * activation_derivative(act, zs[0], activations[1])
        grads.append((activations[0].T @ dz, dz.sum(axis=0)))
        grads.reverse()
        stream_grads.reverse()
        return grads, stream_grads

    def dense_inputs(self, X: Any) -> list[np.ndarray]:
        """The input of each ``Dense`` layer on ``X``, in ``weights`` order (used by LSUV).

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference.residual import ResidualMLP
        >>> model = ResidualMLP(4, 6, 2, 3, seed=0)
        >>> [x.shape for x in model.dense_inputs(np.ones((5, 4)))]
        [(5, 4), (5, 6), (5, 6), (5, 6), (5, 6), (5, 6)]
        """
        zs, activations = self._forward(self._check_inputs(X))
        inputs = [activations[0]]
        for block in range(self.depth):
            inputs += [activations[1 + block], apply_activation(self.activation, zs[1 + block])]
        inputs.append(activations[-1])
        return inputs

    def __repr__(self) -> str:
        return (
            f"ResidualMLP({self.layer_sizes[0]}, {self.layer_sizes[1]}, {self.depth}, "
            f"{self.layer_sizes[-1]}, activation={self.activation!r}, init={self.init!r}, "
            f"scaling={self.scaling!r}, seed={self.seed}, dtype={self.dtype.name}, "
            f"optimizer={self.optimizer_name!r}, lr={self.optimizer.lr})"
        )
