"""The registry of schemes: every name an adapter takes for a winit_fast fill, and the one rule
for initializing a named parameter.

- :data:`FUNCTIONS`: each NumPy fill an adapter calls by name (``make_array``, the Dask
  twins, DTensor shards, the initializer classes), with how a block of it is made: the fill
  of each family record (``_families``), ``variance_scaling`` and its presets, ``orthogonal``
  and the constants.
- :data:`SCHEME_FUNCTIONS`: the schemes of a model's weights (``init_module`` and its sharded
  form, ``save_init``, ``init_params``), each a function of :data:`FUNCTIONS` with fixed
  keywords.

``init_module`` (torch), its sharded form (DTensor/FSDP2), ``winit_fast.safetensors.save_init``
and ``winit_fast.jax.init_params`` all follow the rule below, so a seed checkpoint written block
by block equals the module initialized in memory, and a sharded model equals the unsharded one.

- :func:`role`: a parameter with at least 2 dimensions is a ``"weight"`` and gets the scheme;
  one with fewer whose last name component is ``"bias"`` is a ``"bias"``; any other one
  (LayerNorm/RMSNorm scales, PReLU slopes) is a ``"norm"``.
- :func:`weight`: a weight in torch layout ``(out, in, *kernel)``, drawn from
  ``stream=name`` of ``seed``, any block of it through ``index=``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from winit_fast import _blocks, _constants, _distributions, _structured, _variance_scaling
from winit_fast import _validation as v
from winit_fast._families import BY_NAME as FAMILIES
from winit_fast._variance_scaling import PRESETS

Role = Literal["weight", "bias", "norm"]
# How a block of a fill is made: alone, through index= ("element-wise": any chunk or shard
# costs only its own elements), cut from the whole tensor ("whole": orthogonal's QR), or
# without a stream ("constant").
Kind = Literal["element-wise", "whole", "constant"]


@dataclass(frozen=True)
class Scheme:
    """A NumPy fill by name: ``function(shape, ..., dtype=, out=, ...)`` and how its blocks
    are made (:data:`Kind`)."""

    name: str
    function: Callable[..., Any]
    kind: Kind

    @property
    def random(self) -> bool:
        """Whether it draws from a stream (takes ``seed=``, ``stream=``, ``offset=``)."""
        return self.kind != "constant"


def _schemes(kind: Kind, *functions: Callable[..., Any]) -> dict[str, Scheme]:
    return {f.__name__: Scheme(f.__name__, f, kind) for f in functions}


FUNCTIONS: dict[str, Scheme] = {
    **_schemes(
        "element-wise",
        *(getattr(_distributions, f.name) for f in FAMILIES.values() if f.initializer),
        _variance_scaling.variance_scaling,
        *(getattr(_variance_scaling, name) for name in PRESETS),
    ),
    **_schemes("whole", _structured.orthogonal),
    **_schemes("constant", _constants.zeros, _constants.ones, _constants.constant),
}

# scheme name -> (winit_fast function, fixed keywords). winit_fast's presets have Keras's
# distributions (the ``*_normal`` are truncated); torch's names have torch's defaults
# (untruncated normals, leaky-ReLU gain with a=0, which is He's sqrt(2)).
SCHEME_FUNCTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "glorot_normal": ("glorot_normal", {}),
    "glorot_uniform": ("glorot_uniform", {}),
    "he_normal": ("he_normal", {}),
    "he_uniform": ("he_uniform", {}),
    "lecun_normal": ("lecun_normal", {}),
    "lecun_uniform": ("lecun_uniform", {}),
    "kaiming_normal": ("he_normal", {"distribution": "untruncated_normal"}),
    "kaiming_uniform": ("he_uniform", {}),
    "xavier_normal": ("glorot_normal", {"distribution": "untruncated_normal"}),
    "xavier_uniform": ("glorot_uniform", {}),
    "orthogonal": ("orthogonal", {}),
}


def role(name: str, ndim: int) -> Role:
    """What ``init_module`` does to the parameter ``name`` with ``ndim`` dimensions."""
    if ndim >= 2:
        return "weight"
    return "bias" if name.rsplit(".", 1)[-1] == "bias" else "norm"


def check_scheme(scheme: Any) -> str:
    """``scheme`` if it is a known name, else a ``ValueError``/``TypeError`` naming it."""
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a str, got {type(scheme).__name__}")
    if scheme not in SCHEME_FUNCTIONS:
        names = ", ".join(map(repr, SCHEME_FUNCTIONS))
        raise ValueError(f"scheme must be one of {names}, got {scheme!r}")
    return scheme


def weight(
    scheme: str,
    shape: tuple[int, ...],
    *,
    seed: Any,
    stream: Any,
    dtype: Any = np.float32,
    index: Any = None,
    out: Any = None,
) -> Any:
    """The weight of torch-layout ``shape`` that ``scheme`` gives (or its block ``index``).

    ``orthogonal`` is torch's: the matrix ``(shape[0], prod(shape[1:]))``, computed whole
    (a block of it is sliced from the whole matrix). An ``out`` that is a ``DryRun`` (of
    ``shape``) runs every check of the call and writes nothing.
    """
    name, fixed = SCHEME_FUNCTIONS[check_scheme(scheme)]
    shape = tuple(int(n) for n in shape)
    function = FUNCTIONS[name].function
    if name == "orthogonal":
        rows = shape[0]
        matrix = (rows, int(np.prod(shape[1:])))
        if isinstance(out, v.DryRun):  # the checks of the matrix's call only
            return function(matrix, seed=seed, stream=stream, out=v.DryRun(matrix, out.dtype))
        whole = function(matrix, seed=seed, stream=stream, dtype=dtype).reshape(shape)
        block = whole if index is None else _blocks.resolve(shape, index).select(whole)
        if out is None:
            return np.ascontiguousarray(block)
        out[...] = block
        return out
    if out is not None:
        dtype = out.dtype
    return function(
        shape, layout="torch", seed=seed, stream=stream, dtype=dtype, index=index, out=out, **fixed
    )
