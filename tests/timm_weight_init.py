"""A stand-in for timm's ``trunc_normal_`` (``timm.layers.weight_init``), whose torchvision
dependency needs a CUDA torch on this machine: the same five in-place calls on the tensor, in
the same order and with the same arguments, so ``fast_init`` sees the same ATen ops. It lives
in ``winit_fast.bench.timm_style`` (the model benchmark's timm-style ViT-B uses it too).
"""

from __future__ import annotations

from winit_fast.bench.timm_style import trunc_normal_

__all__ = ["trunc_normal_"]
