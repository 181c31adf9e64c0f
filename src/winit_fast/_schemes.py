"""The one rule for initializing a named parameter: what ``init_module`` does to each tensor.

``init_module`` (torch), its sharded form (DTensor/FSDP2), ``winit_fast.safetensors.save_init``
and ``winit_fast.jax.init_params`` all follow this rule, so a seed checkpoint written block by
block equals the module initialized in memory, and a sharded model equals the unsharded one.

- :func:`role`: a parameter with at least 2 dimensions is a ``"weight"`` and gets the scheme;
  one with fewer whose last name component is ``"bias"`` is a ``"bias"``; any other one
  (LayerNorm/RMSNorm scales, PReLU slopes) is a ``"norm"``.
- :func:`weight`: a weight in torch layout ``(out, in, *kernel)``, drawn from
  ``stream=name`` of ``seed``, any block of it through ``index=``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from winit_fast import _blocks

Role = Literal["weight", "bias", "norm"]

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
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The weight of torch-layout ``shape`` that ``scheme`` gives (or its block ``index``).

    ``orthogonal`` is torch's: the matrix ``(shape[0], prod(shape[1:]))``, computed whole
    (a block of it is sliced from the whole matrix).
    """
    import winit_fast as wf

    name, fixed = SCHEME_FUNCTIONS[check_scheme(scheme)]
    shape = tuple(int(n) for n in shape)
    if name == "orthogonal":
        rows = shape[0]
        matrix = wf.orthogonal(
            (rows, int(np.prod(shape[1:]))), seed=seed, stream=stream, dtype=dtype
        )
        whole = matrix.reshape(shape)
        block = whole if index is None else _blocks.resolve(shape, index).select(whole)
        if out is None:
            return np.ascontiguousarray(block)
        out[...] = block
        return out
    function = getattr(wf, name)
    if out is not None:
        dtype = out.dtype
    return function(
        shape, layout="torch", seed=seed, stream=stream, dtype=dtype, index=index, out=out, **fixed
    )
