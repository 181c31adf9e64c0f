"""The init ops ``fast_init`` serves: which ATen op is which winit_fast fill, and on what.

Each fill handler takes the op's tensor and scalar arguments as torch computed them (a
``kaiming_uniform_``'s bound, a ``normal_``'s std) and returns ``(draw, random)``: ``draw``
calls a winit_fast function with ``out=`` (and ``seed=``, ``stream=`` when ``random``), or
None to leave the call to torch. The session (``_init_mode.FastInit``) validates the draw,
gives it its stream and decides when it is written.

:func:`serve` is called for every ATen op inside the context (model construction sends
thousands through it), so it costs one dict lookup: ``_SERVERS`` maps each op to its server,
and learns each other op once, the first time it is seen (``_fall_through.checker`` for an
op that draws random numbers, None for the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

import winit_fast as wf
from winit_fast.torch import _fall_through, _uniform16
from winit_fast.torch._tensor import has_numpy_twin, served_device

if TYPE_CHECKING:
    from winit_fast.torch._init_mode import FastInit

aten = torch.ops.aten
Planned = tuple[Any, bool] | None
Server = Callable[["FastInit", Any, tuple, dict[str, Any]], Any]
_SIXTEEN_BIT = (torch.float16, torch.bfloat16)


def servable(tensor: Any) -> bool:
    """A tensor winit_fast fills exactly: a plain tensor or Parameter, strided, float
    (bfloat16 where ml_dtypes is installed), not empty, on the CPU or on a CUDA GPU with
    Triton installed (without it: torch's). Subclasses (DTensor, FakeTensor, ...) have their
    own dispatch: torch's."""
    return (
        type(tensor) in (torch.Tensor, torch.nn.Parameter)
        and tensor.layout == torch.strided
        and has_numpy_twin(tensor.dtype)  # a float dtype (bfloat16 without ml_dtypes: torch's)
        and tensor.numel() > 0
        and served_device(tensor)
    )


def _normal(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0) -> Planned:
    return (lambda **kw: wf.normal(None, mean, std, **kw)), True


def _uniform(tensor: torch.Tensor, low: float = 0.0, high: float = 1.0) -> Planned:
    if tensor.dtype in _SIXTEEN_BIT:  # torch's own 16-bit recipe (_uniform16)
        return _uniform16.uniform(low, high), True
    return (lambda **kw: wf.uniform(None, low, high, **kw)), True


def _constant(tensor: torch.Tensor, value: Any = 0.0) -> Planned:
    # A bool, int or float value, as torch's Scalar; complex values go to torch.
    if type(value) not in (bool, int, float):
        return None
    return (lambda **kw: wf.constant(value=float(value), **kw)), False


def _fill(session: FastInit, handler: Callable[..., Planned], tensor: Any, *scalars: Any) -> Any:
    """``tensor`` filled as ``handler`` says (written now or recorded), or None."""
    if not servable(tensor):
        return None
    planned = handler(tensor, *scalars)
    fill = None if planned is None else session.plan(tensor, *planned)
    if fill is None:
        return None
    session.place(tensor, fill)
    return tensor


def _in_place(handler: Callable[..., Planned], random: bool) -> Server:
    """``tensor.<op>_(*scalars)``. Keyword arguments (a generator, or arguments passed by
    name) make the call torch's."""

    def server(session: FastInit, func: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
        served = None if kwargs else _fill(session, handler, *args)
        if served is None and random and args[0].numel():
            _fall_through.note(session, func, args, kwargs)
        return served

    return server


# Factories that draw from torch's generator (``nn.Parameter(torch.randn(...))`` in a module's
# ``__init__``, ``torch.rand_like(dt_bias)``): allocated as torch would (the same ATen
# allocation with the same keywords), then filled as ``normal_()`` / ``uniform_()``. With a
# ``generator=`` they are other overloads (``.generator``) or keywords, left to torch.
_FACTORY_KEYWORDS = frozenset({"dtype", "layout", "device", "pin_memory"})
_LIKE_KEYWORDS = _FACTORY_KEYWORDS | {"memory_format"}
Allocate = Callable[[tuple, dict[str, Any]], tuple[torch.Tensor, tuple]]


def _factory(handler: Callable[..., Planned], keywords: frozenset, allocate: Allocate) -> Server:
    """``allocate(args, kwargs)`` gives the new tensor and the fill's scalars."""

    def server(session: FastInit, func: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
        if keywords.issuperset(kwargs):
            tensor, scalars = allocate(args, kwargs)
            served = _fill(session, handler, tensor, *scalars)
            if served is not None or tensor.numel() == 0:
                return served
        _fall_through.note(session, func, args, kwargs)
        return None

    return server


def _empty(args: tuple, kwargs: dict[str, Any]) -> tuple[torch.Tensor, tuple]:
    return aten.empty.memory_format(*args, **kwargs), ()


def _empty_like(args: tuple, kwargs: dict[str, Any]) -> tuple[torch.Tensor, tuple]:
    # empty_like keeps the input's strides (memory_format=preserve), as randn_like does.
    return aten.empty_like.default(*args, **kwargs), ()


def _empty_normal(args: tuple, kwargs: dict[str, Any]) -> tuple[torch.Tensor, tuple]:
    mean, std, size = args  # normal.float_float(mean, std, size): empty(size).normal_()
    return aten.empty.memory_format(size, **kwargs), (mean, std)


def _randperm(session: FastInit, func: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    """``torch.randperm(n)``: the stable argsort of ``n`` 64-bit keys, the raw words of the
    call's stream taken in pairs (``random_raw(2 * n).view(uint64)``), in torch's dtype
    (int64 unless given), sorted on the host (on a GPU: then copied in). Not served: an
    ``n`` the dtype cannot hold exactly (torch raises), a ``generator=``, a device or layout
    that :func:`servable` refuses."""
    n = args[0]
    if _FACTORY_KEYWORDS.issuperset(kwargs) and type(n) is int and n > 0:
        options = {**kwargs, "dtype": kwargs.get("dtype") or torch.int64}
        tensor = aten.empty.memory_format([n], **options)
        if tensor.layout == torch.strided and served_device(tensor) and _holds(tensor, n):
            stream = session.take_stream()
            keys = wf.random_raw(2 * n, seed=session.seed, stream=stream).view(np.uint64)
            tensor.copy_(torch.from_numpy(np.argsort(keys, kind="stable")))
            return tensor
    if type(n) is not int or n > 0:
        _fall_through.note(session, func, args, kwargs)
    return None


def _holds(tensor: torch.Tensor, n: int) -> bool:
    """Whether ``tensor``'s dtype holds ``0, ..., n - 1`` exactly."""
    dtype = tensor.dtype
    if dtype.is_floating_point:
        return n - 1 <= 2 / torch.finfo(dtype).eps  # 2**digits: every integer up to it
    if dtype.is_complex or dtype == torch.bool:
        return False
    return n - 1 <= torch.iinfo(dtype).max


_SERVERS: dict[Any, Server | None] = {
    aten.normal_.default: _in_place(_normal, random=True),
    aten.uniform_.default: _in_place(_uniform, random=True),
    aten.fill_.Scalar: _in_place(_constant, random=False),
    aten.zero_.default: _in_place(_constant, random=False),
    aten.randn.default: _factory(_normal, _FACTORY_KEYWORDS, _empty),
    aten.rand.default: _factory(_uniform, _FACTORY_KEYWORDS, _empty),
    aten.normal.float_float: _factory(_normal, _FACTORY_KEYWORDS, _empty_normal),
    aten.randn_like.default: _factory(_normal, _LIKE_KEYWORDS, _empty_like),
    aten.rand_like.default: _factory(_uniform, _LIKE_KEYWORDS, _empty_like),
    aten.randperm.default: _randperm,
}
_UNSEEN: Any = object()


def serve(session: FastInit, func: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Serves ``func(*args, **kwargs)`` if it is an init op winit_fast fills exactly: the
    filled tensor; None leaves the call to torch (counted on the session when it draws from
    torch's generator)."""
    server = _SERVERS.get(func, _UNSEEN)
    if server is None:
        return None
    if server is _UNSEEN:  # the first time this op is seen: is it random?
        server = _fall_through.checker(func) if _fall_through.draws(func) else None
        _SERVERS[func] = server
        if server is None:
            return None
    return server(session, func, args, kwargs)
