"""What the benchmark times: winit_fast's fills and the anchors people compare them with.

A case is ``make(out, threads) -> fill``: it returns a zero-argument callable that writes the
preallocated ``out`` in place (except libraries that cannot write into a given array, which
then allocate, as their users would), so all cases time the same buffer size.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import winit_fast as wf

Fill = Callable[[], object]
Maker = Callable[[np.ndarray, int], Fill]

METHODS = ("uniform", "normal", "truncated_normal", "he_normal", "glorot_uniform", "zeros")
WIDTH = 1024  # he/glorot see the buffer as (size // 1024, 1024): fans from a 2-D weight


@dataclass(frozen=True)
class Library:
    name: str
    threaded: bool  # whether its speed depends on a thread count we set
    makers: dict[str, Maker]  # method -> case; a method it lacks is simply absent
    dtypes: tuple[str, ...] = ("float32", "float64", "float16", "bfloat16")
    full_only: bool = False  # timed by `--full` only (keeps the default run short)


def as_matrix(out: np.ndarray) -> np.ndarray:
    return out.reshape(-1, WIDTH) if out.size % WIDTH == 0 and out.size else out.reshape(1, -1)


# ---- winit_fast -----------------------------------------------------------------------------


def block_shape(size: int) -> tuple[int, int]:
    """The tensor whose blocks the block cases cut: ``size // 64`` rows of WIDTH columns."""
    return (max(1, size // 64), WIDTH)


def _block(columns: bool) -> Maker:
    """``normal`` of one block of ``block_shape(out.size)`` holding ``out.size`` elements:
    its first 64 columns (strided in the stream), or as many whole first rows (contiguous)."""

    def maker(out: np.ndarray, threads: int) -> Fill:
        shape = block_shape(out.size)
        index: Any
        if columns:
            index, block = np.s_[:, :64], out.reshape(shape[0], 64)
        else:
            index, block = np.s_[: out.size // WIDTH], out.reshape(-1, WIDTH)
        return lambda: wf.normal(shape, seed=0, index=index, out=block, n_threads=threads)

    return maker


BLOCK_METHODS = ("normal, column block", "normal, row block")


def _ours() -> Library:
    def make(call: Callable[[np.ndarray, int], Fill]) -> Maker:
        # The timed fill is `call`'s lambda, with its keywords written out: a `**kwargs`
        # splat would cost about 0.2 us per call, a third of a 16-element fill.
        return lambda out, threads: call(as_matrix(out), threads)

    return Library(
        "winit_fast",
        True,
        {
            "uniform": make(lambda m, t: lambda: wf.uniform(out=m, n_threads=t, seed=0)),
            "normal": make(lambda m, t: lambda: wf.normal(out=m, n_threads=t, seed=0)),
            "truncated_normal": make(
                lambda m, t: lambda: wf.truncated_normal(out=m, n_threads=t, std=0.02, seed=0)
            ),
            "he_normal": make(lambda m, t: lambda: wf.he_normal(out=m, n_threads=t, seed=0)),
            "glorot_uniform": make(
                lambda m, t: lambda: wf.glorot_uniform(out=m, n_threads=t, seed=0)
            ),
            "zeros": make(lambda m, t: lambda: wf.zeros(out=m, n_threads=t)),
            BLOCK_METHODS[0]: _block(columns=True),
            BLOCK_METHODS[1]: _block(columns=False),
        },
    )


# ---- numpy.random ---------------------------------------------------------------------------


def _numpy(bit_generator: type, name: str, full_only: bool = False) -> Library:
    def generator() -> np.random.Generator:
        return np.random.Generator(bit_generator(0))

    def uniform(out, threads):
        rng = generator()
        return lambda: rng.random(dtype=out.dtype, out=out)

    def normal(out, threads):
        rng = generator()
        return lambda: rng.standard_normal(dtype=out.dtype, out=out)

    def he_normal(out, threads):  # the NumPy way: draw, then scale in place
        rng, std = generator(), math.sqrt(2.0 / as_matrix(out).shape[0])

        def fill():
            rng.standard_normal(dtype=out.dtype, out=out)
            np.multiply(out, std, out=out)

        return fill

    def glorot_uniform(out, threads):
        rng, (rows, cols) = generator(), as_matrix(out).shape
        limit = math.sqrt(6.0 / (rows + cols))

        def fill():
            rng.random(dtype=out.dtype, out=out)
            np.multiply(out, 2 * limit, out=out)
            np.subtract(out, limit, out=out)

        return fill

    makers = {"uniform": uniform, "normal": normal, "he_normal": he_normal}
    makers["glorot_uniform"] = glorot_uniform
    return Library(name, False, makers, dtypes=("float32", "float64"), full_only=full_only)


def _fill() -> Library:
    return Library("ndarray.fill", False, {"zeros": lambda out, threads: lambda: out.fill(0)})


def _memset() -> Library:
    """libc memset on one contiguous slice per thread: the memory-speed limit of a fill."""
    import ctypes
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)

    def maker(out, threads):
        address, nbytes = out.ctypes.data, out.nbytes
        cuts = [nbytes * i // threads for i in range(threads + 1)]

        def fill():  # ctypes calls release the GIL, so the slices are written at once
            jobs = [
                pool.submit(ctypes.memset, address + lo, 0, hi - lo)
                for lo, hi in itertools.pairwise(cuts)
            ]
            for job in jobs:
                job.result()

        return fill

    return Library("memset", True, {"zeros": maker})


# ---- torch.nn.init (optional) ---------------------------------------------------------------


def _torch() -> Library | None:
    try:
        import torch
    except ImportError:
        return None

    def tensor_of(out: np.ndarray):
        if out.dtype.name == "bfloat16":  # torch cannot wrap ml_dtypes arrays
            return torch.empty(as_matrix(out).shape, dtype=torch.bfloat16)
        return torch.from_numpy(as_matrix(out))

    def make(init: Callable, **kwargs) -> Maker:
        def maker(out, threads):
            tensor = tensor_of(out)

            def fill():
                torch.set_num_threads(threads)
                with torch.no_grad():
                    init(tensor, **kwargs)

            return fill

        return maker

    nn_init = torch.nn.init
    return Library(
        f"torch {torch.__version__.split('+')[0]}",
        True,
        {
            "uniform": make(nn_init.uniform_),
            "normal": make(nn_init.normal_),
            "truncated_normal": make(nn_init.trunc_normal_, std=0.02, a=-0.04, b=0.04),
            "he_normal": make(nn_init.kaiming_normal_),
            "glorot_uniform": make(nn_init.xavier_uniform_),
            "zeros": make(nn_init.zeros_),
        },
    )


# ---- mkl_random (optional) ------------------------------------------------------------------


def _mkl() -> Library | None:
    try:
        import mkl_random
    except ImportError:
        return None
    state = mkl_random.RandomState(0)
    return Library(
        "mkl_random",
        False,
        {
            "uniform": lambda out, threads: lambda: state.uniform(size=out.size),
            "normal": lambda out, threads: lambda: state.standard_normal(size=out.size),
        },
        dtypes=("float64",),
        full_only=True,
    )


def libraries(full: bool = True) -> list[Library]:
    """winit_fast first, then the anchors installed here (``full=False``: the default run's)."""
    found = [
        _ours(),
        _numpy(np.random.PCG64, "numpy-pcg64"),
        _numpy(np.random.Philox, "numpy-philox", full_only=True),
    ]
    found += [lib for lib in (_torch(), _mkl()) if lib is not None]
    found += [_fill(), _memset()]
    return [lib for lib in found if full or not lib.full_only]
