"""``index=``: a block of a logical tensor, as strided runs of consecutive stream elements.

Per axis, ``index=`` takes a slice (a positive step allowed) or a list of slices, which are
concatenated (the local part of a ``_StridedShard``); the block is their outer product, as
``whole[np.ix_(...)]``. One slice per axis makes a rectangle, a list on some axes several.

A rectangle of a C-order tensor is a set of runs: along the last axis that it cuts, each row
segment (times the full trailing axes) is contiguous in the stream and in the block. The
backends' ``fill_runs`` take one rectangle each, as runs on a few axes of constant
strides (one ``_stream.Runs`` record each), and loop over them in C (``csrc/wf_runs.c``) or
in vectorized NumPy (``_fallback/runs.py``). Each run gets the bytes its stream positions
have in the whole tensor.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, NamedTuple

import numpy as np

from winit_fast import _validation as v
from winit_fast._stream import Runs, position


class Piece(NamedTuple):
    """The indices ``start, start + step, ...`` (``length`` of them) along one axis."""

    start: int
    length: int
    step: int


class Rectangle(NamedTuple):
    """One rectangle of a block: its runs (a ``_stream.Runs`` whose stream positions count
    from ``start``, the tensor's element where its first run begins)."""

    start: int
    runs: Runs


class Block(NamedTuple):
    """The elements ``index=`` selects from a tensor of ``full_shape``."""

    full_shape: tuple[int, ...]
    pieces: tuple[tuple[Piece, ...], ...]  # per axis, concatenated in order

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(sum(p.length for p in axis) for axis in self.pieces)

    def select(self, whole: np.ndarray) -> np.ndarray:
        """The same block cut out of the whole tensor (a copy)."""
        picks = [
            np.concatenate(
                [np.zeros(0, np.intp)] + [p.start + p.step * np.arange(p.length) for p in axis]
            )
            for axis in self.pieces
        ]
        return whole[np.ix_(*picks)] if picks else whole.copy()

    def rectangles(self) -> list[Rectangle]:
        """The non-empty rectangles, one per choice of a piece on every axis."""
        out_strides = _c_strides(self.shape)
        choices = []  # per axis: (piece, where it starts along the block's axis)
        for axis in self.pieces:
            starts = itertools.accumulate((p.length for p in axis), initial=0)
            choices.append(list(zip(axis, starts)))  # noqa: B905 (starts has one more)
        rects = []
        for choice in itertools.product(*choices):
            pieces = tuple(piece for piece, _ in choice)
            if all(p.length for p in pieces):
                out_start = sum(at * s for (_, at), s in zip(choice, out_strides, strict=True))
                rects.append(_rectangle(self.full_shape, self.shape, pieces, out_start))
        return rects


def _c_strides(shape: tuple[int, ...]) -> list[int]:
    return [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]


def _rectangle(
    full: tuple[int, ...], block: tuple[int, ...], pieces: tuple[Piece, ...], out_start: int
) -> Rectangle:
    strides, out_strides = _c_strides(full), _c_strides(block)
    # trailing axes taken whole (in the tensor and in the block) merge into the runs
    cut = len(full) - 1
    while cut >= 0 and pieces[cut] == (0, full[cut], 1) and block[cut] == full[cut]:
        cut -= 1
    if cut < 0:
        return Rectangle(0, Runs(0, 0, math.prod(full), (), (), out_start, ()))
    start = sum(p.start * s for p, s in zip(pieces, strides, strict=True))
    outer = cut if pieces[cut].step == 1 else cut + 1  # a step on the cut axis: runs of rows
    length = strides[cut] * (pieces[cut].length if outer == cut else 1)
    axes: list[list[int]] = []  # [count, stream step, out step], outermost first
    for axis in range(outer):
        count, step = pieces[axis].length, pieces[axis].step * strides[axis]
        if count == 1:
            continue
        if axes and axes[-1][1] == count * step and axes[-1][2] == count * out_strides[axis]:
            axes[-1] = [axes[-1][0] * count, step, out_strides[axis]]  # one affine axis
        else:
            axes.append([count, step, out_strides[axis]])
    counts, stream_steps, out_steps = (tuple(a[k] for a in axes) for k in range(3))
    return Rectangle(start, Runs(0, 0, length, counts, stream_steps, out_start, out_steps))


def resolve(shape: tuple[int, ...], index: Any) -> Block:
    """The block of ``shape`` that ``index`` selects; missing trailing axes are taken whole."""
    parts = index if isinstance(index, tuple) else (index,)
    if len(parts) > len(shape):
        raise ValueError(f"index has {len(parts)} entries but shape {shape} has {len(shape)} axes")
    pieces = []
    for axis, dim in enumerate(shape):
        part = parts[axis] if axis < len(parts) else slice(None)
        if isinstance(part, list):
            pieces.append(tuple(_piece(p, dim, axis) for p in part))
        else:
            pieces.append((_piece(part, dim, axis),))
    return Block(shape, tuple(pieces))


def _piece(part: Any, dim: int, axis: int) -> Piece:
    if not isinstance(part, slice):
        raise TypeError(
            "index must hold slices or lists of slices (as np.s_[a:b, c:d]), "
            f"got {part!r} at index[{axis}]"
        )
    step = 1 if part.step is None else part.step
    if not isinstance(step, (int, np.integer)) or isinstance(step, bool) or step < 1:
        raise ValueError(f"index[{axis}] has step {part.step!r}; steps must be positive ints")
    start = _bound(part.start, 0, dim, axis)
    stop = _bound(part.stop, dim, dim, axis)
    if start > stop:
        raise ValueError(f"index[{axis}] starts at {start} after its stop {stop}")
    step = int(step)
    return Piece(start, (stop - start + step - 1) // step, step)


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


def runs(block: Block, per: int, offset: Any) -> list[Runs]:
    """The runs of each rectangle of ``block`` of a tensor whose element 0 is stream element
    ``offset`` (``per`` elements per Philox block), once every position is checked."""
    base = v.as_count("offset", offset)
    rects = block.rectangles()
    for rect in rects:  # every check before the first record
        position(base + rect.start, rect.runs.stream_extent, per)
    return [rect.runs.at(*position(base + rect.start, 0, per)) for rect in rects]
