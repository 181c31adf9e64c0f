"""A torch tensor's memory as a NumPy array to fill in place, after the checks; the source."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from winit_fast import Generator
from winit_fast import _interface as wfi
from winit_fast.torch import _dtensor

FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def as_array(tensor: Any) -> np.ndarray:
    """The tensor's own memory as a writeable NumPy array (no copy), after the checks.

    For a DTensor: its local shard's memory (what a constant fill writes; random fills go
    through :func:`draw`).
    """
    if _dtensor.is_dtensor(tensor):
        tensor = _dtensor.local_shard(tensor)
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.device.type != "cpu":
        raise ValueError(
            f"tensor is on device {tensor.device}; winit_fast.torch fills CPU tensors in place "
            "(initialize on the CPU, then move the module with module.to(device))"
        )
    if tensor.layout != torch.strided:
        raise ValueError(f"tensor must be a strided (dense) tensor, got layout {tensor.layout}")
    if tensor.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"tensor has dtype {tensor.dtype}; it must be float32, float64, float16 or bfloat16"
        )
    if not tensor.is_contiguous():
        raise ValueError(
            f"tensor must be contiguous (shape {tuple(tensor.shape)}, strides "
            f"{tensor.stride()}); fill a contiguous tensor and copy_ it into this one"
        )
    data = tensor.detach()
    if data.dtype == torch.bfloat16:
        # NumPy has no bfloat16: reinterpret the 16-bit words as ml_dtypes' bfloat16.
        return data.view(torch.int16).numpy().view(wfi.bfloat16())
    return data.numpy()


@contextlib.contextmanager
def filling(tensor: Any) -> Iterator[np.ndarray]:
    """Yields the tensor's memory as NumPy; afterwards marks the tensor as modified in place."""
    array = as_array(tensor)
    with torch.no_grad():
        yield array
    # Writes through NumPy are invisible to autograd: bump the version counter as an in-place
    # op would, so a tensor saved for backward is reported as modified instead of silently used.
    torch.autograd.graph.increment_version(tensor)


def draw(tensor: Any, source: Generator, method: str, *args: Any, **kwargs: Any) -> None:
    """``source.<method>(None, *args, out=..., **kwargs)`` into ``tensor``'s memory; a DTensor
    gets its shard of that call on the global shape (:func:`_dtensor.draw_shard`)."""
    with filling(tensor) as array:
        if _dtensor.is_dtensor(tensor):
            _dtensor.draw_shard(tensor, array, source, method, *args, **kwargs)
        else:
            getattr(source, method)(None, *args, out=array, **kwargs)


def stream_source(generator: Any, seed: Any, stream: Any) -> Generator:
    """The stream to draw from: ``generator`` itself, or a fresh one at ``(seed, stream)``.

    A fresh ``Generator(seed, stream)`` starts at element 0, so its first draw is exactly
    ``winit_fast.<function>(shape, seed=seed, stream=stream)``.
    """
    if generator is None:
        return Generator(seed, stream)
    if not isinstance(generator, Generator):
        raise TypeError(
            "generator must be a winit_fast.Generator or None (a torch.Generator cannot drive "
            f"winit_fast's streams; pass seed= instead), got {type(generator).__name__}"
        )
    if seed is not None or stream != 0:
        raise ValueError("seed and stream must be left unset when generator is given")
    return generator


def need_dims(tensor: torch.Tensor, allowed: Callable[[int], bool], what: str) -> None:
    if not allowed(tensor.dim()):
        raise ValueError(f"tensor must have {what}, got shape {tuple(tensor.shape)}")


def at_least_2d(tensor: Any) -> None:
    """Fans need ``(out, in, *kernel)``: as torch, refuse fewer than 2 dimensions."""
    as_array(tensor)  # the type, device and dtype errors first
    need_dims(tensor, lambda n: n >= 2, "at least 2 dimensions to compute fans")
