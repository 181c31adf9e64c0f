"""The init ops ``fast_init`` serves: which ATen op is which winit_fast fill, and on what.

Each handler takes the op's tensor and scalar arguments as torch computed them (a
``kaiming_uniform_``'s bound, a ``normal_``'s std) and returns ``(draw, random)``: ``draw``
calls a winit_fast function with ``out=`` (and ``seed=``, ``stream=`` when ``random``), or
None to leave the call to torch. The session (``_init_mode.FastInit``) validates the draw,
gives it its stream and decides when it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

import winit_fast as wf
from winit_fast.torch._tensor import has_numpy_twin

if TYPE_CHECKING:
    from winit_fast.torch._init_mode import FastInit

aten = torch.ops.aten


def servable(tensor: Any) -> bool:
    """A tensor winit_fast fills exactly: a plain tensor or Parameter, CPU, strided, float
    (bfloat16 where ml_dtypes is installed), not empty. Subclasses (DTensor, FakeTensor,
    ...) have their own dispatch: torch's."""
    return (
        type(tensor) in (torch.Tensor, torch.nn.Parameter)
        and tensor.device.type == "cpu"
        and tensor.layout == torch.strided
        and has_numpy_twin(tensor.dtype)  # a float dtype (bfloat16 without ml_dtypes: torch's)
        and tensor.numel() > 0
    )


def _normal(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0) -> tuple[Any, bool]:
    return (lambda **kw: wf.normal(None, mean, std, **kw)), True


def _uniform(tensor: torch.Tensor, low: float = 0.0, high: float = 1.0) -> tuple[Any, bool]:
    return (lambda **kw: wf.uniform(None, low, high, **kw)), True


def _constant(tensor: torch.Tensor, value: Any = 0.0) -> tuple[Any, bool] | None:
    # A bool, int or float value, as torch's Scalar; complex values go to torch.
    if type(value) not in (bool, int, float):
        return None
    return (lambda **kw: wf.constant(value=float(value), **kw)), False


# ATen op -> (tensor, *scalar arguments) -> (draw, random) or None. Keyword arguments (a
# generator, or arguments passed by name) make the call torch's.
_IN_PLACE: dict[Any, Callable[..., tuple[Any, bool] | None]] = {
    aten.normal_.default: _normal,
    aten.uniform_.default: _uniform,
    aten.fill_.Scalar: _constant,
    aten.zero_.default: _constant,
}
# Factories that draw from torch's generator (``nn.Parameter(torch.randn(...))`` in a module's
# ``__init__``): allocated as torch would, then filled as ``normal_()`` / ``uniform_()``. With a
# ``generator=`` they are other overloads (``.generator``), left to torch.
_FACTORIES = {aten.randn.default: _normal, aten.rand.default: _uniform}
_FACTORY_KEYWORDS = frozenset({"dtype", "layout", "device", "pin_memory"})


def serve(session: FastInit, func: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Serves ``func(*args, **kwargs)`` if it is an init op winit_fast fills exactly: the
    filled tensor; None leaves the call to torch."""
    handler = _IN_PLACE.get(func)
    if handler is not None and not kwargs and servable(args[0]):
        planned = handler(*args)
        fill = None if planned is None else session.plan(args[0], *planned)
        if fill is not None:
            session.place(args[0], fill)
            return args[0]
        return None
    factory = _FACTORIES.get(func)
    if factory is not None and _FACTORY_KEYWORDS.issuperset(kwargs):
        tensor = aten.empty.memory_format(*args, **kwargs)
        if servable(tensor):
            fill = session.plan(tensor, *factory(tensor))
            if fill is not None:
                session.place(tensor, fill)
                return tensor
    return None
