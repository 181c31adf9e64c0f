"""A stand-in for timm's ``trunc_normal_`` (``timm.layers.weight_init``), whose torchvision
dependency needs a CUDA torch on this machine: the same five in-place calls on the tensor, in
the same order and with the same arguments, so ``fast_init`` sees the same ATen ops.

Written from the description of the method (not timm's code): with ``l`` and ``u`` the
standard normal CDF at the standardized bounds, draw uniform on ``(2l - 1, 2u - 1)``, take the
inverse error function (a normal truncated to the bounds, scaled by ``1/sqrt(2)``), scale by
``std * sqrt(2)``, shift by ``mean``, clamp to ``[a, b]``.
"""

from __future__ import annotations

import math

import torch


def _standard_normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def trunc_normal_(
    tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> torch.Tensor:
    """Normal(mean, std**2) values truncated to ``[a, b]`` (absolute bounds), in place."""
    with torch.no_grad():
        lower = _standard_normal_cdf((a - mean) / std)
        upper = _standard_normal_cdf((b - mean) / std)
        tensor.uniform_(2 * lower - 1, 2 * upper - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor
