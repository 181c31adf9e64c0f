"""``index=``: a rectangular block of a logical tensor, as runs of consecutive stream elements.

A block of a C-order tensor is a set of runs: along the last axis that the block cuts, each
row segment (times the full trailing axes) is contiguous in the stream. Generating each run
at its global offset gives exactly the bytes the whole tensor would have there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def resolve(shape: tuple[int, ...], index: Any) -> tuple[tuple[int, int], ...]:
    """``(start, stop)`` per axis of ``shape``; missing trailing axes are taken whole."""
    parts = index if isinstance(index, tuple) else (index,)
    if len(parts) > len(shape):
        raise ValueError(f"index has {len(parts)} entries but shape {shape} has {len(shape)} axes")
    bounds = []
    for axis, dim in enumerate(shape):
        part = parts[axis] if axis < len(parts) else slice(None)
        if not isinstance(part, slice):
            raise TypeError(f"index must hold slices (as np.s_[a:b, c:d]), got {part!r}")
        if part.step not in (None, 1):
            raise ValueError(f"index[{axis}] has step {part.step}; only steps of 1 are allowed")
        start = _bound(part.start, 0, dim, axis)
        stop = _bound(part.stop, dim, dim, axis)
        if start > stop:
            raise ValueError(f"index[{axis}] starts at {start} after its stop {stop}")
        bounds.append((start, stop))
    return tuple(bounds)


def _bound(value: Any, default: int, dim: int, axis: int) -> int:
    if value is None:
        return default
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"index[{axis}] bounds must be ints, got {value!r}")
    value = int(value)
    resolved = value + dim if value < 0 else value
    if not 0 <= resolved <= dim:
        raise ValueError(f"index[{axis}] bound {value} is out of range for a dimension of {dim}")
    return resolved


def runs(shape: tuple[int, ...], bounds: tuple[tuple[int, int], ...]) -> tuple[int, np.ndarray]:
    """``(run_length, starts)``: the block is ``len(starts)`` runs of ``run_length`` elements,
    run ``r`` starting at flat index ``starts[r]`` of the whole tensor, in block C order."""
    strides = [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]
    # trailing axes taken whole merge into one run with the last axis that is cut
    cut = len(shape) - 1
    while cut > 0 and bounds[cut] == (0, shape[cut]):
        cut -= 1
    if not shape:
        return 1, np.zeros(1, dtype=np.int64)
    length = (bounds[cut][1] - bounds[cut][0]) * strides[cut]
    starts = np.array([bounds[cut][0] * strides[cut]], dtype=object)
    for axis in range(cut - 1, -1, -1):
        lo, hi = bounds[axis]
        starts = (
            np.arange(lo, hi, dtype=object)[:, None] * strides[axis] + starts[None, :]
        ).ravel()
    return length, starts
