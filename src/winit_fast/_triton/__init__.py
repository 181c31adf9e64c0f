"""The Triton backend: the stream's fills on a GPU, with the bytes of the C core.

``load()`` imports it; nothing here imports Triton until then, so ``winit_fast`` works
without it and a missing Triton is reported with the package to install.
"""

from __future__ import annotations

from types import ModuleType

TRITON_MISSING = (
    'the Triton backend needs the package triton (pip install "winit-fast[gpu]", which '
    "installs it; torch's CUDA wheels for Linux include it)"
)


def load() -> ModuleType:
    """The backend module (``winit_fast._triton.backend``); ImportError naming the package."""
    for package in ("triton", "torch"):
        try:
            __import__(package)
        except ImportError as exc:
            message = TRITON_MISSING if package == "triton" else "the Triton backend needs torch"
            raise ImportError(f"{message} ({type(exc).__name__}: {exc})") from exc
    from winit_fast._triton import backend

    return backend
