"""timm's ``trunc_normal_`` inside ``fast_init``: five ATen ops served as one truncated normal.

timm (and torch before 2.12) samples a truncated normal with in-place ops on the tensor:
``uniform_(2l-1, 2u-1)`` (``l``, ``u``: the normal CDF at the standardized bounds), then
``erfinv_()``, ``mul_(std*sqrt(2))``, ``add_(mean)``, ``clamp_(a, b)``. With ``U`` uniform on
``(low, high)``, ``erfinv(U) = Z / sqrt(2)`` where ``Z`` is standard normal truncated to
``[Phi^-1((low+1)/2), Phi^-1((high+1)/2)]`` (not truncated on a side where the bound is -1
or 1). So, while the uniform fill is recorded and not yet written (``_init_mode.Recorded``),
the ops fold into it instead of running:

- ``erfinv_`` on the whole memory of a recorded uniform with ``-1 <= low < high <= 1`` turns it
  into ``wf.truncated_normal(0, sqrt(1/2), a, b)`` drawing from the uniform's stream;
- ``mul_`` by a positive Python scalar scales its mean and std, ``add_`` of a Python scalar
  shifts its mean;
- ``clamp_`` with scalar bounds is dropped when no value of the fill can be outside them
  (timm's defaults: ``a=-2, b=2`` around ``std=0.02``), else applied to the memory right
  after the fill is written.

Anything else (another op on the memory, a partial fill, a negative factor, a tensor operand)
ends the pattern: the recorded fill is written first, then torch runs the op as usual. The
values are not the bits of torch's four rounded passes over a winit_fast uniform: they are
one exact draw of the same distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import torch

import winit_fast as wf

if TYPE_CHECKING:
    from winit_fast.torch._init_mode import FastInit, Recorded

aten = torch.ops.aten
_STANDARD = NormalDist()
# A bound of Z beyond the inverse CDF's reach (its CDF underflows in float64): no truncation.
_UNBOUNDED = 40.0


@dataclass(frozen=True)
class Uniform:
    """A recorded ``uniform_(low, high)`` drawing from ``stream``."""

    low: float
    high: float
    stream: int


@dataclass(frozen=True)
class Truncated:
    """A recorded ``wf.truncated_normal(mean, std, a=a, b=b)`` (``a``, ``b`` in units of
    ``std``) drawing from ``stream``."""

    mean: float
    std: float
    a: float
    b: float
    stream: int


def note_uniform(session: FastInit, args: Any) -> None:
    """Called after a served ``aten.uniform_``: if it was recorded, remember its bounds."""
    entry = session.recorded(args[0])
    if entry is not None:
        low = float(args[1]) if len(args) > 1 else 0.0
        high = float(args[2]) if len(args) > 2 else 1.0
        entry.pattern = Uniform(low, high, session.calls - 1)


def _scalar(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _truncated(session: FastInit, args: Any) -> Recorded | None:
    """The recorded fill of ``args[0]``'s whole memory if it is a truncated normal still open
    to folding (nothing replayed after it)."""
    entry = session.recorded(args[0])
    if entry is None or entry.after or not isinstance(entry.pattern, Truncated):
        return None
    return entry


def _become(session: FastInit, entry: Recorded, pattern: Truncated) -> bool:
    """Make ``pattern`` the recorded fill, if winit_fast accepts its parameters."""
    mean, std, a, b = pattern.mean, pattern.std, pattern.a, pattern.b

    def draw(**kw: Any) -> Any:
        return wf.truncated_normal(None, mean, std, a=a, b=b, **kw)

    if not session.accepts(entry.alias, draw, random=True):
        return False
    entry.fill = session.drawing(draw, pattern.stream)
    entry.pattern = pattern
    return True


def _erfinv(session: FastInit, args: Any, kwargs: dict[str, Any]) -> bool:
    entry = session.recorded(args[0]) if len(args) == 1 and not kwargs else None
    if entry is None or entry.after or not isinstance(entry.pattern, Uniform):
        return False
    low, high, stream = entry.pattern.low, entry.pattern.high, entry.pattern.stream
    if not -1.0 <= low < high <= 1.0:
        return False
    a, b = (_standardized(bound) for bound in (low, high))
    return _become(session, entry, Truncated(0.0, math.sqrt(0.5), a, b, stream))


def _standardized(bound: float) -> float:
    """The bound of ``Z`` for a bound of ``U``: ``Phi^-1((bound + 1) / 2)``. At -1 or 1 (timm's
    default bounds are 100 std away: ``l`` is 0.0) ``Z`` is not truncated on that side."""
    if abs(bound) == 1.0:
        return math.copysign(_UNBOUNDED, bound)
    return _STANDARD.inv_cdf((bound + 1.0) / 2.0)


def _mul(session: FastInit, args: Any, kwargs: dict[str, Any]) -> bool:
    if kwargs or len(args) != 2 or not _scalar(args[1]) or args[1] <= 0:
        return False
    entry = _truncated(session, args)
    if entry is None:
        return False
    p, factor = entry.pattern, args[1]
    return _become(session, entry, replace(p, mean=p.mean * factor, std=p.std * factor))


def _add(session: FastInit, args: Any, kwargs: dict[str, Any]) -> bool:
    if kwargs or len(args) != 2 or not _scalar(args[1]):
        return False
    entry = _truncated(session, args)
    if entry is None:
        return False
    return _become(session, entry, replace(entry.pattern, mean=entry.pattern.mean + args[1]))


def _clamp(session: FastInit, args: Any, kwargs: dict[str, Any]) -> bool:
    low, high = [*args[1:], None, None][:2]
    if kwargs or len(args) > 3 or (low is None and high is None):
        return False
    if not all(bound is None or _scalar(bound) for bound in (low, high)):
        return False
    entry = _truncated(session, args)
    if entry is None:
        return False
    if not _inside(entry, low, high):
        entry.after.append(lambda alias: alias.clamp_(low, high))  # torch's clamp_, on write
    entry.pattern = None  # the pattern ends here
    return True


def _inside(entry: Recorded, low: float | None, high: float | None) -> bool:
    """Every value of the truncated normal is within ``[low, high]``: the clamp is a no-op.
    ``wf.truncated_normal`` clamps ``z`` to ``[a, b]`` and computes ``mean + std*z`` in float32
    (float64 for float64), then rounds to the dtype: a few roundings of the dtype's epsilon at
    most, well inside the margin below."""
    p = entry.pattern
    margin = (
        4 * torch.finfo(entry.alias.dtype).eps * (abs(p.mean) + p.std * max(abs(p.a), abs(p.b)))
    )
    return (low is None or low <= p.mean + p.a * p.std - margin) and (
        high is None or high >= p.mean + p.b * p.std + margin
    )


# ATen op -> (session, args, kwargs) -> True if folded into the recorded fill (the op then
# does not run), False to leave it to torch (after writing what it touches).
FOLLOW: dict[Any, Callable[[FastInit, Any, dict[str, Any]], bool]] = {
    aten.erfinv_.default: _erfinv,
    aten.mul_.Tensor: _mul,
    aten.mul_.Scalar: _mul,
    aten.add_.Tensor: _add,
    aten.add_.Scalar: _add,
    aten.clamp_.default: _clamp,
}
