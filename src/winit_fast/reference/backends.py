"""Initial weights from a chosen winit_fast backend: the C core or the NumPy fallback.

winit_fast picks its backend once, at import (``WINIT_FAST_PURE_PYTHON=1`` selects the
fallback). To draw weights with the other backend without touching the package's internals,
:func:`backend_weights` runs :func:`~winit_fast.reference.initialization.initial_weights` in a
fresh Python process with that variable set or cleared, and reads the arrays back. The
training itself is plain NumPy in this process, so two models that differ only in ``backend``
train identically exactly when their initial weights have the same bytes.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

import winit_fast as wf
from winit_fast.reference.initialization import initial_weights

__all__ = ["BACKENDS", "backend_weights", "check_backend"]

BACKENDS = ("c", "python")
_PURE_PYTHON_ENV = "WINIT_FAST_PURE_PYTHON"  # the switch documented in the README


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
    """:func:`initial_weights` drawn by ``backend`` (``None``: the one this process uses).

    A backend other than ``winit_fast.BACKEND`` runs in a child process (about half a second).
    There an initializer seeded by a ``Generator`` advances a copy: the caller's generator
    does not move.

    Raises
    ------
    RuntimeError
        If the child fails, or cannot use the backend (``"c"`` without the compiled core).

    Examples
    --------
    >>> from winit_fast.reference.backends import backend_weights
    >>> c = backend_weights([20, 8, 3], backend="c")
    >>> python = backend_weights([20, 8, 3], backend="python")
    >>> all(a.tobytes() == b.tobytes() for (a, _), (b, _) in zip(c, python))
    True
    """
    check_backend(backend)
    if backend is None or backend == wf.BACKEND:
        return initial_weights(layer_sizes, init, seed, dtype)
    env = dict(os.environ)
    if backend == "python":
        env[_PURE_PYTHON_ENV] = "1"
    else:
        env.pop(_PURE_PYTHON_ENV, None)
    request = pickle.dumps((list(layer_sizes), init, seed, np.dtype(dtype).str))
    child = subprocess.run(
        [sys.executable, "-m", "winit_fast.reference._child"],
        input=request,
        capture_output=True,
        env=env,
        check=False,
    )
    if child.returncode != 0:
        message = child.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"drawing weights with backend {backend!r} failed: {message[-1:]}")
    with np.load(io.BytesIO(child.stdout)) as arrays:
        used = str(arrays["backend"])
        if used != backend:
            raise RuntimeError(
                f"backend {backend!r} was requested but a fresh process uses {used!r} "
                "(is the compiled extension winit_fast._core built?)"
            )
        count = len(layer_sizes) - 1
        return [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(count)]
