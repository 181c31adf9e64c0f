"""``show_config()``: which backend, SIMD level, OpenMP runtime and thread count are in use."""

from __future__ import annotations

import sys
from typing import Literal, overload

import numpy as np

from winit_fast import _backend
from winit_fast._version import STREAM_VERSION, __version__


@overload
def show_config(print_out: Literal[False] = ...) -> dict: ...
@overload
def show_config(print_out: Literal[True]) -> None: ...
@overload
def show_config(print_out: bool) -> dict | None: ...


def show_config(print_out: bool = False) -> dict | None:
    """Report the backend in use here (see :func:`use_backend`) and its build.

    Returns a dict with ``backend`` (``"c"`` or ``"python"``), ``simd`` (the kernel level in
    use), ``openmp`` (the runtime, ``None`` if built without), ``max_threads``, ``version``,
    ``stream_version`` (the stream contract of docs/stream.md that the bytes follow) and, for
    the fallback, ``fallback_reason``. With ``print_out=True`` the report is printed and
    ``None`` returned, as ``numpy.show_config`` does (so a REPL does not show it twice).

    Examples
    --------
    >>> import winit_fast as wf
    >>> sorted(wf.show_config())[:3]
    ['backend', 'fallback_reason', 'machine']
    """
    module = _backend.current()
    info = dict(module.runtime_info())
    reason = None
    if info["backend"] == "python":
        chosen = module is not _backend._default_module
        reason = "use_backend('python')" if chosen else _backend.fallback_reason
    info.update(
        version=__version__,
        stream_version=STREAM_VERSION,
        fallback_reason=reason,
        python=sys.version.split()[0],
        numpy=np.__version__,
    )
    if not print_out:
        return info
    width = max(len(key) for key in info)
    for key, value in info.items():
        print(f"{key:<{width}} : {value}")
    return None
