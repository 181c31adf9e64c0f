"""``fast_init``: torch's own initialization calls, served by winit_fast inside a context.

Two interception points (the modes are in ``_init_mode.py``, the ops they serve in
``_init_ops.py``) see every call, including code
that saved references to the ``torch.nn.init`` functions at import time (transformers 5.x
keeps them in ``transformers.initialization.TORCH_INIT_FUNCTIONS``):

- a ``TorchDispatchMode`` catches the in-place ATen ops that every random or constant init
  ends in (``aten.normal_``, ``aten.uniform_``, ``aten.fill_.Scalar``, ``aten.zero_``), with
  their parameters exactly as torch computed them (``kaiming_uniform_``'s bound, ``normal_``'s
  std), whoever called them: ``torch.nn.init``, a saved reference, ``reset_parameters``,
  ``Tensor.normal_`` in a model's ``_init_weights``;
- ``torch.nn.init.trunc_normal_`` samples by rejection (torch 2.12+), so its ATen ops do not
  carry ``a`` and ``b``: it is caught one level up, at the module global
  ``torch.nn.init._no_grad_trunc_normal_`` that ``trunc_normal_`` looks up at every call (so a
  saved reference to ``trunc_normal_`` is caught too).

Streams: the ``k``-th random fill served inside a context (``k = 0, 1, ...`` in call order;
constant fills take no stream) draws from ``stream=k`` of the context's seed. A fixed seed
therefore gives the same values in every process and for any thread count, as long as the code
makes the same calls in the same order. A fill that covers a whole tensor is written once,
when the memory can first be observed (``_init_mode.py``), so the weights that a module's
``reset_parameters`` fills and the model's ``_init_weights`` fills again are written once;
timm's ``trunc_normal_`` folds into one fill (``_trunc_pattern.py``).
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.init

import winit_fast as wf
from winit_fast import _interface as wfi
from winit_fast.torch._init_mode import FastInit, InitMode, RawAccessMode
from winit_fast.torch._init_ops import servable

_local = threading.local()  # .sessions: this thread's active contexts, innermost last
_patch_lock = threading.Lock()
_patch_users = 0
# trunc_normal_ calls this module global on each call (torch 2.x), so swapping it catches
# every caller; a torch without it keeps its own trunc_normal_ (the other fills still work).
_torch_trunc_normal: Any = getattr(torch.nn.init, "_no_grad_trunc_normal_", None)


def _sessions() -> list[FastInit]:
    if not hasattr(_local, "sessions"):
        _local.sessions = []
    sessions: list[FastInit] = _local.sessions
    return sessions


def _trunc_normal(
    tensor: torch.Tensor,
    mean: float,
    std: float,
    a: float,
    b: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Stands for ``torch.nn.init._no_grad_trunc_normal_`` while a context is active."""
    sessions = _sessions()
    if not sessions or generator is not None or not servable(tensor):
        return _torch_trunc_normal(tensor, mean, std, a, b, generator=generator)
    try:
        mean_f, std_f, low, high = (float(x) for x in (mean, std, a, b))
    except (TypeError, ValueError):
        return _torch_trunc_normal(tensor, mean, std, a, b, generator=generator)
    if not (std_f > 0 and low < high and all(map(math.isfinite, (mean_f, std_f, low, high)))):
        return _torch_trunc_normal(tensor, mean, std, a, b, generator=generator)
    if mean_f < low - 2 * std_f or mean_f > high + 2 * std_f:
        warnings.warn(  # torch's warning, from the caller's line
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=3,
        )
    # torch's bounds are absolute, winit_fast's in units of std.
    a_std, b_std = (low - mean_f) / std_f, (high - mean_f) / std_f
    session = sessions[-1]
    session.busy = True  # the calls below are ours, not the user's
    try:
        fill = session.plan(
            tensor,
            lambda **kw: wf.truncated_normal(None, mean_f, std_f, a=a_std, b=b_std, **kw),
            random=True,
        )
        if fill is not None:
            session.place(tensor, fill)
    finally:
        session.busy = False
    if fill is None:
        return _torch_trunc_normal(tensor, mean, std, a, b, generator=generator)
    # Not an ATen op: bump the version as an in-place op does.
    torch.autograd.graph.increment_version(tensor)
    return tensor


def _patch_trunc_normal(enter: bool) -> None:
    """Installs the stand-in when the first context (of any thread) enters, restores torch's
    function when the last one leaves."""
    global _patch_users
    if _torch_trunc_normal is None:
        return
    with _patch_lock:
        _patch_users += 1 if enter else -1
        installed = _trunc_normal if _patch_users else _torch_trunc_normal
        torch.nn.init._no_grad_trunc_normal_ = installed


