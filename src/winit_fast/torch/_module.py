"""``init_module``: every parameter of a module from a stream named after the parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from winit_fast import _interface as wfi
from winit_fast.torch import _dtensor
from winit_fast.torch._deterministic import constant_
from winit_fast.torch._dtensor import shardable
from winit_fast.torch._random import orthogonal_
from winit_fast.torch._tensor import at_least_2d, draw, kernels_for, stream_source


def _scheme(name: str) -> Callable[..., torch.Tensor]:
    """Weight scheme ``name`` (``wfi.SCHEME_FUNCTIONS``) as an in-place fill of a tensor in
    torch layout: the NumPy function's values, on torch-layout fans."""
    function, fixed = wfi.SCHEME_FUNCTIONS[name]
    if function == "orthogonal":  # torch's: the matrix (out, prod(rest))
        return _orthogonal_scheme

    @shardable
    def fill(tensor: torch.Tensor, *, seed: Any, stream: Any) -> torch.Tensor:
        at_least_2d(tensor)
        draw(tensor, stream_source(None, seed, stream), function, layout="torch", **fixed)
        return tensor

    fill.__name__ = fill.__qualname__ = name
    return fill


def _orthogonal_scheme(tensor: torch.Tensor, *, seed: Any, stream: Any) -> torch.Tensor:
    return orthogonal_(tensor, seed=seed, stream=stream)


# init_module's schemes, the registry's (winit_fast._schemes): winit_fast's presets (Keras
# distributions: "he_normal" is truncated) on torch-layout fans, torch's names with torch's
# defaults (kaiming_normal: he_normal untruncated), and orthogonal (torch's).
SCHEMES: dict[str, Callable[..., torch.Tensor]] = {
    name: _scheme(name) for name in wfi.SCHEME_FUNCTIONS
}


def init_module(
    module: torch.nn.Module,
    scheme: str | Callable[..., Any] = "he_normal",
    seed: int = 0,
    *,
    bias: float = 0.0,
    norm: float | None = 1.0,
    prefix: str = "",
) -> torch.nn.Module:
    """Initialize every weight of ``module`` from a stream named after the parameter.

    Each parameter ``p`` named ``name`` (as in ``module.named_parameters()``, e.g.
    ``"0.weight"``) draws from ``stream=prefix + name`` of ``seed``, so its values depend only
    on ``(seed, name, shape)``: adding, removing or reordering other layers never changes them.

    - Parameters with at least 2 dimensions (weights) get ``scheme`` with torch-layout fans.
    - Parameters with fewer dimensions whose last name component (after the final ``.``) is
      ``"bias"`` are set to ``bias`` (zero by default; torch's own default bias is random,
      ``U(±1/sqrt(fan_in))``).
    - Other parameters with fewer than 2 dimensions (the scales of normalization layers,
      PReLU slopes) have no fans; they are set to ``norm`` (one by default: after
      ``to_empty()`` they hold garbage); ``norm=None`` keeps the values they have.

    The rule is :func:`winit_fast._schemes.role`, shared with the seed checkpoints.

    Buffers (running statistics) are not touched.

    A module on a CUDA GPU is filled there, in place, by the GPU kernels (with the bytes of
    the same call on the CPU; ``orthogonal`` is computed on the host and copied).

    A sharded module (FSDP2 ``fully_shard``, TP ``parallelize_module``, typically built on
    the meta device and then ``to_empty(device=...)``) gets on each rank the shards of the
    values the unsharded module gets, with no communication: every parameter's
    ``full_tensor()`` equals ``init_module`` of the same module on one process. Each shard
    is filled on its own device (a CPU shard of FSDP2's CPU offload on the CPU). Every
    parameter is checked before any is written (a ``Partial`` one, or one on a device other
    than the CPU and CUDA, is refused), and ``seed`` must be an int, the same on every rank.

    Parameters
    ----------
    module : torch.nn.Module
        On the CPU or a CUDA GPU, with contiguous parameters or DTensor shards (see the
        module's notes).
    scheme : str or callable
        A key of :data:`SCHEMES`: ``"he_normal"``, ``"he_uniform"``, ``"glorot_normal"``,
        ``"glorot_uniform"``, ``"lecun_normal"``, ``"lecun_uniform"`` (winit_fast's presets,
        Keras distributions: the ``*_normal`` are truncated at 2 std and rescaled);
        ``"kaiming_normal"``, ``"kaiming_uniform"``, ``"xavier_normal"``, ``"xavier_uniform"``
        (torch's functions with their defaults: untruncated normal, leaky-ReLU gain with
        ``a=0``); ``"orthogonal"`` (as :func:`orthogonal_`). Or a callable
        ``scheme(tensor, *, seed, stream)`` that fills ``tensor`` in place.
    seed : int in [0, 2**64)
        ``None`` draws fresh OS entropy (once per parameter, so not reproducible).
    bias : float
        The value of the biases.
    norm : float or None
        The value of the other 1-D parameters (norm scales); ``None`` leaves them as they are.
    prefix : str
        Prepended to every name: ``init_module(model.encoder, prefix="encoder.")`` gives the
        values ``init_module(model)`` gives those parameters.

    Returns
    -------
    torch.nn.Module
        ``module`` itself.

    Examples
    --------
    >>> import torch, winit_fast as wf, winit_fast.torch as wft
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    >>> model = wft.init_module(model, "he_normal", seed=0)
    >>> w = wf.he_normal((64, 784), layout="torch", seed=0, stream="0.weight")
    >>> model[0].weight.detach().numpy().tobytes() == w.tobytes()
    True
    >>> model[0].bias.detach().abs().max().item()
    0.0
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    fill = _as_scheme(scheme)
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
    bias_value = wfi.as_real("bias", bias)
    norm_value = None if norm is None else wfi.as_real("norm", norm)
    wfi.as_seed(0 if seed is None else seed)  # a bad seed fails before any parameter changes
    _check_parameters(module, seed)
    for name, parameter in module.named_parameters():
        kind = wfi.role(name, parameter.dim())
        if kind == "weight":
            fill(parameter, seed=seed, stream=prefix + name)
        elif kind == "bias":
            constant_(parameter, bias_value)
        elif norm_value is not None:
            constant_(parameter, norm_value)
    return module


def _as_scheme(scheme: Any) -> Callable[..., Any]:
    if isinstance(scheme, str):
        return SCHEMES[wfi.check_scheme(scheme)]  # the names save_init and init_params take
    if callable(scheme):
        return scheme
    raise TypeError(f"scheme must be a str or a callable, got {type(scheme).__name__}")


def _check_parameters(module: torch.nn.Module, seed: Any) -> None:
    """A parameter that cannot be filled (a device winit_fast does not write, a CUDA one
    without triton, a sharded one with a placement no local fill makes exact) fails before
    any parameter changes."""
    for name, parameter in module.named_parameters():
        sharded = _dtensor.is_dtensor(parameter)
        try:
            kernels_for(_dtensor.local_shard(parameter) if sharded else parameter)
        except (ValueError, RuntimeError) as exc:
            raise type(exc)(f"parameter {name!r}: {exc}") from exc
        if sharded:
            if seed is None:
                raise ValueError(
                    "seed must be an int for a sharded module: seed=None draws OS entropy on "
                    "each rank separately (pass the same seed on every rank)"
                )
