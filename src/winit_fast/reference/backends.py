"""Initial weights from a chosen winit_fast backend: the C core or the NumPy fallback.

:func:`backend_weights` draws :func:`~winit_fast.reference.initialization.initial_weights`
inside :func:`winit_fast.use_backend`, the package's one switch. The training itself is
plain NumPy, so two models that differ only in ``backend`` train identically exactly when
their initial weights have the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast._interface import BACKENDS
from winit_fast.reference.initialization import initial_weights

__all__ = ["BACKENDS", "backend_weights", "check_backend"]


def check_backend(backend: Any) -> str | None:
    """``backend`` if it is ``None``, ``"c"`` or ``"python"``, else an error naming it.

    Examples
    --------
    >>> from winit_fast.reference.backends import check_backend
    >>> check_backend("python")
    'python'
    """
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"backend must be None, 'c' or 'python', got {backend!r}")
    return backend


def backend_weights(
    layer_sizes: Sequence[int],
    init: Any = "he_normal",
    seed: int = 0,
    dtype: np.typing.DTypeLike = np.float32,
    backend: str | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`initial_weights` drawn by ``backend`` (``None``: the one in use here).

    Raises
    ------
    RuntimeError
        For ``"c"`` when the compiled core is not available.

    Examples
    --------
    >>> from winit_fast.reference.backends import backend_weights
    >>> c = backend_weights([20, 8, 3], backend="c")
    >>> python = backend_weights([20, 8, 3], backend="python")
    >>> all(a.tobytes() == b.tobytes() for (a, _), (b, _) in zip(c, python))
    True
    """
    check_backend(backend)
    if backend is None:
        return initial_weights(layer_sizes, init, seed, dtype)
    with wf.use_backend(backend):
        return initial_weights(layer_sizes, init, seed, dtype)
