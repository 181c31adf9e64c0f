"""Many short runs of stream positions at once: the NumPy side of ``csrc/wf_runs.c``'s loop.

A column block is thousands of short runs (rows of 64 elements, say); one NumPy call per run
would cost more than the values. ``ShortRuns`` evaluates, for all runs together, just the
Philox blocks each run touches (the partial blocks at its edges included), turns them into
values with the fill's own per-block function, and keeps each run's elements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from winit_fast._fallback.philox import MASK32, philox4x32_10

# Blocks evaluated per step: bounds the temporaries to a few tens of MB (as fills.STEP_BLOCKS).
STEP_BLOCKS = 1 << 18


def run_starts(phase: int, counts: tuple[int, ...], steps: tuple[int, ...]) -> np.ndarray:
    """Where each run starts, counted from element 0 of the first block, runs in C order."""
    starts = np.array([phase], dtype=np.int64)
    for count, step in zip(counts, steps, strict=True):
        starts = (starts[:, None] + np.arange(count, dtype=np.int64) * step).reshape(-1)
    return starts


class ShortRuns(NamedTuple):
    """Runs of ``length`` positions from element ``phase`` of block ``block``
    (``_blocks.Runs`` with its start split into ``(block, phase)`` by ``_blocks.fill``), in
    the place of a ``(block, phase)`` pair in ``fills._fill``."""

    block: int
    phase: int
    length: int
    counts: tuple[int, ...]
    stream_steps: tuple[int, ...]

    def fill(
        self,
        flat: np.ndarray,
        seed: int,
        stream: int,
        per_block: int,
        values: Callable[[tuple[np.ndarray, ...]], np.ndarray],
    ) -> None:
        """``flat`` (the runs one after the other) from ``values`` of the blocks they touch."""
        starts = run_starts(self.phase, self.counts, self.stream_steps)
        rows = flat.reshape(len(starts), self.length)
        # the most blocks a run of this length can touch, whatever its first element
        span = (self.length + 2 * (per_block - 1)) // per_block
        columns = np.arange(span, dtype=np.uint64)
        within = np.arange(self.length)
        group = max(1, STEP_BLOCKS // span)
        for g in range(0, len(starts), group):
            first = starts[g : g + group]
            # uint64 arithmetic wraps like the C counter; blocks past the stream's end are
            # evaluated (the last run may reach into them) but never kept
            blocks = ((first // per_block).astype(np.uint64) + np.uint64(self.block))[:, None]
            blocks = (blocks + columns).reshape(-1)
            words = philox4x32_10(
                (blocks & np.uint64(MASK32)).astype(np.uint32),
                (blocks >> np.uint64(32)).astype(np.uint32),
                np.full(blocks.size, stream & MASK32, dtype=np.uint32),
                np.full(blocks.size, stream >> 32, dtype=np.uint32),
                seed & MASK32,
                seed >> 32,
            )
            elements = values(words).reshape(len(first), span * per_block)
            keep = (first % per_block)[:, None] + within
            rows[g : g + group] = np.take_along_axis(elements, keep, axis=1)
