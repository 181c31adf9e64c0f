"""``show_config()``: which backend, SIMD level, OpenMP runtime and thread count are in use."""

from __future__ import annotations

import sys

import numpy as np

from winit_fast import _backend
from winit_fast._version import STREAM_VERSION, __version__


def show_config(print_out: bool = False) -> dict:
    """Report the backend and its build, as ``numpy.show_config`` does.

    Returns a dict with ``backend`` (``"c"`` or ``"python"``), ``simd`` (the kernel level in
    use), ``openmp`` (the runtime, ``None`` if built without), ``max_threads``, ``version``,
    ``stream_version`` (the stream contract of docs/stream.md that the bytes follow) and, for
    the fallback, ``fallback_reason``. With ``print_out=True`` it is also printed.

    Examples
    --------
    >>> import winit_fast as wf
    >>> sorted(wf.show_config())[:3]
    ['backend', 'fallback_reason', 'machine']
    """
    info = dict(_backend.impl.runtime_info())
    info.update(
        version=__version__,
        stream_version=STREAM_VERSION,
        fallback_reason=_backend.fallback_reason,
        python=sys.version.split()[0],
        numpy=np.__version__,
    )
    if print_out:
        width = max(len(key) for key in info)
        for key, value in info.items():
            print(f"{key:<{width}} : {value}")
    return info
