"""The fills over strided runs in NumPy: the mirror of ``csrc/wf_runs.c`` and of the
``fill_*_runs`` functions of ``_core.pyx``.

``runs`` is ``(block, phase, length, counts, stream_steps, out_start, out_steps)`` as there.
Short runs go all at once through ``gather.ShortRuns``; long ones (where a Python call is
cheap next to the values) one by one through the single-range fill, as in C.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from winit_fast._fallback import fills
from winit_fast._fallback.gather import ShortRuns, run_starts
from winit_fast._validation import per_block

# Runs at least this long are filled one call each.
LONG_RUN = 4096


def _destination(out: np.ndarray, runs: tuple) -> np.ndarray | None:
    """The runs' elements of out as a writeable view of shape ``counts + (length,)``, after
    the checks of ``_core._fill_runs`` (inside out, no overlap); None when there are none."""
    _, _, length, counts, stream_steps, out_start, out_steps = runs
    if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
        raise ValueError("out must be C-contiguous, aligned and writeable")
    if not len(counts) == len(stream_steps) == len(out_steps):
        raise ValueError("runs: counts, stream_steps and out_steps must be equally long")
    extent = length
    for k in reversed(range(len(counts))):
        if counts[k] > 1:
            if out_steps[k] < extent:
                raise ValueError(f"runs overlap in out (axis {k}: step {out_steps[k]} < {extent})")
            extent += (counts[k] - 1) * out_steps[k]
    if length * math.prod(counts) == 0:
        return None
    if out_start < 0 or out_start + extent > out.size:
        raise ValueError(f"runs reach element {out_start + extent} of out, which holds {out.size}")
    item = out.itemsize
    return np.lib.stride_tricks.as_strided(
        out.reshape(-1)[out_start:],
        shape=(*counts, length),
        strides=(*(s * item for s in out_steps), item),
        writeable=True,
    )


def _over_runs(fill: Callable[..., None]) -> Callable[..., None]:
    """``fill(out, seed, stream, block, phase, *params)`` turned into the same fill over
    ``runs`` (signature ``(out, seed, stream, runs, *params)``)."""

    def fill_runs(out: np.ndarray, seed: int, stream: int, runs: tuple, *params) -> None:
        view = _destination(out, runs)
        if view is None:
            return
        block, phase, length, counts, stream_steps, _, _ = runs
        dense = view.flags.c_contiguous  # the block's runs are contiguous in out: fill in place
        flat = view.reshape(-1) if dense else np.empty(view.size, out.dtype)
        if length >= LONG_RUN:
            per = per_block(out.dtype)
            for r, start in enumerate(run_starts(phase, counts, stream_steps).tolist()):
                first, within = divmod(start, per)
                part = flat[r * length : (r + 1) * length]
                fill(part, seed, stream, block + first, within, *params)
        else:
            fill(
                flat,
                seed,
                stream,
                ShortRuns(block, phase, length, counts, stream_steps),
                0,
                *params,
            )
        if not dense:
            view[...] = flat.reshape(view.shape)

    fill_runs.__name__ = f"{fill.__name__}_runs"
    fill_runs.__doc__ = f"{fill.__name__} over the runs of a strided block."
    return fill_runs


fill_raw_u32_runs = _over_runs(fills.fill_raw_u32)
fill_uniform_runs = _over_runs(fills.fill_uniform)
fill_normal_runs = _over_runs(fills.fill_normal)
fill_truncated_normal_runs = _over_runs(fills.fill_truncated_normal)
