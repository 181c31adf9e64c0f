"""Constant fills: zeros, ones and any value, in parallel (no random stream involved)."""

from __future__ import annotations

from typing import Any

import numpy as np

from winit_fast import _validation as v
from winit_fast._backend import current


def constant(
    shape: Any = None,
    value: Any = 0.0,
    *,
    dtype: Any = None,
    out: np.ndarray | None = None,
    n_threads: int | None = None,
) -> np.ndarray:
    """An array with every element equal to ``value`` (rounded to ``dtype``).

    ``value`` may be inf or NaN; a finite value that overflows ``dtype`` is an error.

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.constant((2, 2), 0.5)
    array([[0.5, 0.5],
           [0.5, 0.5]], dtype=float32)
    """
    target = v.prepare_out(shape, dtype, out)
    value_w = v.to_working("value", v.as_real("value", value, finite=False), target.dtype)
    impl = current()
    threads = v.as_n_threads(n_threads, impl.max_threads())
    if not isinstance(target, v.DryRun):  # a DryRun: checked, nothing to write
        impl.fill_constant(target, value_w, threads)
    return target


def zeros(
    shape: Any = None,
    *,
    dtype: Any = None,
    out: np.ndarray | None = None,
    n_threads: int | None = None,
) -> np.ndarray:
    """An array of zeros, written in parallel (see :func:`constant`).

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.zeros(3)
    array([0., 0., 0.], dtype=float32)
    """
    return constant(shape, 0.0, dtype=dtype, out=out, n_threads=n_threads)


def ones(
    shape: Any = None,
    *,
    dtype: Any = None,
    out: np.ndarray | None = None,
    n_threads: int | None = None,
) -> np.ndarray:
    """An array of ones, written in parallel (see :func:`constant`).

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.ones(2, dtype="float64")
    array([1., 1.])
    """
    return constant(shape, 1.0, dtype=dtype, out=out, n_threads=n_threads)
