"""Where a fill's values lie in the stream: the one Python home of the position rules.

A Philox block has four 32-bit words, so it holds 4 elements of 32 or 16 bits (one word
each) or 2 of float64 (two words each): :func:`per_block`. Element ``offset`` of a stream is
element ``phase`` of block ``block``: :func:`position`; a fill of ``count`` elements from a
fresh block uses :func:`blocks_used` blocks. A strided block (``index=``) reaches the
backends as one :class:`Runs` record, checked once when it is made. The C core's twin of
these rules is ``wf_block_shift`` / ``wf_position_at`` in ``csrc/wf_core.h``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from winit_fast._validation import UINT64_LIMIT, as_count

MAX_AXES = 64  # as many axes as a NumPy array can have (csrc/wf_runs.h: WF_RUNS_MAX_AXES)
_FLOAT64 = np.dtype(np.float64)


def per_block(dtype: np.dtype) -> int:
    """Elements per Philox block: 2 for float64, 4 for the other dtypes (one 32-bit word
    each)."""
    return 2 if dtype == _FLOAT64 else 4


def position(offset: Any, count: int, per: int) -> tuple[int, int]:
    """``(block, phase)`` of element ``offset``; the ``count`` elements from there must fit in
    the stream (``per * 2**64`` elements)."""
    offset = as_count("offset", offset)
    if offset + count > per * UINT64_LIMIT:
        raise ValueError(
            f"offset={offset} with {count} elements runs past the end of the stream "
            f"({per} * 2**64 elements)"
        )
    return locate(offset, per)


def locate(offset: int, per: int) -> tuple[int, int]:
    """``(block, phase)`` of element ``offset`` counted from element 0 of block 0 (checked
    by the caller, as the backends' are)."""
    return offset // per, offset % per


def blocks_used(count: int, per: int) -> int:
    """Blocks a fill of ``count`` elements uses from the start of a block (the last may be
    partly used: it is not used again by a Generator)."""
    return -(-count // per)


@dataclass(frozen=True)
class Runs:
    """The runs of one rectangle of a strided block, as every backend takes them.

    Run ``(i_0, ..., i_k)`` covers the stream positions ``start + sum(i * stream_steps) +
    [0, length)``, where ``start`` is element ``phase`` of block ``block``, and the output
    elements ``out_start + sum(i * out_steps) + [0, length)`` of the flat ``out``. Elements
    are numbered run by run, runs in C order of their indices (``csrc/wf_runs.h``).

    Made once per rectangle and handed unchanged to the backend in use. The layout is
    checked here, when it is made (steps that agree in number, runs that do not overlap in
    ``out``); whether it fits the ``out`` of a fill is :meth:`check_inside`, which every
    backend calls before it writes.
    """

    block: int
    phase: int
    length: int
    counts: tuple[int, ...]
    stream_steps: tuple[int, ...]
    out_start: int
    out_steps: tuple[int, ...]
    end: int = field(init=False)  # one past the last element of out the runs reach

    def __post_init__(self) -> None:
        axes = len(self.counts)
        if axes > MAX_AXES or not axes == len(self.stream_steps) == len(self.out_steps):
            raise ValueError(
                "runs: counts, stream_steps and out_steps must be equally long "
                f"(at most {MAX_AXES})"
            )
        values = (self.block, self.phase, self.length, self.out_start, *self.counts)
        if min((*values, *self.stream_steps, *self.out_steps)) < 0:
            raise ValueError("runs must not have negative positions, counts or steps")
        extent = self.length
        for k in reversed(range(axes)):
            count, step = self.counts[k], self.out_steps[k]
            if count > 1:
                if step < extent:
                    raise ValueError(f"runs overlap in out (axis {k}: step {step} < {extent})")
                extent += (count - 1) * step
        object.__setattr__(self, "end", self.out_start + extent if self.size else 0)

    @property
    def size(self) -> int:
        """How many elements the runs hold."""
        return self.length * math.prod(self.counts)

    @property
    def stream_extent(self) -> int:
        """Stream positions from the first run's start to the last run's end."""
        steps = zip(self.counts, self.stream_steps, strict=True)
        return self.length + sum((count - 1) * step for count, step in steps) if self.size else 0

    def at(self, block: int, phase: int) -> Runs:
        """The same runs from element ``phase`` of block ``block``."""
        return replace(self, block=block, phase=phase)

    def check_inside(self, size: int) -> None:
        """``ValueError`` unless the runs lie inside an ``out`` of ``size`` elements."""
        if self.end > size:
            raise ValueError(f"runs reach element {self.end} of out, which holds {size}")


def strided(
    shape: tuple[int, ...], strides: tuple[int, ...], start: int, block: int, phase: int
) -> Runs:
    """The runs that write a fill of ``shape`` into strided memory.

    The fill's elements are taken in C order of ``shape`` from element ``phase`` of block
    ``block`` (the values a C-contiguous array of ``shape`` gets); element ``(i_0, ...)``
    goes to ``start + sum(i * strides)`` of the flat memory (a transposed or sliced view of a
    larger buffer: a tensor's storage). The axes are taken in the order of their strides,
    outermost first, and the innermost ones that are consecutive both in memory and in the
    stream make up a run. ``ValueError`` if two elements share a place in memory (a stride
    of 0, an overlapping layout): no fill can write those exactly.
    """
    stream_steps = [1] * len(shape)  # C-order strides of shape: where each element's value is
    for k in reversed(range(len(shape) - 1)):
        stream_steps[k] = stream_steps[k + 1] * shape[k + 1]
    axes = sorted(
        (
            (step, stream_step, count)
            for count, step, stream_step in zip(shape, strides, stream_steps, strict=True)
            if count != 1
        ),
        reverse=True,
    )
    length = 1
    while axes and axes[-1][0] == axes[-1][1] == length:  # the next axis extends the run
        length *= axes.pop()[2]
    if 0 in shape:
        length, axes = 0, []
    return Runs(
        block,
        phase,
        length,
        tuple(count for _, _, count in axes),
        tuple(stream_step for _, stream_step, _ in axes),
        start,
        tuple(step for step, _, _ in axes),
    )
