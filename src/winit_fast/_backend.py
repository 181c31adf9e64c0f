"""Chooses the backend once, at import: the compiled core, or the NumPy fallback.

The fallback is used when ``WINIT_FAST_PURE_PYTHON=1`` is set at import, or when the compiled
extension cannot be imported (then a ``RuntimeWarning`` says why). Both backends return the
same bytes; only speed differs.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType

PURE_PYTHON_ENV = "WINIT_FAST_PURE_PYTHON"


def _pure_python_requested() -> bool:
    return os.environ.get(PURE_PYTHON_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _load() -> tuple[ModuleType, str | None]:
    from winit_fast import _fallback

    if _pure_python_requested():
        return _fallback, f"{PURE_PYTHON_ENV} is set"
    try:
        from winit_fast import _core
    except ImportError as exc:
        reason = f"the compiled extension could not be imported ({exc})"
        warnings.warn(
            f"winit_fast: using the pure-NumPy fallback because {reason}; results are "
            "identical but slower.",
            RuntimeWarning,
            stacklevel=3,
        )
        return _fallback, reason
    return _core, None


SIMD_ENV = "WINIT_FAST_SIMD"


def _apply_simd_request(module: ModuleType) -> None:
    """``WINIT_FAST_SIMD=scalar|sse2|avx2|avx512`` caps the kernel level (never above the CPU's)."""
    requested = os.environ.get(SIMD_ENV, "").strip().lower()
    if not requested or not hasattr(module, "set_simd"):
        return
    if requested not in module.SIMD_LEVELS:
        warnings.warn(
            f"winit_fast: ignoring {SIMD_ENV}={requested!r}; use one of {module.SIMD_LEVELS}",
            RuntimeWarning,
            stacklevel=3,
        )
        return
    used = module.set_simd(requested)
    if used != requested:
        warnings.warn(
            f"winit_fast: {SIMD_ENV}={requested} is beyond this CPU; using {used}",
            RuntimeWarning,
            stacklevel=3,
        )


impl, fallback_reason = _load()
_apply_simd_request(impl)
BACKEND: str = impl.runtime_info()["backend"]
