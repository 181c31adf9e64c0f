"""torch's QR on one thread inside ``fast_init``: bits that do not depend on the thread count.

``orthogonal_`` factors winit_fast's normals with ``torch.linalg.qr``, and
``parametrizations.orthogonal`` makes its base with ``torch.geqrf`` and
``torch.linalg.householder_product``. On MKL (torch's CPU builds) these give other last bits
with 2 threads than with 1 (up to 2.4e-7 on about 90% of a 256x128 ``orthogonal_``), so
``fast_init``'s promise, the same values for any thread count, needs them on one thread:
``torch.set_num_threads(1)`` for the op, the count restored after it (also after an error).
The setting is process-wide in MKL: a lock keeps two threads' contexts from restoring each
other's count mid-op, and other threads' torch ops run on one thread for the length of a QR.
"""

from __future__ import annotations

import threading
from typing import Any

import torch

aten = torch.ops.aten

# The ATen ops orthogonal_ and parametrizations.orthogonal reach (torch.orgqr is
# linalg_householder_product at this level).
ONE_THREAD_OPS = frozenset(
    {aten.linalg_qr.default, aten.geqrf.default, aten.linalg_householder_product.default}
)
_lock = threading.Lock()


def call(func: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """``func(*args, **kwargs)``, on one thread if it is one of :data:`ONE_THREAD_OPS`."""
    if func not in ONE_THREAD_OPS:
        return func(*args, **kwargs)
    with _lock:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return func(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)
