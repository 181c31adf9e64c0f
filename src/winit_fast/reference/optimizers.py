"""Plain SGD and Adam (Keras 3's update, defaults beta1 0.9, beta2 0.999, epsilon 1e-7).

Both update the parameter arrays in place; the state (Adam's moments and step count) lives in
the optimizer, one slot per parameter in the order of the list given to :meth:`step`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Optimizer", "get_optimizer"]


class Optimizer:
    """Base class: ``step(params, grads)`` updates every array of ``params`` in place.

    Examples
    --------
    >>> from winit_fast.reference.optimizers import SGD
    >>> isinstance(SGD(0.1), Optimizer)
    True
    """

    def __init__(self, lr: float) -> None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise TypeError(f"lr must be a float, got {type(lr).__name__}")
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr}")
        self.lr = float(lr)

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update each array of ``params`` in place from the matching array of ``grads``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: ``p -= lr * g`` (no momentum, no decay).

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.optimizers import SGD
    >>> p = np.array([1.0, 2.0])
    >>> SGD(lr=0.5).step([p], [np.array([1.0, -2.0])])
    >>> p
    array([0.5, 3. ])
    """

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        for p, g in zip(params, grads, strict=True):
            p -= p.dtype.type(self.lr) * g


class Adam(Optimizer):
    """Adam as Keras 3 writes it, with Keras's defaults.

    At step ``t`` (from 1): ``m += (g - m)(1 - beta1)``, ``v += (g² - v)(1 - beta2)``,
    ``alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)``, ``p -= alpha · m / (sqrt(v) + eps)``.
    The bias correction is folded into ``alpha``, so ``eps`` is added to the uncorrected
    ``sqrt(v)`` ("epsilon hat" in the Adam paper), exactly as in Keras and TensorFlow.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.optimizers import Adam
    >>> p, adam = np.array([1.0, 1.0]), Adam(lr=0.1)
    >>> for _ in range(2):  # a constant gradient: each step moves by about lr, against it
    ...     adam.step([p], [np.array([3.0, -0.5])])
    >>> p.round(4)  # the size of the gradient does not matter, only its sign
    array([0.8, 1.2])
    """

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-7
    ) -> None:
        super().__init__(lr)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value}")
        if not epsilon >= 0:
            raise ValueError(f"epsilon must be >= 0, got {epsilon}")
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)
        self.iterations = 0
        self._m: list[np.ndarray] = []
        self._v: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        if not self._m:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self.iterations += 1
        t = self.iterations
        alpha = self.lr * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)
        for p, g, m, v in zip(params, grads, self._m, self._v, strict=True):
            kind = p.dtype.type  # scalars in the parameter's dtype: float32 stays float32
            m += (g - m) * kind(1 - self.beta1)
            v += (g * g - v) * kind(1 - self.beta2)
            p -= (m * kind(alpha)) / (np.sqrt(v) + kind(self.epsilon))


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam}


def get_optimizer(name: str, lr: float) -> Optimizer:
    """A fresh optimizer by name (``"sgd"`` or ``"adam"``) with learning rate ``lr``.

    Examples
    --------
    >>> from winit_fast.reference.optimizers import get_optimizer
    >>> type(get_optimizer("adam", 1e-3)).__name__
    'Adam'
    """
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be a str, got {type(name).__name__}")
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer {name!r} is unknown; valid: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr)
