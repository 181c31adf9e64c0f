"""What ``fast_init`` leaves to torch's global generator: seen, counted and warned about.

An ATen op that draws random numbers carries the tag ``torch.Tag.nondeterministic_seeded``
(``bernoulli``, ``randint``, ``multinomial``, ``exponential_``, ``random_``, the dropouts...).
One such op that ``fast_init`` does not serve, run inside the context, draws from torch's
global generator: its values do not follow the context's seed and torch's RNG state moves.
It is counted on the context (``FastInit.fell_through``, ``FastInit.unserved[op name]``) and
warned about once per op name and context, at the user's line.

Not counted: a call with a ``generator=`` (the user's own generator), meta tensors (no
values), and the ops whose tag is conservative when their arguments draw nothing: attention
with ``dropout_p=0``, RNNs and ``rrelu`` outside training (``train=False``), dropout 0.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

import torch
from torch.utils._pytree import tree_leaves

import winit_fast
from winit_fast.torch import _tensor

if TYPE_CHECKING:
    from winit_fast.torch._init_mode import FastInit

# Arguments that, at these values, make a tagged op draw nothing.
_QUIET = {"train": False, "training": False, "dropout": 0.0, "dropout_p": 0.0}
# Frames inside these packages are not the user's line.
_INTERNAL = tuple(
    os.path.dirname(module.__file__) + os.sep for module in (torch, winit_fast) if module.__file__
)


def draws(func: Any) -> bool:
    """Whether ``func`` (an ATen op overload) may draw from a generator."""
    return torch.Tag.nondeterministic_seeded in func.tags


def quiet_arguments(func: Any) -> tuple[tuple[int, str, Any, Any], ...]:
    """``(position, name, quiet value, default)`` of each argument of ``func`` that, at its
    quiet value, means the call draws nothing (``dropout_p=0``, ``train=False``)."""
    return tuple(
        (position, argument.name, _QUIET[argument.name], argument.default_value)
        for position, argument in enumerate(func._schema.arguments)
        if argument.name in _QUIET
    )


def checker(func: Any) -> Callable[[FastInit, Any, tuple, dict], None]:
    """What ``fast_init`` does with an op it does not serve, decided once per op: count it
    if it draws from torch's global generator (:func:`note`), or nothing."""
    quiet = quiet_arguments(func)

    def check(session: FastInit, func: Any, args: tuple, kwargs: dict[str, Any]) -> None:
        note(session, func, args, kwargs, quiet)

    return check


def note(
    session: FastInit,
    func: Any,
    args: tuple,
    kwargs: dict[str, Any],
    quiet: tuple[tuple[int, str, Any, Any], ...] = (),
) -> None:
    """Counts ``func(*args, **kwargs)`` on ``session`` (and warns the first time for this op
    name) unless it draws nothing from torch's global generator."""
    for position, name, value, default in quiet:
        given = args[position] if position < len(args) else kwargs.get(name, default)
        if given is not None and given == value:
            return
    leaves = tree_leaves((args, kwargs))
    if any(isinstance(leaf, torch.Generator) for leaf in leaves):
        return  # the user's own generator
    device = _device_type(leaves, kwargs)
    if device == "meta":
        return
    name = str(func)
    session.fell_through += 1
    session.unserved[name] += 1
    if session.unserved[name] == 1:
        warnings.warn(
            f"fast_init: {name} is not served by winit_fast and draws from torch's global "
            "generator: its values do not follow the context's seed, and torch's RNG state "
            "moves (counted in FastInit.fell_through and FastInit.unserved; pass a "
            f"generator= to use your own){_why(device)}",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )


def _why(device: str) -> str:
    """Why a device's fills are all torch's, for the warning (a CUDA GPU without Triton):
    empty where winit_fast writes the device."""
    if device == "cpu":
        return ""
    refusal = _tensor.device_refusal(torch.device(device))
    return "" if refusal is None else f"; {refusal}"


def _device_type(leaves: list[Any], kwargs: dict[str, Any]) -> str:
    device = kwargs.get("device")
    if device is not None:
        return torch.device(device).type
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            return leaf.device.type
    default = getattr(torch, "get_default_device", None)  # torch 2.3+
    return "cpu" if default is None else default().type


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first caller outside torch and winit_fast, seen from the
    function that calls ``warnings.warn`` (Python 3.12's ``skip_file_prefixes``, by hand)."""
    frame: FrameType | None = sys._getframe(1)  # the function that warns: stacklevel 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    return level
