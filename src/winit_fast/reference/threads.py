"""BLAS on one thread while training: the matrices are too small to share.

A batch of 32 rows times a 784x64 kernel is a few microseconds of work; OpenBLAS splits it
across threads anyway, and on busy cores its threads wait for each other. On the project's
2-core machine under load, 10 epochs on the digits took 17 s with 2 BLAS threads and 0.3 s
with 1. Uses threadpoolctl when it is installed (scikit-learn depends on it), and does
nothing otherwise.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["single_threaded_blas"]


def single_threaded_blas() -> contextlib.AbstractContextManager[Any]:
    """A context in which BLAS calls run on one thread (if threadpoolctl is installed).

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.threads import single_threaded_blas
    >>> with single_threaded_blas():
    ...     (np.ones((2, 3)) @ np.ones((3, 2))).tolist()
    [[3.0, 3.0], [3.0, 3.0]]
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
