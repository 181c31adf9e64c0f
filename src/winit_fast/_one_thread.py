"""LAPACK on one thread: a QR whose bits do not depend on the thread count.

OpenBLAS (and MKL) split a QR's panel updates across their threads, and the split changes
the order of the floating-point sums: ``numpy.linalg.qr`` of a 300x200 matrix gives other
last bits with 2 BLAS threads than with 1. :func:`orthogonal` promises the same bytes for
any thread count, so its QR runs with the BLAS libraries NumPy loaded limited to one thread
(threadpoolctl, a dependency), the team they were started with: the bytes a process started
with ``OPENBLAS_NUM_THREADS=1`` gets. The limit is process-wide (BLAS has no per-thread
setting): a lock keeps two threads from restoring each other's limits mid-call, and other
threads' BLAS calls run on one thread for the length of the QR.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

_lock = threading.Lock()
_controller: Any = None  # made at the first call (about 5 ms: it lists the loaded libraries)

T = TypeVar("T")


def on_one_blas_thread(compute: Callable[[], T]) -> T:
    """``compute()`` with every BLAS library loaded so far limited to one thread, then the
    limits restored (also after an error)."""
    global _controller
    with _lock:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        with _controller.limit(limits=1, user_api="blas"):
            return compute()
