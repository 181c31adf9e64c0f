"""DTensor: each rank fills its own shard of the global tensor, with no communication.

Element ``g`` of a winit_fast tensor is a pure function of ``(seed, stream, g)``, and
``index=`` computes any block with fans from the global shape. So a rank that knows which
global elements it holds can write exactly those, and ``full_tensor()`` is the same bytes as
the call on a plain tensor of the global shape, whatever the mesh and the placements.

Which elements a rank holds: every ``Shard(d)`` / ``_StridedShard(d)`` placement cuts one
dimension, so the local shard is the product of one list of global indices per dimension.
Those lists are computed here by splitting a tensor of indices with the placement's own
split (``Placement._split_tensor``, the function ``distribute_tensor`` uses), left to right
as ``compute_local_shape_and_global_offset`` does; this covers uneven ``torch.chunk``
shards, empty ranks and the interleaved ``_StridedShard`` of FSDP2 + TP. Each list is a few
runs of consecutive indices, and the shard is the product of those runs: a list of global
rectangles, filled in one ``index=`` call that takes a list of slices per dimension
(:func:`shard_index`).

``Replicate`` ranks all compute the same values. ``Partial`` is refused: its global value is
a sum over ranks, which no local fill can make exact.

Devices: the local shard's device decides who writes it, not the mesh's device type: a CUDA
shard is written by the GPU kernels on its rank's GPU, a CPU shard (also on a CUDA mesh, as
FSDP2's CPU offload keeps them) through its NumPy view (``_tensor.kernels_for``).
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch

import winit_fast as wf

F = TypeVar("F", bound=Callable[..., Any])
Index = tuple[slice, ...]
# (local index, global index) of one rectangle of the shard
Rectangle = tuple[Index, Index]


def is_dtensor(tensor: Any) -> bool:
    """True for a ``torch.distributed.tensor.DTensor`` (without importing that package:
    if nobody imported it, no DTensor exists)."""
    module = sys.modules.get("torch.distributed.tensor")
    return module is not None and isinstance(tensor, module.DTensor)


def _placement_kinds() -> tuple[tuple[type, ...], tuple[type, ...]]:
    from torch.distributed.tensor import Replicate, Shard

    try:  # private (FSDP+TP layouts); a torch without it has no such shards to fill
        from torch.distributed.tensor.placement_types import _StridedShard
    except ImportError:
        return (Shard,), (Replicate,)
    return (Shard, _StridedShard), (Replicate,)


def local_shard(tensor: Any) -> torch.Tensor:
    """The rank's local tensor (it shares the DTensor's storage), after the DTensor checks:
    placements a local fill can make exact.

    The mesh's device type does not matter: the local shard's own device decides who writes
    it (``_tensor.kernels_for``), so a CPU shard on a CUDA mesh (FSDP2's CPU offload) is
    filled on the CPU, a CUDA shard by the GPU kernels, on its rank's device."""
    sharding, replicate = _placement_kinds()
    for mesh_dim, placement in enumerate(tensor.placements):
        if not isinstance(placement, sharding + replicate):
            raise ValueError(
                f"tensor has placement {placement} on mesh dim {mesh_dim}; only Shard, "
                "_StridedShard and Replicate can be filled exactly (a Partial tensor's value "
                "is a sum over ranks: initialize it Replicate or Shard, then redistribute)"
            )
    with torch.no_grad():
        return tensor.to_local()


def global_indices(tensor: Any) -> list[np.ndarray] | None:
    """Per dimension, the global index of each local position (``None``: not in the mesh)."""
    mesh = tensor.device_mesh
    coordinate = mesh.get_coordinate()
    if coordinate is None:
        return None
    sharding, _ = _placement_kinds()
    ndim = tensor.dim()
    indices = [torch.arange(size) for size in tensor.shape]
    for mesh_dim, placement in enumerate(tensor.placements):
        if not isinstance(placement, sharding):
            continue
        cut: Any = placement  # a Shard or a _StridedShard
        dim = cut.dim % ndim
        along = [1] * ndim
        along[dim] = -1  # the indices lie along the sharded dimension, as the data does
        pieces, _ = cut._split_tensor(
            indices[dim].reshape(along), mesh.size(mesh_dim), with_padding=False, contiguous=False
        )
        indices[dim] = pieces[coordinate[mesh_dim]].reshape(-1)
    return [index.numpy() for index in indices]


def _runs(index: np.ndarray) -> list[tuple[int, int, int]]:
    """``(local start, global start, length)`` of each run of consecutive global indices."""
    if index.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    starts = [0, *breaks.tolist()]
    stops = [*breaks.tolist(), index.size]
    return [(lo, int(index[lo]), hi - lo) for lo, hi in zip(starts, stops, strict=True)]


def _checked_indices(tensor: Any, local_shape: tuple[int, ...]) -> list[np.ndarray] | None:
    indices = global_indices(tensor)
    if indices is None:
        return None
    expected = tuple(index.size for index in indices)
    if expected != tuple(local_shape):
        raise ValueError(
            f"tensor's local shard has shape {tuple(local_shape)} but its placements "
            f"{tuple(tensor.placements)} on mesh {tuple(tensor.device_mesh.shape)} give "
            f"{expected}: cannot tell which global elements it holds"
        )
    return indices


def shard_index(tensor: Any, local_shape: tuple[int, ...]) -> tuple[list[slice], ...]:
    """The shard as an ``index=``: per dimension, the runs of global indices it holds, in
    local order (an axis's slices are concatenated, the shard is their product). A rank
    outside the mesh gets an empty block."""
    indices = _checked_indices(tensor, local_shape)
    if indices is None:
        return tuple([slice(0, 0)] for _ in local_shape)
    return tuple([slice(g, g + n) for _, g, n in _runs(index)] for index in indices)


def rectangles(tensor: Any, local_shape: tuple[int, ...]) -> list[Rectangle]:
    """The shard as global rectangles, each with its place in the local tensor."""
    indices = _checked_indices(tensor, local_shape)
    if indices is None:
        return []
    per_dim = [_runs(index) for index in indices]
    return [
        (
            tuple(slice(lo, lo + n) for lo, _, n in runs),
            tuple(slice(g, g + n) for _, g, n in runs),
        )
        for runs in itertools.product(*per_dim)
    ]


def draw_shard(
    tensor: Any, out: np.ndarray, source: Any, method: str, *args: Any, **kwargs: Any
) -> None:
    """``source.<method>(*args, **kwargs)`` on the global tensor, written to the local shard
    through ``out`` (its NumPy view, or the ``DeviceOut`` of a CUDA shard): the winit_fast
    function of that name (element-wise, so any block of it can be drawn alone) at the span
    of the stream the generator reserves for the whole tensor, as on one process."""
    function = getattr(wf, method)
    shape = tuple(tensor.shape)
    state = source.state
    kwargs.setdefault("n_threads", None)
    # one call for the whole shard, however many rectangles (a rank that holds nothing
    # still checks the arguments, as the others do)
    index = shard_index(tensor, out.shape)
    with source.reserve(math.prod(shape), out.dtype) as offset:
        arguments = {"seed": state["seed"], "stream": state["stream"], "offset": offset}
        function(shape, *args, out=out, index=index, **arguments, **kwargs)


def _needs_seed(signature: inspect.Signature, args: tuple, kwargs: dict) -> None:
    if "seed" not in signature.parameters:
        return
    bound = signature.bind(*args, **kwargs).arguments
    if bound.get("seed") is None and bound.get("generator") is None:
        raise ValueError(
            "seed must be an int for a DTensor: seed=None draws OS entropy on each rank "
            "separately, so the shards would not form one tensor (pass the same seed on "
            "every rank)"
        )


def shardable(function: F) -> F:
    """For a DTensor, the checks that must fail on every rank before anything is written.

    The function's own fill then goes through ``_tensor.draw``, which fills the shard.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args and is_dtensor(args[0]):
            local_shard(args[0])
            _needs_seed(signature, args, kwargs)
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def computed_whole(function: F) -> F:
    """For a DTensor, each rank computes the whole tensor and keeps its shard.

    For fills whose elements are not independent (``orthogonal_``: a QR of the whole matrix;
    ``sparse_``: a ranking per column) or too cheap to be worth more code (``eye_``,
    ``dirac_``): exact, with no communication, at the cost of one global-size temporary.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not (args and is_dtensor(args[0])):
            return function(*args, **kwargs)
        from winit_fast.torch._tensor import checked  # which imports this module

        tensor = args[0]
        local = checked(tensor)  # the shard's device too: the values are copied to it
        _needs_seed(signature, args, kwargs)
        parts = rectangles(tensor, tuple(local.shape))
        whole = torch.empty(tuple(tensor.shape), dtype=tensor.dtype, device="cpu")  # host
        function(whole, *args[1:], **kwargs)  # every argument is checked here, on every rank
        with torch.no_grad():
            for here, where in parts:
                local[here].copy_(whole[where])
        return tensor

    return wrapper  # type: ignore[return-value]
