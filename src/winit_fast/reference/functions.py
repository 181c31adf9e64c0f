"""Hidden activations and their derivatives, softmax, categorical cross-entropy, one-hot.

Every function keeps the dtype of its input, so a float32 model computes in float32 from end
to end (as Keras does by default).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "accuracy",
    "activation_derivative",
    "apply_activation",
    "check_activation",
    "cross_entropy",
    "one_hot",
    "softmax",
]


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _relu_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # Derivative 0 at z == 0, as TensorFlow and torch: a zero-initialized ReLU layer stays dead.
    return (z > 0).astype(z.dtype)


def _tanh_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1 - a * a


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only, so no overflow warning for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def _sigmoid_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1 - a)


# name -> (function, derivative from the pre-activation z and the activation a)
_TABLE: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[..., np.ndarray]]] = {
    "relu": (_relu, _relu_grad),
    "tanh": (np.tanh, _tanh_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}
ACTIVATIONS: tuple[str, ...] = tuple(_TABLE)


def check_activation(name: object) -> str:
    """``name`` if it is a known hidden activation, else a ValueError listing the valid ones.

    Examples
    --------
    >>> from winit_fast.reference.functions import check_activation
    >>> check_activation("tanh")
    'tanh'
    """
    if not isinstance(name, str):
        raise TypeError(f"activation must be a str, got {type(name).__name__}")
    if name not in _TABLE:
        raise ValueError(f"activation {name!r} is unknown; valid: {', '.join(ACTIVATIONS)}")
    return name


def apply_activation(name: str, z: np.ndarray) -> np.ndarray:
    """The activation ``name`` (``relu``, ``tanh``, ``sigmoid``, ``linear``) applied to ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import apply_activation
    >>> apply_activation("relu", np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    return _TABLE[check_activation(name)][0](z)


def activation_derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """d activation / d z at the pre-activation ``z``, given ``a = activation(z)``.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import activation_derivative
    >>> z = np.array([-1.0, 0.0, 2.0])
    >>> activation_derivative("relu", z, np.maximum(z, 0))
    array([0., 0., 1.])
    """
    return _TABLE[check_activation(name)][1](z, a)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so that it never overflows.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import softmax
    >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]]))
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Categorical cross-entropy of ``softmax(logits)``, the mean over the batch.

    Computed from the logits as ``logsumexp(z) - sum(t * z)`` (Keras does the same when a
    softmax output feeds this loss), so it is exact and finite even for a saturated softmax,
    and its gradient with respect to the logits is exactly ``(softmax(z) - t) / batch``.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import cross_entropy
    >>> round(cross_entropy(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])), 6)
    0.693147
    """
    top = logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(logits - top).sum(axis=1, keepdims=True)) + top
    return float((log_sum[:, 0] - (targets * logits).sum(axis=1)).mean())


def one_hot(labels: np.ndarray, n_classes: int, dtype: np.typing.DTypeLike = np.float32):
    """Integer labels in ``[0, n_classes)`` as one-hot rows.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import one_hot
    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"y must be a 1-D array of integer labels, got {labels.dtype} with shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"y must hold labels in [0, {n_classes}), got [{labels.min()}, {labels.max()}]"
        )
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose arg-max is the label.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.functions import accuracy
    >>> accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]))
    0.5
    """
    return float((probabilities.argmax(axis=1) == labels).mean())
