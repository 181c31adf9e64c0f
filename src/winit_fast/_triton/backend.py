"""The Triton backend: the backend interface on torch tensors (CUDA; CPU under the interpreter).

A fill launches one kernel of ``kernels.py`` over the runs of the target (a contiguous fill is
one run). Like the other backends it checks only what protects memory (the target's type and
that every run lies inside it): the Python layer has checked and rounded everything else.

``out`` is a torch tensor, or a NumPy array (taken zero-copy with ``torch.from_numpy``). On a
GPU it must be a CUDA tensor; CPU tensors are filled only when Triton's interpreter runs the
kernels (``TRITON_INTERPRET=1`` set before this module is imported), which is how the tests
prove the kernels' bytes without a GPU.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import platform
from typing import Any, NamedTuple

import numpy as np
import torch
import triton

from winit_fast._fallback.transforms import truncnorm_params_f32
from winit_fast._triton import kernels as k

name = "triton"
families = tuple(k.FAMILY_CODES)

_FLOATS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
# A launch has at most this many programs (CUDA's limit on the grid's x dimension).
MAX_GRID = 2**31 - 1


class Runs(NamedTuple):
    """Runs of ``length`` stream positions (csrc/wf_runs.h): run ``(i_0, ..., i_k)`` covers
    positions ``phase + sum(i * stream_steps) + [0, length)`` counted from element 0 of block
    ``block``, written to ``out_start + sum(i * out_steps) + [0, length)``."""

    block: int
    phase: int
    length: int
    counts: tuple[int, ...]
    stream_steps: tuple[int, ...]
    out_start: int
    out_steps: tuple[int, ...]


def interpreted() -> bool:
    """Whether Triton's interpreter runs the kernels (CPU tensors) instead of a GPU."""
    from triton.runtime.interpreter import InterpretedFunction

    return isinstance(k.fill_kernel, InterpretedFunction)


# ---- the interface -------------------------------------------------------------------------


def fill(out, family, seed, stream, block, phase, params, n_threads) -> None:
    """Elements ``phase, phase + 1, ...`` from block ``block`` of the stream into all of out."""
    target = _as_tensor(out)
    fill_runs(
        target,
        family,
        seed,
        stream,
        Runs(block, phase, target.numel(), (), (), 0, ()),
        params,
        n_threads,
    )


def fill_runs(out, family, seed, stream, runs, params, n_threads) -> None:
    """The runs of an ``index=`` block (``runs``: any object with the fields of ``Runs``, or
    the tuple ``(block, phase, length, counts, stream_steps, out_start, out_steps)``)."""
    family = _family_name(family)
    target = _as_tensor(out)
    runs = Runs(*(getattr(runs, f) for f in Runs._fields) if hasattr(runs, "block") else runs)
    pointer = _pointer(target, family)
    _check_inside(runs, target.numel())
    if runs.length == 0 or 0 in runs.counts:
        return
    per = 2 if target.dtype == torch.float64 else 4
    arguments = (*_words(seed), *_words(stream))
    values = _parameters(family, target.dtype, params)
    with _on_device(target):
        for launch in _launches(runs, per):
            _launch(pointer, family, runs.block, arguments, launch, values, per)


def fill_constant(out, value, n_threads) -> None:
    """Every element equal to ``value`` (already rounded to the dtype by the caller)."""
    _as_tensor(out).fill_(value)


def philox4x32(counters, k0: int, k1: int):
    """The block function over ``counters`` (shape ``(n, 4)``, uint32) with key ``(k0, k1)``;
    the words in the same shape and kind (a NumPy array in, a NumPy array out)."""
    given = counters
    if isinstance(counters, np.ndarray):  # the host's words, copied to the kernels' device
        words = torch.from_numpy(np.array(counters, np.uint32).view(np.int32))
        words = words.to("cpu" if interpreted() else "cuda")
    else:
        words = counters.view(torch.int32)
    words = words.reshape(-1, 4).contiguous()
    result = torch.empty_like(words)
    n = words.shape[0]
    if n:
        with _on_device(result):
            grid = (triton.cdiv(n, k.BLOCK),)
            k.philox_kernel[grid](
                words, result, n, _i32(k0), _i32(k1), BLOCKS=k.BLOCK, **k.LAUNCH_OPTIONS
            )
    if isinstance(given, np.ndarray):
        return result.cpu().numpy().view(np.uint32).reshape(given.shape)
    return result.view(torch.uint32).reshape(given.shape)


