"""A ViT-B/16 initialized the way timm initializes its ``VisionTransformer``, for the model
benchmark: timm itself cannot be imported on a CPU-only torch here (its torchvision needs a
CUDA torch), and ``fast_init``'s handling of timm's ``trunc_normal_`` should still be timed.

Written from the description of timm's method, not its code: ``trunc_normal_`` is five
in-place calls on the tensor (a uniform on ``(2l - 1, 2u - 1)`` with ``l``, ``u`` the standard
normal CDF at the standardized bounds, the inverse error function, a scale by
``std * sqrt(2)``, a shift by ``mean``, a clamp to ``[a, b]``), so ``fast_init`` sees the same
ATen ops as under timm. The model has timm's ``vit_base_patch16_224`` parameters (86,567,656)
and init: position embedding and every Linear weight ``trunc_normal_(std=0.02)``, biases zero,
class token ``normal_(std=1e-6)``, LayerNorms ones and zeros, the patch convolution torch's
default. No forward pass: the benchmark times construction only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


def _standard_normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def trunc_normal_(
    tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> torch.Tensor:
    """Normal(mean, std**2) values truncated to ``[a, b]`` (absolute bounds), in place, by
    timm's five calls."""
    with torch.no_grad():
        lower = _standard_normal_cdf((a - mean) / std)
        upper = _standard_normal_cdf((b - mean) / std)
        tensor.uniform_(2 * lower - 1, 2 * upper - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor


@dataclass
class ViTConfig:
    """ViT-B/16 at 224x224 pixels, 1000 classes."""

    image_size: int = 224
    patch_size: int = 16
    hidden_size: int = 768
    num_hidden_layers: int = 12
    intermediate_size: int = 3072
    num_classes: int = 1000
    initializer_range: float = 0.02


class _Block(nn.Module):
    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        width = config.hidden_size
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.fc1 = nn.Linear(width, config.intermediate_size)
        self.fc2 = nn.Linear(config.intermediate_size, width)


class VisionTransformer(nn.Module):
    """The parameters of timm's ViT-B/16, initialized as timm does (see the module)."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        width, std = config.hidden_size, config.initializer_range
        patches = (config.image_size // config.patch_size) ** 2
        self.patch_embed = nn.Conv2d(3, width, config.patch_size, stride=config.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.randn(1, patches + 1, width) * std)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.num_hidden_layers))
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.head = nn.Linear(width, config.num_classes)
        trunc_normal_(self.pos_embed, std=std)
        nn.init.normal_(self.cls_token, std=1e-6)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                trunc_normal_(module.weight, std=std)
                nn.init.zeros_(module.bias)
