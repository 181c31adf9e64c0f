"""The Triton backend: the backend interface on torch tensors (CUDA; CPU under the interpreter).

A fill launches one kernel of ``kernels.py`` over the runs of the target (a contiguous fill is
one run; a strided fill is the ``_stream.Runs`` record it is given, as is). Like the other
backends it checks only what protects memory (the target's type, that the family writes its
dtype, that the runs lie inside it): the Python layer has checked and rounded everything else.

``out`` is a torch tensor, or a NumPy array (taken zero-copy with ``torch.from_numpy``). The
kernels write CUDA tensors in place, on torch's current stream of the tensor's GPU. Memory on
the host (a NumPy array, a CPU tensor) is written in place only when Triton's interpreter runs
the kernels (``TRITON_INTERPRET=1`` set before this module is imported: how the tests prove the
kernels' bytes without a GPU); with a GPU it is filled there and copied back (what
``use_backend("triton")`` does for the NumPy API).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import platform
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import torch
import triton

from winit_fast._fallback.transforms import truncnorm_params_f32
from winit_fast._stream import Runs
from winit_fast._triton import kernels as k

name = "triton"
families = tuple(k.FAMILY_CODES)

_FLOATS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
_WORKING = {torch.float64: torch.float64}  # the others compute in float32
# A launch has at most this many programs (CUDA's limit on the grid's x dimension).
MAX_GRID = 2**31 - 1
NEEDS_A_DEVICE = (
    "the Triton backend needs a CUDA GPU (torch.cuda.is_available() is False here), or "
    "TRITON_INTERPRET=1 set before triton is imported (its interpreter, on the CPU)"
)


def interpreted() -> bool:
    """Whether Triton's interpreter runs the kernels (CPU tensors) instead of a GPU."""
    from triton.runtime.interpreter import InterpretedFunction

    return isinstance(k.fill_kernel, InterpretedFunction)


def check_device() -> None:
    """``RuntimeError`` unless the kernels can run here: a CUDA GPU or the interpreter."""
    if not (interpreted() or torch.cuda.is_available()):
        raise RuntimeError(NEEDS_A_DEVICE)


# ---- the interface -------------------------------------------------------------------------


def fill(out, family, seed, stream, block, phase, params, n_threads) -> None:
    """Elements ``phase, phase + 1, ...`` from block ``block`` of the stream into all of out."""
    size = out.numel() if isinstance(out, torch.Tensor) else np.size(out)
    runs = Runs(block, phase, size, (), (), 0, ())
    fill_runs(out, family, seed, stream, runs, params, n_threads)


def fill_runs(out, family, seed, stream, runs: Runs, params, n_threads) -> None:
    """The runs of a strided fill (an ``index=`` block, a DTensor shard, a strided tensor's
    storage): the ``_stream.Runs`` record, as every backend takes it."""
    family = _family_name(family)
    with _kernels_memory(out) as target:
        pointer = _pointer(target, family)
        runs.check_inside(target.numel())
        if runs.size == 0:
            return
        per = 2 if target.dtype == torch.float64 else 4
        arguments = (*_words(seed), *_words(stream))
        values = _parameters(family, target.dtype, params)
        with _on_device(target):
            for launch in _launches(runs, per):
                _launch(pointer, family, arguments, launch, values, per)


def fill_constant(out, value, n_threads) -> None:
    """Every element equal to ``value``, a float in the working precision of out's dtype
    (float64 for float64, float32 otherwise), rounded to the dtype as the C core rounds it."""
    with _kernels_memory(out) as target:
        if target.dtype not in _FLOATS:
            raise TypeError(f"out has dtype {target.dtype}, which a constant fill does not write")
        working = torch.tensor(  # on the host, even inside torch.device("cuda")
            float(value), dtype=_WORKING.get(target.dtype, torch.float32), device="cpu"
        )
        # rounded on the host (to nearest even, the C core's rounding), so the value torch
        # writes is exactly representable and its own conversion changes nothing
        target.fill_(working.to(target.dtype).item())


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