def max_threads() -> int:
    """1: a GPU fill has no host threads to choose (``n_threads`` is accepted and ignored)."""
    return 1


def runtime_info() -> dict:
    cuda = torch.cuda.is_available()
    return {
        "backend": name,
        "triton": triton.__version__,
        "interpreter": interpreted(),
        "device": torch.cuda.get_device_name() if cuda and not interpreted() else "cpu",
        "max_threads": 1,
        "machine": platform.machine(),
    }


# ---- checks that protect memory ----------------------------------------------------------


def _as_tensor(out) -> torch.Tensor:
    """A torch tensor sharing out's memory (NumPy: zero-copy; bfloat16 as its int16 bits)."""
    if isinstance(out, np.ndarray):
        if not (out.flags.c_contiguous and out.flags.writeable):
            raise ValueError("out must be a C-contiguous, writeable array")
        if out.dtype.name == "bfloat16":
            return torch.from_numpy(out.view(np.int16)).view(torch.bfloat16)
        return torch.from_numpy(out)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"out must be a torch tensor or a NumPy array, got {type(out).__name__}")
    return out


def _pointer(target: torch.Tensor, family: str) -> torch.Tensor:
    """target as the kernels write it: int32 for words, int16 for bfloat16 (its bits)."""
    if not target.is_contiguous():
        raise ValueError("out must be contiguous")
    if not (target.is_cuda or interpreted()):
        raise ValueError(
            f"out must be a CUDA tensor for the Triton backend, got one on {target.device} "
            "(CPU tensors are filled only under TRITON_INTERPRET=1, for testing)"
        )
    if family == "raw_u32":
        if target.dtype not in (torch.uint32, torch.int32):
            raise TypeError(f"out must hold uint32 words for raw_u32, got {target.dtype}")
        return target.view(torch.int32)
    if target.dtype not in _FLOATS:
        raise TypeError(f"out must be float32, float64, float16 or bfloat16, got {target.dtype}")
    return target.view(torch.int16) if target.dtype == torch.bfloat16 else target


def _check_inside(runs: Runs, size: int) -> None:
    """ValueError unless every run lies inside out's ``size`` elements."""
    if not len(runs.counts) == len(runs.stream_steps) == len(runs.out_steps):
        raise ValueError("runs: counts, stream_steps and out_steps must be equally long")
    values = (runs.phase, runs.length, runs.out_start, *runs.counts, *runs.stream_steps)
    if min((*values, *runs.out_steps)) < 0:
        raise ValueError("runs: phase, length, out_start, counts and steps must be >= 0")
    if runs.length == 0 or 0 in runs.counts:
        return
    last = sum((c - 1) * s for c, s in zip(runs.counts, runs.out_steps, strict=True))
    end = runs.out_start + last + runs.length
    if end > size:
        raise ValueError(f"runs reach element {end} of out, which holds {size}")


# ---- launches ----------------------------------------------------------------------------


def _family_name(family) -> str:
    """A family's name from its name or its code (the C enum: 0 raw_u32 ... 3 truncated_normal)."""
    if isinstance(family, str) and family in families:
        return family
    if isinstance(family, int) and not isinstance(family, bool) and 0 <= family < len(families):
        return families[family]
    raise ValueError(f"family must be one of {families} or its code 0..3, got {family!r}")


def _i32(word: int) -> int:
    """A 32-bit word as the int32 with its bit pattern (the kernels' argument type)."""
    return word - (1 << 32) if word >= 1 << 31 else word


def _words(value: int) -> tuple[int, int]:
    """A 64-bit value as its low and high 32-bit words (int32 bit patterns)."""
    return _i32(value & 0xFFFFFFFF), _i32(value >> 32)


def _parameters(family: str, dtype: torch.dtype, params: tuple) -> tuple[int, ...]:
    """The family's parameters as the kernel takes them: bit patterns in the working precision
    (float64 for float64 outputs, float32 otherwise)."""
    if family == "truncated_normal":
        params = params if dtype == torch.float64 else truncnorm_params_f32(params)
    if dtype == torch.float64:
        return tuple(int(np.float64(p).view(np.int64)) for p in params)
    return tuple(int(np.float32(p).view(np.int32)) for p in params)


