"""Constant fills: zeros, ones and any value, in parallel (no random stream involved)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from winit_fast import _validation as v
from winit_fast._backend import current
from winit_fast._placement import FILLING, Filling, spelled_out, unexpected

if TYPE_CHECKING:
    from typing_extensions import Unpack


@spelled_out(FILLING)
def constant(shape: Any = None, value: Any = 0.0, **where: Unpack[Filling]) -> np.ndarray:
    """An array with every element equal to ``value`` (rounded to ``dtype``).

    ``value`` may be inf or NaN; a finite value that overflows ``dtype`` is an error.

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.constant((2, 2), 0.5)
    array([[0.5, 0.5],
           [0.5, 0.5]], dtype=float32)
    """
    return _constant("constant", shape, value, where)


def _constant(function: str, shape: Any, value: Any, where: Filling) -> np.ndarray:
    """:func:`constant`, :func:`zeros` and :func:`ones`, called as ``function``."""
    unexpected(function, where, FILLING)
    target = v.prepare_out(shape, where.get("dtype"), where.get("out"), device=True)
    value_w = v.to_working("value", v.as_real("value", value, finite=False), target.dtype)
    impl = current()
    threads = v.as_n_threads(where.get("n_threads"), impl.max_threads())
    if isinstance(target, v.DeviceOut):
        target.writer.fill_constant(value_w)
    elif not isinstance(target, v.DryRun):  # a DryRun: checked, nothing to write
        impl.fill_constant(target, value_w, threads)
    return target


@spelled_out(FILLING)
def zeros(shape: Any = None, **where: Unpack[Filling]) -> np.ndarray:
    """An array of zeros, written in parallel (see :func:`constant`).

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.zeros(3)
    array([0., 0., 0.], dtype=float32)
    """
    return _constant("zeros", shape, 0.0, where)


@spelled_out(FILLING)
def ones(shape: Any = None, **where: Unpack[Filling]) -> np.ndarray:
    """An array of ones, written in parallel (see :func:`constant`).

    Examples
    --------
    >>> import winit_fast as wf
    >>> wf.ones(2, dtype="float64")
    array([1., 1.])
    """
    return _constant("ones", shape, 1.0, where)