@contextlib.contextmanager
def _kernels_memory(out) -> Iterator[torch.Tensor]:
    """out as a tensor where the kernels run: itself (a CUDA tensor; any tensor under the
    interpreter), or, for host memory with the kernels on a GPU, a CUDA copy of it whose
    values are copied back after the fill."""
    target = _as_tensor(out)
    if target.is_cuda or interpreted():
        yield target
        return
    if target.device.type != "cpu":
        raise ValueError(f"out must be a CUDA tensor for the Triton backend, got {target.device}")
    check_device()
    staged = target.to("cuda")
    yield staged
    target.copy_(staged.cpu())


def _pointer(target: torch.Tensor, family: str) -> torch.Tensor:
    """target as the kernels write it: int32 for words, int16 for bfloat16 (its bits)."""
    if not target.is_contiguous():
        raise ValueError("out must be contiguous")
    words = target.dtype in (torch.uint32, torch.int32)
    if (family == "raw_u32") != words or not (words or target.dtype in _FLOATS):
        raise TypeError(f"out has dtype {target.dtype}, which family {family!r} does not write")
    if words:
        return target.view(torch.int32)
    return target.view(torch.int16) if target.dtype == torch.bfloat16 else target


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


def _launches(runs: Runs, per: int) -> list[Runs]:
    """The runs as launches, each a Runs record of at most kernels.MAX_AXES axes (the
    outermost one's count implied by the number of runs) whose ``phase`` counts from element
    0 of ``runs.block`` (past the first block, for all but the first): axes beyond
    kernels.MAX_AXES, and groups of the outermost axis that would exceed the grid limit, are
    looped over here."""
    keep = len(runs.counts) - min(len(runs.counts), k.MAX_AXES)
    outer = list(
        zip(runs.counts[:keep], runs.stream_steps[:keep], runs.out_steps[:keep], strict=True)
    )
    inner = replace(
        runs,
        counts=runs.counts[keep:],
        stream_steps=runs.stream_steps[keep:],
        out_steps=runs.out_steps[keep:],
    )
    launches = []
    for index in itertools.product(*(range(c) for c, _, _ in outer)):
        start = runs.phase + sum(i * s for i, (_, s, _) in zip(index, outer, strict=True))
        out = runs.out_start + sum(i * o for i, (_, _, o) in zip(index, outer, strict=True))
        launches.extend(_grid_sized(replace(inner, phase=start, out_start=out), per))
    return launches


def _grid_sized(launch: Runs, per: int) -> list[Runs]:
    """launch split along its outermost axis so that no launch has more than MAX_GRID programs."""
    tiling = _Tiling.of(launch, per)
    if tiling.programs <= MAX_GRID:
        return [launch]
    inside = math.prod(launch.counts[1:])
    group = MAX_GRID // tiling.chunks * tiling.runs // inside  # counts[0] per launch
    if group == 0 or not launch.counts:
        raise ValueError(f"runs of {launch.length} elements are too long for one launch")
    return [
        replace(
            launch,
            phase=launch.phase + i * launch.stream_steps[0],
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
    def of(cls, launch: Runs, per: int) -> _Tiling:
        aligned = not launch.counts and launch.phase == 0 and launch.out_start == 0
        # the blocks a run touches (whatever its first element, unless aligned)
        touched = -(-launch.length // per) if aligned else (launch.length + 2 * (per - 1)) // per
        blocks = min(k.BLOCK, 1 << (touched - 1).bit_length())
        runs = 1 if aligned else k.BLOCK // blocks
        return cls(aligned, math.prod(launch.counts), runs, blocks, -(-touched // blocks))


def _launch(pointer, family: str, key_stream: tuple, launch: Runs, values: tuple, per: int) -> None:
    tiling = _Tiling.of(launch, per)
    counts = (*launch.counts, 1, 1, 1)[:3]
    steps = (*launch.stream_steps, 0, 0, 0)[:3]
    out_steps = (*launch.out_steps, 0, 0, 0)[:3]
    k.fill_kernel[(tiling.programs,)](
        pointer,
        *key_stream,
        *_words(launch.block),
        launch.length,
        tiling.n_runs,
        tiling.chunks,
        launch.phase,
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