@contextlib.contextmanager
def fast_init(seed: int | None = None) -> Iterator[FastInit]:
    """Inside this context, torch's own weight initialization is done by winit_fast.

    Every random or constant fill of a CPU floating tensor (or a CUDA one, with triton
    installed) that runs inside the context is served by winit_fast with the distribution
    and parameters of the call it replaces:
    ``torch.nn.init.*`` (also through references saved at import time, as transformers'),
    modules' ``reset_parameters``, and ``Tensor.normal_``/``uniform_``/``fill_``/``zero_`` (as
    transformers' ``_init_weights`` call them). Build the model inside it::

        with winit_fast.torch.fast_init(seed=0):
            model = LlamaForCausalLM(config)

    Parameters
    ----------
    seed : int in [0, 2**64), optional
        The random fills draw from ``stream=k`` of this seed, ``k = 0, 1, ...`` in the order of
        the calls inside the context (constant fills take no stream), so the values do not
        depend on the process or the thread count. Code that makes other calls before a
        parameter (a layer added in front) shifts that parameter's stream; for values tied to
        parameter names use :func:`winit_fast.torch.init_module`. ``None`` draws fresh OS
        entropy (its value is the yielded ``seed``).

    Yields
    ------
    FastInit
        The seed in use, ``calls``, the number of random fills served so far, and
        ``written``, the elements its fills wrote into tensors' memory, and
        ``fell_through`` / ``unserved``: the random ops left to torch's global generator
        inside the context (each op name is also warned about once, ``UserWarning``).

    Notes
    -----
    Served: plain CPU and CUDA tensors and Parameters of float32, float64, float16, bfloat16
    (with ml_dtypes installed; without it, bfloat16 fills stay torch's), with
    ``torch.nn.init`` ``uniform_``, ``normal_``, ``trunc_normal_`` (absolute bounds, no
    rejection: winit_fast's inverse CDF), ``xavier_*_``, ``kaiming_*_`` (their ``uniform_`` /
    ``normal_``), ``constant_``/``ones_``/``zeros_``/``eye_``/``dirac_`` (their fills), the
    normals of ``orthogonal_`` (then torch's QR, on one
    thread) and ``sparse_``, ``torch.randn``/``rand``/
    ``randn_like``/``rand_like``/``normal(mean, std, size)``/``randperm``. float16 and
    bfloat16 ``uniform_`` follow torch's own recipe. Non-contiguous tensors (``w.T``, slices
    with gaps) are filled in C order of their shape. A CUDA tensor gets the CPU's bytes,
    written by the GPU kernels (the 16-bit ``uniform_`` and ``randperm`` computed on the
    host and copied; ``orthogonal_``'s QR is torch's on the GPU, not promised equal to the
    CPU's). Left to torch, unchanged: calls with a ``generator=``, other devices (CUDA
    without triton), meta tensors, integer, bool and complex tensors, tensor subclasses
    (DTensor), overlapping layouts, and parameters
    winit_fast refuses (torch then raises its own error); a random op left to torch's global
    generator is warned about and counted. The context restores everything on exit, also
    after an exception, and nests (the innermost serves). It is per thread: other threads
    keep torch's init.

    A fill of a whole tensor is written once, when its memory can first be observed (another
    torch op reading or writing it, raw access such as ``numpy()`` or ``data_ptr()``, the
    context's exit), into the memory it was recorded for (not whatever the tensor object
    holds by then), and not at all if the model dropped the tensor; a partial fill of it (a
    padding row) is replayed after it. So a weight that ``reset_parameters`` fills and
    ``_init_weights`` fills again is written once. timm's ``trunc_normal_`` (five in-place
    ops) is served as one truncated-normal fill. Memory read through a pointer taken before
    the fill, or by another thread, may not hold the values before the context exits. See
    ``docs/fast_init.md``.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> with wft.fast_init(seed=0) as init:
    ...     layer = torch.nn.Linear(64, 32)
    >>> init.calls  # the weight's kaiming_uniform_ and the bias's uniform_
    2
    >>> with wft.fast_init(seed=0):
    ...     again = torch.nn.Linear(64, 32)
    >>> bool(torch.equal(layer.weight, again.weight))
    True
    """
    session = FastInit(wfi.as_seed(seed))
    sessions = _sessions()
    for outer in sessions:  # an outer context must not write over what this one serves
        outer.write_all()
    _patch_trunc_normal(enter=True)
    sessions.append(session)
    try:
        with InitMode(session), RawAccessMode(session):
            try:
                yield session
            finally:
                session.write_all()
    finally:
        sessions.pop()
        _patch_trunc_normal(enter=False)
