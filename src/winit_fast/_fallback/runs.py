"""The fills over strided runs in NumPy: the mirror of ``csrc/wf_runs.c``.

``runs`` is a ``winit_fast._stream.Runs`` record, its layout checked when it was made.
Short runs go all at once through ``gather.fill_short_runs``; long ones (where a Python call
is cheap next to the values) one by one through the contiguous fill, as in C.
"""

from __future__ import annotations

import numpy as np

from winit_fast._fallback.fills import block_values, fill_range, write
from winit_fast._fallback.gather import fill_short_runs, run_starts
from winit_fast._stream import Runs, locate, per_block

# Runs at least this long are filled one call each.
LONG_RUN = 4096


def _destination(out: np.ndarray, runs: Runs) -> np.ndarray:
    """The runs' elements of out as a writeable view of shape ``counts + (length,)``."""
    item = out.itemsize
    return np.lib.stride_tricks.as_strided(
        out.reshape(-1)[runs.out_start :],
        shape=(*runs.counts, runs.length),
        strides=(*(s * item for s in runs.out_steps), item),
        writeable=True,
    )


def _fill_each(flat: np.ndarray, seed: int, stream: int, runs: Runs, values) -> None:
    """Long runs, one contiguous fill each."""
    per, length = per_block(flat.dtype), runs.length
    for r, start in enumerate(run_starts(runs.phase, runs.counts, runs.stream_steps).tolist()):
        first, within = locate(start, per)
        part = flat[r * length : (r + 1) * length]
        fill_range(part, seed, stream, runs.block + first, within, values)


def fill_runs(out, family, seed, stream, runs: Runs, params, n_threads) -> None:
    """The runs of a strided block, as ``winit_fast._core.fill_runs``."""
    values = block_values(family, out.dtype, params)
    runs.check_inside(out.size)  # as_strided below would write anywhere
    if runs.size == 0:
        return
    view = _destination(out, runs)
    dense = view.flags.c_contiguous  # the block's runs are contiguous in out: fill in place
    flat = view.reshape(-1) if dense else np.empty(view.size, out.dtype)
    each = _fill_each if runs.length >= LONG_RUN else fill_short_runs
    write(flat, lambda target: each(target, seed, stream, runs, values))
    if not dense:
        view[...] = flat.reshape(view.shape)
