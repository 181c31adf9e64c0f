"""The deterministic ``torch.nn.init`` twins: constants, identity, Dirac."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import winit_fast as wf
from winit_fast import _interface as wfi
from winit_fast.torch._dtensor import computed_whole
from winit_fast.torch._tensor import (
    FLOAT_DTYPES,
    check_device,
    checked,
    filling,
    host_filling,
    need_dims,
)


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    """Fill ``tensor`` with ``val``, as ``torch.nn.init.constant_`` (in parallel).

    Integer and bool tensors are filled by ``Tensor.fill_``.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> wft.constant_(torch.empty(3), 0.5)
    tensor([0.5000, 0.5000, 0.5000])
    """
    if isinstance(tensor, torch.Tensor) and tensor.dtype not in FLOAT_DTYPES:
        check_device(tensor)  # a device winit_fast does not fill is refused all the same
        with torch.no_grad():
            return tensor.fill_(val)
    with filling(tensor) as array:
        wf.constant(value=val, out=array)
    return tensor


def _filled_with(value: float, name: str, example: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """``torch.nn.init.<name>``: :func:`constant_` with ``value``."""

    def fill(tensor: torch.Tensor) -> torch.Tensor:
        return constant_(tensor, value)

    fill.__name__ = fill.__qualname__ = name
    fill.__doc__ = f"""Fill ``tensor`` with {value:g}, as ``torch.nn.init.{name}``.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    {example}
    """
    return fill


ones_ = _filled_with(
    1.0,
    "ones_",
    """>>> wft.ones_(torch.empty(2, dtype=torch.bfloat16))
    tensor([1., 1.], dtype=torch.bfloat16)""",
)
zeros_ = _filled_with(
    0.0,
    "zeros_",
    """>>> wft.zeros_(torch.empty(2, dtype=torch.float64))
    tensor([0., 0.], dtype=torch.float64)""",
)


@computed_whole
def eye_(tensor: torch.Tensor) -> torch.Tensor:
    """The identity matrix (2-D, rectangular allowed), as ``torch.nn.init.eye_``.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> wft.eye_(torch.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    checked(tensor)
    need_dims(tensor, lambda n: n == 2, "2 dimensions")
    with host_filling(tensor) as array:
        wf.identity(out=array)
    return tensor


@computed_whole
def dirac_(tensor: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """The Dirac delta of a convolution (identity on the channels), as ``torch.nn.init.dirac_``.

    ``tensor`` is ``(out, in, *kernel)`` with 1 to 3 kernel dimensions; within each of the
    ``groups`` groups of output channels, channel ``d`` passes input channel ``d`` through
    the kernel's center.

    Examples
    --------
    >>> import torch, winit_fast.torch as wft
    >>> w = wft.dirac_(torch.empty(2, 2, 3))
    >>> w[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    """
    checked(tensor)
    need_dims(tensor, lambda n: 3 <= n <= 5, "3, 4 or 5 dimensions")
    groups = wfi.as_count("groups", groups)
    if groups < 1 or tensor.shape[0] % groups:
        raise ValueError(f"groups must be >= 1 and divide dim 0 ({tensor.shape[0]}), got {groups}")
    per_group = tensor.shape[0] // groups
    channels = np.arange(min(per_group, tensor.shape[1]))
    center: tuple[int, ...] = tuple(size // 2 for size in tensor.shape[2:])
    with host_filling(tensor) as array:
        wf.zeros(out=array)
        for group in range(groups):
            where: tuple[Any, ...] = (group * per_group + channels, channels, *center)
            array[where] = 1
    return tensor