class _Launch(NamedTuple):
    """One kernel launch: runs on at most kernels.MAX_AXES axes (the outermost one's count
    implied by the number of runs), the first from ``start`` (from element 0 of the origin
    block)."""

    start: int
    length: int
    counts: tuple[int, ...]
    steps: tuple[int, ...]
    out_start: int
    out_steps: tuple[int, ...]


def _launches(runs: Runs, per: int) -> list[_Launch]:
    """The runs as launches: axes beyond kernels.MAX_AXES, and groups of the outermost axis
    that would exceed the grid limit, are looped over here."""
    keep = len(runs.counts) - min(len(runs.counts), k.MAX_AXES)
    outer = list(
        zip(runs.counts[:keep], runs.stream_steps[:keep], runs.out_steps[:keep], strict=True)
    )
    inner = _Launch(
        0, runs.length, runs.counts[keep:], runs.stream_steps[keep:], 0, runs.out_steps[keep:]
    )
    launches = []
    for index in itertools.product(*(range(c) for c, _, _ in outer)):
        start = runs.phase + sum(i * s for i, (_, s, _) in zip(index, outer, strict=True))
        out = runs.out_start + sum(i * o for i, (_, _, o) in zip(index, outer, strict=True))
        launches.extend(_grid_sized(inner._replace(start=start, out_start=out), per))
    return launches


def _grid_sized(launch: _Launch, per: int) -> list[_Launch]:
    """launch split along its outermost axis so that no launch has more than MAX_GRID programs."""
    tiling = _Tiling.of(launch, per)
    if tiling.programs <= MAX_GRID:
        return [launch]
    inside = math.prod(launch.counts[1:])
    group = MAX_GRID // tiling.chunks * tiling.runs // inside  # counts[0] per launch
    if group == 0 or not launch.counts:
        raise ValueError(f"runs of {launch.length} elements are too long for one launch")
    return [
        launch._replace(
            start=launch.start + i * launch.steps[0],
            out_start=launch.out_start + i * launch.out_steps[0],
            counts=(min(group, launch.counts[0] - i), *launch.counts[1:]),
        )
        for i in range(0, launch.counts[0], group)
    ]


class _Tiling(NamedTuple):
    """How a launch's runs map to programs: ``runs`` runs per program, ``blocks`` Philox
    blocks of each, ``chunks`` programs per group of runs (kernels.fill_kernel's RUNS,
    BLOCKS, n_chunks)."""

    aligned: bool
    n_runs: int
    runs: int
    blocks: int
    chunks: int

    @property
    def programs(self) -> int:
        return -(-self.n_runs // self.runs) * self.chunks

    @classmethod
    def of(cls, launch: _Launch, per: int) -> _Tiling:
        aligned = not launch.counts and launch.start == 0 and launch.out_start == 0
        # the blocks a run touches (whatever its first element, unless aligned)
        touched = -(-launch.length // per) if aligned else (launch.length + 2 * (per - 1)) // per
        blocks = min(k.BLOCK, 1 << (touched - 1).bit_length())
        runs = 1 if aligned else k.BLOCK // blocks
        return cls(aligned, math.prod(launch.counts), runs, blocks, -(-touched // blocks))


def _launch(
    pointer, family: str, block: int, key_stream: tuple, launch: _Launch, values: tuple, per: int
) -> None:
    tiling = _Tiling.of(launch, per)
    counts = (*launch.counts, 1, 1, 1)[:3]
    steps = (*launch.steps, 0, 0, 0)[:3]
    out_steps = (*launch.out_steps, 0, 0, 0)[:3]
    k.fill_kernel[(tiling.programs,)](
        pointer,
        *key_stream,
        *_words(block),
        launch.length,
        tiling.n_runs,
        tiling.chunks,
        launch.start,
        counts[1],
        counts[2],
        *steps,
        launch.out_start,
        *out_steps,
        *(*values, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)[:10],
        FAMILY=k.FAMILY_CODES[family],
        PER=per,
        N_AXES=len(launch.counts),
        ALIGNED=tiling.aligned,
        RUNS=tiling.runs,
        BLOCKS=tiling.blocks,
        **k.LAUNCH_OPTIONS,
    )


def _on_device(target: torch.Tensor) -> Any:
    """Launches go to target's GPU (and torch's current stream there)."""
    return torch.cuda.device(target.device) if target.is_cuda else contextlib.nullcontext()
