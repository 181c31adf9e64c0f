"""``MLP``: dense layers, a softmax output, categorical cross-entropy, SGD or Adam, in NumPy."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from winit_fast import _interface as wfi
from winit_fast.reference.backends import backend_weights, check_backend
from winit_fast.reference.functions import (
    accuracy,
    activation_derivative,
    apply_activation,
    check_activation,
    cross_entropy,
    one_hot,
    softmax,
)
from winit_fast.reference.optimizers import get_optimizer
from winit_fast.reference.threads import single_threaded_blas

__all__ = ["MLP"]

Weights = list[tuple[np.ndarray, np.ndarray]]


def _check_sizes(layer_sizes: Any) -> list[int]:
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Iterable):
        raise TypeError("layer_sizes must be a sequence of ints, e.g. [784, 64, 10]")
    layer_sizes = list(layer_sizes)
    sizes = []
    for size in layer_sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"layer_sizes must hold ints >= 1, got {list(layer_sizes)}")
        sizes.append(int(size))
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs an input and an output size, got {sizes}")
    return sizes


def _check_seed(seed: Any) -> int:
    """winit_fast's seed rule, without its ``None`` (fresh entropy): a run must repeat."""
    if seed is None:
        raise TypeError("seed must be an int, got None (a reference run must be reproducible)")
    return wfi.as_seed(seed)


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class MLP:
    """A multi-layer perceptron classifier trained with NumPy: the reference trainer.

    ``Dense`` layers ``layer_sizes[0] -> ... -> layer_sizes[-1]``: each hidden layer applies
    ``activation``; the last applies softmax, trained with categorical cross-entropy (the
    mean over the batch). Everything is computed in ``dtype``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[inputs, hidden..., classes]``, e.g. ``[784, 64, 10]`` (the seed article's network).
    activation : {"relu", "tanh", "sigmoid", "linear"}
        The hidden layers' activation.
    init : str, dict, Initializer or callable
        Kernel initializer of every layer (biases are zeros): a winit_fast name
        (``"he_normal"``, ``"zeros"``, ...), ``"random_normal:STD"``,
        ``"random_uniform:LIMIT"``, a ``"numpy:he_normal"``-style reference drawn with
        ``numpy.random``, a config dict, an initializer object or a callable. See
        :mod:`winit_fast.reference.initialization`; layer ``i`` uses stream
        ``f"dense_{i}/kernel"``.
    seed : int
        Seed of the initial weights.
    dtype : float32 or float64
    optimizer : {"adam", "sgd"}
        Adam with Keras's defaults, or plain SGD.
    lr : float
        Learning rate.
    backend : {None, "c", "python"}
        Which winit_fast backend draws the initial weights; ``None`` is the one in use. Only
        the initial weights depend on it (see :mod:`winit_fast.reference.backends`).

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference import MLP
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((200, 16), dtype=np.float32), rng.integers(0, 3, 200)
    >>> model = MLP([16, 32, 3], init="he_normal", seed=0, lr=1e-2)
    >>> history = model.fit(X, y, epochs=3, batch_size=32)
    >>> sorted(history), len(history["loss"])
    (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 3)
    >>> model.predict(X[:2]).shape
    (2, 3)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        init: Any = "he_normal",
        seed: int = 0,
        dtype: np.typing.DTypeLike = np.float32,
        optimizer: str = "adam",
        lr: float = 1e-3,
        *,
        backend: str | None = None,
    ) -> None:
        self.layer_sizes = _check_sizes(layer_sizes)
        self.activation = check_activation(activation)
        self.seed = _check_seed(seed)
        self.dtype = _check_dtype(dtype)
        self.optimizer_name = optimizer
        self.optimizer = get_optimizer(optimizer, lr)
        self.backend = check_backend(backend)
        self.init = init
        self._weights: Weights = backend_weights(
            self.layer_sizes, init, self.seed, self.dtype, backend
        )

    # -- weights ---------------------------------------------------------------------------

    @property
    def weights(self) -> Weights:
        """Copies of ``[(W, b), ...]``, ``W`` of shape ``(fan_in, fan_out)``; assignable.

        Assigning checks the shapes and converts to the model's dtype; the optimizer keeps its
        state (Adam's moments), as when Keras's ``set_weights`` is called.

        Examples
        --------
        >>> from winit_fast.reference import MLP
        >>> model = MLP([4, 3, 2], init="zeros")
        >>> w = model.weights
        >>> w[0] = (w[0][0] + 1, w[0][1])
        >>> model.weights = w
        >>> float(model.weights[0][0].sum())
        12.0
        """
        return [(w.copy(), b.copy()) for w, b in self._weights]

    @weights.setter
    def weights(self, value: Sequence[tuple[Any, Any]]) -> None:
        pairs = list(value)
        if len(pairs) != len(self._weights):
            raise ValueError(f"weights must hold {len(self._weights)} (W, b) pairs")
        new = []
        for i, ((w, b), (old_w, old_b)) in enumerate(zip(pairs, self._weights, strict=True)):
            w, b = np.array(w, dtype=self.dtype), np.array(b, dtype=self.dtype)
            if w.shape != old_w.shape or b.shape != old_b.shape:
                raise ValueError(
                    f"weights[{i}] must be shaped {old_w.shape} and {old_b.shape}, "
                    f"got {w.shape} and {b.shape}"
                )
            new.append((w, b))
        self._weights = new

    # -- forward and backward --------------------------------------------------------------

    def _check_inputs(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must be shaped (n, {self.layer_sizes[0]}), got {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations ``zs`` and activations ``activations`` (``activations[0]`` is X);
        the last ``zs`` are the logits."""
        activations, zs = [X], []
        last = len(self._weights) - 1
        for i, (w, b) in enumerate(self._weights):
            z = activations[-1] @ w + b
            zs.append(z)
            if i < last:
                activations.append(apply_activation(self.activation, z))
        return zs, activations

    def _backward(
        self, zs: list[np.ndarray], activations: list[np.ndarray], targets: np.ndarray
    ) -> tuple[Weights, list[np.ndarray]]:
        """Gradients ``[(dW, db), ...]`` and the gradient of the loss with respect to each
        hidden layer's output (its activation), first hidden layer first."""
        batch = targets.shape[0]
        # d(mean cross-entropy of softmax)/d logits = (softmax - targets) / batch
        delta = (softmax(zs[-1]) - targets) / self.dtype.type(batch)
        grads: Weights = []
        hidden_grads: list[np.ndarray] = []
        for i in range(len(self._weights) - 1, -1, -1):
            w, _ = self._weights[i]
            grads.append((activations[i].T @ delta, delta.sum(axis=0)))
            if i > 0:
                upstream = delta @ w.T  # d loss / d activation of hidden layer i
                hidden_grads.append(upstream)
                delta = upstream * activation_derivative(self.activation, zs[i - 1], activations[i])
        grads.reverse()
        hidden_grads.reverse()
        return grads, hidden_grads

    def loss_and_gradients(self, X: Any, Y_onehot: Any) -> tuple[float, Weights]:
        """The batch loss and its gradients ``[(dW, db), ...]``, without updating anything.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> model = MLP([4, 3, 2], seed=0)
        >>> loss, grads = model.loss_and_gradients(np.ones((5, 4)), np.eye(2)[[0, 1, 0, 1, 0]])
        >>> [g[0].shape for g in grads]
        [(4, 3), (3, 2)]
        """
        X = self._check_inputs(X)
        targets = self._check_targets(Y_onehot, X.shape[0])
        zs, activations = self._forward(X)
        grads, _ = self._backward(zs, activations, targets)
        return cross_entropy(zs[-1], targets), grads

    def trace(self, X: Any, Y_onehot: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Each hidden layer's activations and the loss gradient with respect to them.

        Used by :func:`winit_fast.reference.experiments.activation_statistics`.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> model = MLP([4, 8, 8, 2], activation="tanh", seed=0)
        >>> acts, grads = model.trace(np.ones((5, 4)), np.eye(2)[[0, 1, 0, 1, 0]])
        >>> [a.shape for a in acts] == [g.shape for g in grads] == [(5, 8), (5, 8)]
        True
        """
        X = self._check_inputs(X)
        targets = self._check_targets(Y_onehot, X.shape[0])
        zs, activations = self._forward(X)
        _, hidden_grads = self._backward(zs, activations, targets)
        return activations[1:], hidden_grads

    def _check_targets(self, Y_onehot: Any, rows: int) -> np.ndarray:
        targets = np.asarray(Y_onehot)
        if targets.shape != (rows, self.layer_sizes[-1]):
            raise ValueError(
                f"Y_onehot must be shaped ({rows}, {self.layer_sizes[-1]}), got {targets.shape}"
            )
        return targets.astype(self.dtype, copy=False)

    # -- training --------------------------------------------------------------------------

    def train_step(self, X: Any, Y_onehot: Any) -> float:
        """One optimizer step on a batch; returns the batch's loss before the step.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> model = MLP([4, 3, 2], seed=0, lr=0.1)
        >>> X, Y = np.ones((5, 4)), np.eye(2)[[0, 1, 0, 0, 0]]
        >>> first = model.train_step(X, Y)
        >>> bool(model.train_step(X, Y) < first)
        True
        """
        X = self._check_inputs(X)
        targets = self._check_targets(Y_onehot, X.shape[0])
        loss, _ = self._step(X, targets)
        return loss

    def _step(self, X: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
        zs, activations = self._forward(X)
        grads, _ = self._backward(zs, activations, targets)
        params = [array for pair in self._weights for array in pair]
        self.optimizer.step(params, [array for pair in grads for array in pair])
        return cross_entropy(zs[-1], targets), zs[-1]

    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 10,
        batch_size: int = 32,
        validation_data: tuple[Any, Any] | None = None,
        seed: int = 0,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, list[float]]:
        """Train on integer labels ``y``; returns the per-epoch history.

        Each epoch visits the rows in an order drawn by ``numpy.random.default_rng(seed)``
        (one generator for the whole run), in batches of ``batch_size`` (the last may be
        smaller). As in Keras, ``loss`` and ``accuracy`` are the means over the epoch's batches
        (weighted by batch size) of the values before each step; ``val_loss`` and
        ``val_accuracy`` are measured after the epoch (empty lists without
        ``validation_data``). BLAS runs on one thread meanwhile (see
        :mod:`winit_fast.reference.threads`).

        Parameters
        ----------
        X : array, shape (n, layer_sizes[0])
        y : int array, shape (n,)
        epochs, batch_size : int
        validation_data : (X_val, y_val), optional
        seed : int
            Seed of the shuffling.
        progress : callable, optional
            Called as ``progress(steps_done, total_steps)`` after each step.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> rng = np.random.default_rng(1)
        >>> X, y = rng.random((64, 8)), rng.integers(0, 2, 64)
        >>> model = MLP([8, 16, 2], seed=0)
        >>> history = model.fit(X, y, epochs=2, batch_size=16, validation_data=(X, y))
        >>> [len(values) for values in history.values()]
        [2, 2, 2, 2]
        """
        X = self._check_inputs(X)
        labels = np.asarray(y)
        targets = one_hot(labels, self.layer_sizes[-1], self.dtype)
        if targets.shape[0] != X.shape[0]:
            raise ValueError(f"X and y must have as many rows, got {X.shape[0]} and {len(y)}")
        for name, value in (("epochs", epochs), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < (0 if name == "epochs" else 1):
                raise ValueError(f"{name} must be >= {0 if name == 'epochs' else 1}, got {value}")
        if X.shape[0] == 0:
            raise ValueError("X must hold at least one row")
        if validation_data is not None:
            X_val, y_val = validation_data
            validation_data = (self._check_inputs(X_val), y_val)
        rng = np.random.default_rng(_check_seed(seed))
        with single_threaded_blas():
            return self._fit(X, labels, targets, epochs, batch_size, validation_data, rng, progress)

    def _fit(
        self,
        X: np.ndarray,
        labels: np.ndarray,
        targets: np.ndarray,
        epochs: int,
        batch_size: int,
        validation_data: tuple[Any, Any] | None,
        rng: np.random.Generator,
        progress: Callable[[int, int], None] | None,
    ) -> dict[str, list[float]]:
        history: dict[str, list[float]] = {
            "loss": [],
            "accuracy": [],
            "val_loss": [],
            "val_accuracy": [],
        }
        n = X.shape[0]
        per_epoch = -(-n // batch_size)
        for epoch in range(epochs):
            order = rng.permutation(n)
            loss_sum, correct = 0.0, 0
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                loss, logits = self._step(X[rows], targets[rows])
                loss_sum += loss * rows.size
                correct += int((logits.argmax(axis=1) == labels[rows]).sum())
                if progress is not None:
                    progress(epoch * per_epoch + start // batch_size + 1, epochs * per_epoch)
            history["loss"].append(loss_sum / n)
            history["accuracy"].append(correct / n)
            if validation_data is not None:
                val_loss, val_accuracy = self.evaluate(*validation_data)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
        return history

    # -- inference -------------------------------------------------------------------------

    def predict(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax), shape ``(n, layer_sizes[-1])``.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> p = MLP([4, 3, 2], seed=0).predict(np.ones((5, 4)))
        >>> p.shape, bool(np.allclose(p.sum(axis=1), 1))
        ((5, 2), True)
        """
        zs, _ = self._forward(self._check_inputs(X))
        return softmax(zs[-1])

    def evaluate(self, X: Any, y: Any) -> tuple[float, float]:
        """``(loss, accuracy)`` on integer labels ``y``, without updating anything.

        Examples
        --------
        >>> import numpy as np
        >>> from winit_fast.reference import MLP
        >>> loss, acc = MLP([4, 3, 2], init="zeros").evaluate(np.ones((4, 4)), [0, 1, 1, 1])
        >>> round(loss, 6), acc  # zero weights: uniform probabilities, ties go to class 0
        (0.693147, 0.25)
        """
        X = self._check_inputs(X)
        labels = np.asarray(y)
        targets = one_hot(labels, self.layer_sizes[-1], self.dtype)
        if targets.shape[0] != X.shape[0]:
            raise ValueError(f"X and y must have as many rows, got {X.shape[0]} and {len(labels)}")
        zs, _ = self._forward(X)
        return cross_entropy(zs[-1], targets), accuracy(zs[-1], labels)

    def __repr__(self) -> str:
        return (
            f"MLP({self.layer_sizes}, activation={self.activation!r}, init={self.init!r}, "
            f"seed={self.seed}, dtype={self.dtype.name}, optimizer={self.optimizer_name!r}, "
            f"lr={self.optimizer.lr})"
        )
