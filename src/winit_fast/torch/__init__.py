"""``torch.nn.init`` twins that fill CPU tensors in place with winit_fast's streams.

Each function has the name and signature of its ``torch.nn.init`` counterpart and its
semantics: ``(out, in, *kernel)`` fans, untruncated normals for Kaiming and Xavier, gains from
:func:`winit_fast.calculate_gain`, ``trunc_normal_`` bounds ``a``, ``b`` in absolute units.
Instead of torch's global generator the values come from ``seed=`` (and ``stream=``), or from
a :class:`winit_fast.Generator` passed as ``generator=``, so they are reproducible and do not
depend on the thread count. ``seed=None`` draws fresh OS entropy, as an unseeded torch call is
not reproducible either.

**No copy.** The tensor's memory is wrapped as a NumPy array (bfloat16 through
``ml_dtypes.bfloat16``) and filled where it is, under ``torch.no_grad()``; the tensor keeps its
storage (``data_ptr()`` unchanged) and its autograd version counter is bumped, as an in-place
torch op does. Supported: CPU, strided, contiguous tensors of float32, float64, float16 and
bfloat16. Any other tensor is refused with an error saying why (nothing is copied silently):
initialize on the CPU, then move the module (``module.to(device)``); for a non-contiguous
tensor, fill a contiguous one and ``copy_`` it. ``constant_``, ``ones_`` and ``zeros_`` also
take integer and bool CPU tensors (through ``Tensor.fill_``).

**DTensor** (``torch.distributed.tensor``, FSDP2, tensor parallel): every function and
:func:`init_module` fill only the rank's local shard, with no communication, so that
``full_tensor()`` equals the same call on a plain tensor of the global shape, byte for byte,
for any mesh and placements (``Shard``, uneven, ``Replicate``, ``_StridedShard``); fans come
from the global shape. ``seed=`` must be given (the same on every rank); a ``Partial`` or
non-CPU DTensor is refused. See docs/sharded.md.

Byte-exact links to the NumPy API: ``kaiming_normal_(w, seed=s)`` writes
``winit_fast.he_normal(w.shape, layout="torch", distribution="untruncated_normal", seed=s)``,
``xavier_uniform_(w, seed=s)`` writes ``winit_fast.glorot_uniform(w.shape, layout="torch",
seed=s)``, ``normal_(w, 0, 0.02, seed=s)`` writes ``winit_fast.normal(w.shape, 0, 0.02,
seed=s)``, each in the tensor's dtype.

Examples
--------
>>> import torch, winit_fast as wf
>>> import winit_fast.torch as wft
>>> layer = torch.nn.Linear(784, 64)
>>> pointer = layer.weight.data_ptr()
>>> w = wft.kaiming_normal_(layer.weight, nonlinearity="relu", seed=0)
>>> w is layer.weight, layer.weight.data_ptr() == pointer
(True, True)
>>> expected = wf.he_normal((64, 784), layout="torch", distribution="untruncated_normal", seed=0)
>>> layer.weight.detach().numpy().tobytes() == expected.tobytes()
True
"""

from __future__ import annotations

try:
    import torch  # noqa: F401  (here, so a missing torch names the extra)
except ImportError as exc:
    raise ImportError(
        f"winit_fast.torch needs PyTorch ({exc}); install its CPU build with `pip install torch "
        "--index-url https://download.pytorch.org/whl/cpu` (PyPI's Linux wheel is the "
        'multi-GB CUDA build), or `pip install "winit-fast[torch]"`'
    ) from exc

from winit_fast import _interface as wfi
from winit_fast.torch._deterministic import constant_, dirac_, eye_, ones_, zeros_
from winit_fast.torch._fast_init import FastInit, fast_init
from winit_fast.torch._module import SCHEMES, init_module
from winit_fast.torch._random import (
    calculate_gain,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    orthogonal_,
    sparse_,
    trunc_normal_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
)

__all__ = [
    "SCHEMES",
    "FastInit",
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "fast_init",
    "init_module",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

# help() and the API reference show these signatures without quoted annotations.
wfi.resolve_annotations(globals(), __all__)
