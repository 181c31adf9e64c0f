"""Which backend fills the arrays: the compiled core, the NumPy fallback or the GPU kernels
(Triton), read at each call.

The default is the compiled core, unless ``WINIT_FAST_PURE_PYTHON=1`` is set at import or
the extension cannot be imported (then a ``RuntimeWarning`` says why and how to get it).
:func:`use_backend` switches it for the code inside a ``with`` block. The choice is held in
a :class:`contextvars.ContextVar`: it is thread-safe, and each thread (and each asyncio task)
sees its own choice, a new thread starting with the default. Every backend returns the same
bytes; only speed differs. The Triton backend is imported only when it is first asked for
(:func:`triton`), so ``winit_fast`` needs neither torch nor triton.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import warnings
from collections.abc import Iterator
from types import ModuleType

from winit_fast import _fallback

PURE_PYTHON_ENV = "WINIT_FAST_PURE_PYTHON"
SIMD_ENV = "WINIT_FAST_SIMD"
BACKENDS = ("c", "python", "triton")
# pip caches the pure-Python wheel it built without a compiler: --no-cache-dir skips it.
HOW_TO_BUILD = (
    "install a C compiler and reinstall "
    "(pip install --no-cache-dir --force-reinstall winit-fast, or pip install . in a checkout)"
)


def _pure_python_requested() -> bool:
    return os.environ.get(PURE_PYTHON_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


_compiled: ModuleType | None = None
_compiled_error: str | None = None


def compiled() -> ModuleType | None:
    """The compiled extension, imported on first use; ``None`` if it is missing or broken."""
    global _compiled, _compiled_error
    if _compiled is None and _compiled_error is None:
        try:
            # import_module, not "from winit_fast import _core": inside the package's own
            # import the latter reports a missing extension as a circular import.
            _compiled = importlib.import_module("winit_fast._core")
        except ImportError as exc:
            _compiled_error = f"{type(exc).__name__}: {exc}"
        else:
            _apply_simd_request(_compiled)
    return _compiled


def _apply_simd_request(module: ModuleType) -> None:
    """``WINIT_FAST_SIMD=scalar|sse2|avx2|avx512|neon`` caps the kernel level (a level this CPU
    lacks gives its best, with a warning)."""
    requested = os.environ.get(SIMD_ENV, "").strip().lower()
    if not requested:
        return
    if requested not in module.SIMD_LEVELS:
        warnings.warn(
            f"winit_fast: ignoring {SIMD_ENV}={requested!r}; use one of {module.SIMD_LEVELS}",
            RuntimeWarning,
            stacklevel=4,
        )
        return
    used = module.set_simd(requested)
    if used != requested:
        warnings.warn(
            f"winit_fast: {SIMD_ENV}={requested} is not available on this CPU; using {used}",
            RuntimeWarning,
            stacklevel=4,
        )


def _default() -> tuple[ModuleType, str | None]:
    if _pure_python_requested():
        return _fallback, f"{PURE_PYTHON_ENV} is set"
    core = compiled()
    if core is None:
        reason = (
            f"the compiled extension winit_fast._core was not built or failed to import "
            f"({_compiled_error})"
        )
        warnings.warn(
            f"winit_fast: using the NumPy fallback because {reason}. Results are identical "
            f"but slower; to get the compiled core, {HOW_TO_BUILD}.",
            RuntimeWarning,
            stacklevel=4,
        )
        return _fallback, reason
    return core, None


_default_module, fallback_reason = _default()
BACKEND: str = _default_module.runtime_info()["backend"]
selected: contextvars.ContextVar[ModuleType] = contextvars.ContextVar(
    "winit_fast_backend", default=_default_module
)
current = selected.get
"""The backend module in use here and now (a bound method: the fills call it every time)."""


_triton_backend: ModuleType | None = None


def triton() -> ModuleType:
    """The Triton backend (``winit_fast._triton.backend``), imported on first use;
    ``RuntimeError`` naming the missing package (triton, torch) or device."""
    global _triton_backend
    if _triton_backend is None:
        from winit_fast import _triton as package

        try:
            module = package.load()
        except ImportError as exc:
            raise RuntimeError(f"backend 'triton' is not available: {exc}") from exc
        _triton_backend = module
    return _triton_backend


def module_for(name: object) -> ModuleType:
    """The module of backend ``name``; an error names the argument or the missing build."""
    if name == "python" and isinstance(name, str):
        return _fallback
    if name == "triton" and isinstance(name, str):
        module = triton()
        module.check_device()
        return module
    if name == "c" and isinstance(name, str):
        core = compiled()
        if core is None:
            raise RuntimeError(
                f"backend 'c' is not available: the compiled extension winit_fast._core was "
                f"not built or failed to import ({_compiled_error}); {HOW_TO_BUILD}"
            )
        return core
    raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[str]:
    """Fill with backend ``name`` (``"c"``, ``"python"`` or ``"triton"``) inside a ``with``
    block.

    Every fill reads the backend when it is called, so the switch covers everything called
    inside the block, including the initializers, ``Generator`` and the adapters. Every
    backend returns the same bytes. The choice is a context variable: thread-safe, and local
    to the thread (or asyncio task) that made it; other threads keep theirs.

    ``"triton"`` fills through the GPU kernels (docs/gpu.md): a NumPy array is filled on the
    GPU and copied back (a host copy: this is for checking the kernels; CUDA tensors are
    filled in place by ``winit_fast.torch``, which picks these kernels for them by itself).
    Under Triton's interpreter (``TRITON_INTERPRET=1`` set before triton is imported) the
    kernels run on the CPU, which is how the tests prove their bytes without a GPU.

    Raises
    ------
    ValueError
        If ``name`` is not ``"c"``, ``"python"`` or ``"triton"``.
    RuntimeError
        For ``"c"`` when the compiled extension is not available; for ``"triton"`` when
        triton or torch is not installed (``pip install "winit-fast[gpu]"``), or when there
        is neither a CUDA GPU nor Triton's interpreter.

    Examples
    --------
    >>> import winit_fast as wf
    >>> with wf.use_backend("python"):
    ...     slow = wf.normal(5, seed=0)
    ...     wf.show_config()["backend"]
    'python'
    >>> bool((slow == wf.normal(5, seed=0)).all())
    True
    """
    token = selected.set(module_for(name))
    try:
        yield name
    finally:
        selected.reset(token)
