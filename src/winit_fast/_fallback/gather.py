"""Many short runs of stream positions at once: the NumPy side of ``csrc/wf_runs.c``'s loop.

A column block is thousands of short runs (rows of 64 elements, say); one NumPy call per run
would cost more than the values. ``fill_short_runs`` evaluates, for all runs together, just the
Philox blocks each run touches (the partial blocks at its edges included), turns them into
values with the fill's own per-block function, and keeps each run's elements.
"""

from __future__ import annotations

import numpy as np

from winit_fast._fallback.philox import MASK32, STEP_BLOCKS, philox4x32_10
from winit_fast._stream import Runs, blocks_used
from winit_fast._stream import per_block as per


def run_starts(phase: int, counts: tuple[int, ...], steps: tuple[int, ...]) -> np.ndarray:
    """Where each run starts, counted from element 0 of the first block, runs in C order."""
    starts = np.array([phase], dtype=np.int64)
    for count, step in zip(counts, steps, strict=True):
        starts = (starts[:, None] + np.arange(count, dtype=np.int64) * step).reshape(-1)
    return starts


def fill_short_runs(flat: np.ndarray, seed: int, stream: int, runs: Runs, values) -> None:
    """``flat`` (the runs one after the other) from ``values`` of the blocks they touch."""
    per_block = per(flat.dtype)
    starts = run_starts(runs.phase, runs.counts, runs.stream_steps)
    rows = flat.reshape(len(starts), runs.length)
    # the most blocks a run of this length can touch, whatever its first element
    span = blocks_used(per_block - 1 + runs.length, per_block)
    columns = np.arange(span, dtype=np.uint64)
    within = np.arange(runs.length)
    group = max(1, STEP_BLOCKS // span)
    for g in range(0, len(starts), group):
        first = starts[g : g + group]
        # uint64 arithmetic wraps like the C counter; blocks past the stream's end are
        # evaluated (the last run may reach into them) but never kept
        blocks = ((first // per_block).astype(np.uint64) + np.uint64(runs.block))[:, None]
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
