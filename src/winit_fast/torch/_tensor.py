"""A torch tensor as the target of a fill, after the checks; the stream source.

Where a fill writes (:func:`out_for`, the ``out=`` handed to winit_fast's functions) is decided
by the device of the memory itself (for a DTensor, its local shard's, whatever the mesh says):

- a CPU tensor: its own memory as a NumPy array (no copy), filled by the backend in use;
- a CUDA tensor: a ``DeviceOut`` whose writer (:class:`TensorWriter`) hands the fill that
  winit_fast computed (the family's code and parameters for the dtype, the stream position or
  runs) to the GPU kernels (the Triton backend), which write the tensor in place on torch's
  current stream: no host copy. A strided tensor is written through the runs of its storage.

Under ``use_backend("triton")`` a CPU tensor takes the CUDA path too (the kernels then run
under Triton's interpreter): how the tests prove that path's bytes without a GPU. The fills
computed on the host (``orthogonal_``, ``sparse_``, ``eye_``, ``dirac_``; in ``fast_init``,
torch's 16-bit ``uniform_`` recipe) use :func:`host_filling` or ``TensorWriter.on_host``: a
host array, copied into a CUDA tensor afterwards. ``fast_init`` writes through
:func:`write_fill`, the same rule.

Host arrays are allocated with ``device="cpu"`` spelled out: inside ``with
torch.device("cuda")`` a bare ``torch.empty`` would land on the GPU.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import torch

from winit_fast import Generator
from winit_fast import _interface as wfi
from winit_fast.torch import _dtensor

FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16}


def numpy_dtype(dtype: torch.dtype) -> np.dtype:
    """The NumPy twin of a float dtype (bfloat16: ml_dtypes'; an ``ImportError`` naming the
    package where it is not installed)."""
    if dtype == torch.bfloat16:
        try:
            return np.dtype(wfi.bfloat16())
        except ImportError:
            raise ImportError(
                "a bfloat16 tensor needs the package ml_dtypes (pip install ml_dtypes, or "
                "the winit-fast[torch] extra)"
            ) from None
    return np.dtype(_NUMPY_DTYPES[dtype])


@functools.cache
def has_numpy_twin(dtype: torch.dtype) -> bool:
    """Whether winit_fast can fill ``dtype`` here: the float dtypes, bfloat16 only where
    ml_dtypes is installed (``fast_init`` leaves the others to torch rather than fail)."""
    try:
        numpy_dtype(dtype)
    except (ImportError, KeyError):
        return False
    return True


def checked(tensor: Any) -> torch.Tensor:
    """The plain tensor a fill writes (a DTensor's local shard), after the checks of type,
    device, layout and dtype, in that order."""
    if _dtensor.is_dtensor(tensor):
        tensor = _dtensor.local_shard(tensor)
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    kernels_for(tensor)
    if tensor.layout != torch.strided:
        raise ValueError(f"tensor must be a strided (dense) tensor, got layout {tensor.layout}")
    if tensor.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"tensor has dtype {tensor.dtype}; it must be float32, float64, float16 or bfloat16"
        )
    return tensor


def kernels_for(tensor: torch.Tensor) -> ModuleType | None:
    """The backend that writes ``tensor`` itself: the Triton backend for a CUDA tensor (and
    for a CPU tensor under ``use_backend("triton")``); None for a CPU tensor filled through
    its NumPy view. A device winit_fast cannot write is refused here, naming the argument,
    and so is a CUDA tensor without triton (naming the package to install)."""
    return _kernels_on(tensor.device)


def _kernels_on(device: torch.device) -> ModuleType | None:
    _check(device)
    if device.type == "cpu":
        current = wfi.current()
        return current if current.name == "triton" else None
    try:
        return wfi.module_for("triton")
    except RuntimeError as exc:
        raise RuntimeError(f"tensor is on device {device}: {exc}") from exc


def served_device(tensor: torch.Tensor) -> bool:
    """Whether winit_fast writes ``tensor``'s memory here: a CPU tensor, or a CUDA tensor
    with the Triton backend available (``fast_init`` leaves the others to torch)."""
    return tensor.device.type == "cpu" or device_refusal(tensor.device) is None


def device_refusal(device: torch.device) -> str | None:
    """Why winit_fast cannot write a tensor on ``device`` here (:func:`kernels_for`'s error:
    a device it never writes, a CUDA GPU without triton), or None when it can."""
    try:
        _kernels_on(device)
    except (ValueError, RuntimeError) as exc:
        return str(exc)
    return None


def check_device(tensor: torch.Tensor) -> None:
    """``ValueError`` naming the argument unless ``tensor`` is on the CPU or a CUDA GPU."""
    _check(tensor.device)


def _check(where: torch.device) -> None:
    device = where.type
    if device == "cpu":
        return
    if device == "cuda":
        if torch.version.hip:
            raise ValueError(
                f"tensor is on device {where} (ROCm); winit_fast's GPU kernels are "
                "checked for NVIDIA GPUs only: initialize on the CPU, then move the module"
            )
        return
    if device == "meta":
        raise ValueError(
            "tensor is on device meta, which holds no values (after building on meta, call "
            "module.to_empty(device=...) before initializing)"
        )
    raise ValueError(
        f"tensor is on device {where}; winit_fast.torch fills CPU and CUDA tensors "
        "(initialize on the CPU, then move the module with module.to(device))"
    )


def _numpy_view(tensor: torch.Tensor) -> np.ndarray:
    """A contiguous CPU tensor's own memory as a writeable NumPy array (no copy)."""
    if not tensor.is_contiguous():
        raise ValueError(
            f"tensor must be contiguous (shape {tuple(tensor.shape)}, strides "
            f"{tensor.stride()}); fill a contiguous tensor and copy_ it into this one"
        )
    data = tensor.detach()
    if data.dtype == torch.bfloat16:
        # NumPy has no bfloat16: reinterpret the 16-bit words as ml_dtypes' bfloat16.
        return data.view(torch.int16).numpy().view(numpy_dtype(data.dtype))
    return data.numpy()


def as_array(tensor: Any) -> np.ndarray:
    """A CPU tensor's own memory as a writeable NumPy array (no copy), after the checks.

    For a DTensor: its local shard's memory. For fills of CPU memory only (``fast_init``'s);
    :func:`out_for` is the device-generic twin.
    """
    local = checked(tensor)
    if local.device.type != "cpu":
        raise ValueError(f"tensor is on device {local.device}; this fill needs a CPU tensor")
    return _numpy_view(local)


class TensorWriter:
    """Writes a fill that winit_fast computed into a torch tensor, with a backend that takes
    tensors (the Triton backend): the writer of the tensor's ``DeviceOut``.

    A contiguous tensor is written as one flat buffer. Any other layout is written through
    its storage: the runs (``_stream.Runs``) that put each element of the fill, in C order
    of the shape, where the strides say (``w.T``, ``w[:, ::2]``), so it gets the values a
    contiguous tensor of its shape gets. Elements that overlap in memory (``expand``) are
    refused when the writer is made, before anything is written.
    """

    def __init__(self, tensor: torch.Tensor, backend: ModuleType) -> None:
        data = tensor.detach()
        self.tensor, self.backend = data, backend
        self.layout: tuple[tuple[int, ...], tuple[int, ...], int] | None = None
        if data.is_contiguous():
            self.memory = data.reshape(-1)  # a view: contiguous
            return
        layout = (tuple(data.shape), tuple(data.stride()), int(data.storage_offset()))
        self.layout = layout
        try:
            wfi.strided_runs(*layout, 0, 0)
        except ValueError:
            raise ValueError(
                f"tensor's elements overlap in memory (shape {tuple(data.shape)}, strides "
                f"{data.stride()}): no fill can write them exactly; fill a contiguous tensor"
            ) from None
        size = data.untyped_storage().nbytes() // data.element_size()
        self.memory = data.as_strided((size,), (1,), 0)  # the whole storage, flat

    def fill(self, code: int, seed: int, stream: int, block: int, phase: int, params) -> None:
        if self.layout is None:
            self.backend.fill(self.memory, code, seed, stream, block, phase, params, 1)
            return
        runs = wfi.strided_runs(*self.layout, block, phase)
        self.backend.fill_runs(self.memory, code, seed, stream, runs, params, 1)

    def fill_runs(self, code: int, seed: int, stream: int, rectangles: list, params) -> None:
        if self.layout is not None:  # not reached: out_for() refuses such a shard first
            raise ValueError("an index= block of a non-contiguous tensor cannot be written")
        for runs in rectangles:
            self.backend.fill_runs(self.memory, code, seed, stream, runs, params, 1)

    def fill_constant(self, value: Any) -> None:
        self.backend.fill_constant(self.tensor, value, 1)

    def on_host(self) -> contextlib.AbstractContextManager[np.ndarray]:
        """For a fill computed on the host: a host array of the tensor's shape, copied into
        it (one ``copy_``) when the ``with`` block ends."""
        return _staged(self.tensor)


def out_for(tensor: Any) -> np.ndarray:
    """Where a fill of ``tensor`` writes, after the checks: the ``out=`` of winit_fast's
    functions (a NumPy view of a CPU tensor, or a ``DeviceOut`` written by the GPU kernels).
    For a DTensor: its local shard (random fills go through :func:`draw`)."""
    local = checked(tensor)
    kernels = kernels_for(local)
    if kernels is None:
        return _numpy_view(local)
    if _dtensor.is_dtensor(tensor) and not local.is_contiguous():
        raise ValueError(
            f"tensor is a DTensor whose local shard is not contiguous (strides "
            f"{local.stride()}); winit_fast fills contiguous shards"
        )
    writer = TensorWriter(local, kernels)
    return wfi.DeviceOut(tuple(local.shape), numpy_dtype(local.dtype), writer)


@contextlib.contextmanager
def filling(tensor: Any) -> Iterator[np.ndarray]:
    """Yields the tensor's :func:`out_for`; afterwards marks the tensor as modified in place."""
    out = out_for(tensor)
    with torch.no_grad():
        yield out
    # Writes through NumPy or a kernel are invisible to autograd: bump the version counter as
    # an in-place op would, so a tensor saved for backward is reported as modified.
    torch.autograd.graph.increment_version(tensor)


@contextlib.contextmanager
def host_filling(tensor: Any) -> Iterator[np.ndarray]:
    """Yields a NumPy array of the tensor's shape to fill on the host: a CPU tensor's own
    memory, or for a tensor the kernels write (CUDA) a host array copied into it afterwards.
    For the fills computed on the host (``orthogonal_``, ``sparse_``, ``eye_``, ``dirac_``)."""
    local = checked(tensor)
    if kernels_for(local) is None:
        with filling(tensor) as array:
            yield array
        return
    with _staged(local) as array:
        yield array


@contextlib.contextmanager
def _staged(tensor: torch.Tensor) -> Iterator[np.ndarray]:
    """A contiguous host array of ``tensor``'s shape and dtype, copied into ``tensor`` (any
    device, any layout: in C order of its shape) when the block ends."""
    staging = torch.empty(tuple(tensor.shape), dtype=tensor.dtype, device="cpu")
    yield _numpy_view(staging)
    with torch.no_grad():
        tensor.copy_(staging)


def write_fill(tensor: torch.Tensor, fill: Callable[[np.ndarray], Any]) -> None:
    """``fill(out)`` into ``tensor``'s memory wherever it lives, in C order of its shape
    (``fast_init``'s writes). A tensor the kernels write (CUDA; CPU under
    ``use_backend("triton")``): through its :func:`out_for`, a ``DeviceOut`` (any layout
    through the runs of its storage; a fill computed on the host takes ``out.writer.on_host()``).
    A CPU tensor otherwise: its NumPy view (:func:`as_array`), or for a layout with gaps
    (``w.T``, ``w[:, ::2]``) a contiguous host copy, copied in."""
    if kernels_for(tensor) is not None:
        fill(out_for(tensor))
    elif tensor.is_contiguous():
        fill(as_array(tensor))
    else:
        with _staged(tensor) as array:
            fill(array)


def draw(tensor: Any, source: Generator, method: str, *args: Any, **kwargs: Any) -> None:
    """``source.<method>(None, *args, out=..., **kwargs)`` into ``tensor``; a DTensor gets
    its shard of that call on the global shape (:func:`_dtensor.draw_shard`)."""
    with filling(tensor) as out:
        if _dtensor.is_dtensor(tensor):
            _dtensor.draw_shard(tensor, out, source, method, *args, **kwargs)
        else:
            getattr(source, method)(None, *args, out=out, **kwargs)


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
    checked(tensor)  # the type, device and dtype errors first
    need_dims(tensor, lambda n: n >= 2, "at least 2 dimensions to compute fans")
