"""The Triton backend in the tests: its kernels under Triton's interpreter, behind the names
the public fills call today.

tests/conftest.py sets TRITON_INTERPRET=1 (unless it is set) before anything imports Triton,
so the kernels run on CPU tensors with NumPy's IEEE arithmetic; with TRITON_INTERPRET=0 on a
machine with a CUDA GPU they run on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import pytest
from support import CORE

triton = pytest.importorskip("triton", reason='needs triton (pip install "winit-fast[gpu]")')
torch = pytest.importorskip("torch", reason="needs torch")

from winit_fast import _backend  # noqa: E402
from winit_fast._triton import load  # noqa: E402

BACKEND = load()
INTERPRETED = BACKEND.interpreted()
if not INTERPRETED and not torch.cuda.is_available():
    pytest.skip(
        "needs TRITON_INTERPRET=1 set before triton is imported, or a CUDA GPU",
        allow_module_level=True,
    )
DEVICE = "cpu" if INTERPRETED else "cuda"

FAMILIES = {"raw_u32": 0, "uniform": 1, "normal": 2, "truncated_normal": 3}


class Fills:
    """A backend module as the public fills call it today (``fill_uniform(out, seed, stream,
    block, phase, low, span, cap, n_threads)``, ``fill_uniform_runs(out, seed, stream, runs,
    ...)``, ...), filling through ``backend``'s interface (``fill(out, family, ...)``)."""

    def __init__(self, backend) -> None:
        self.backend = backend
        for family, code in FAMILIES.items():
            setattr(self, f"fill_{family}", self._fill(code))
            setattr(self, f"fill_{family}_runs", self._fill_runs(code))

    def _fill(self, code: int):
        def fill(out, seed, stream, block, phase, *params_and_threads):
            *params, threads = params_and_threads
            with _device_copy(out) as target:
                self.backend.fill(
                    target, code, seed, stream, block, phase, _flat(code, params), threads
                )

        return fill

    def _fill_runs(self, code: int):
        def fill_runs(out, seed, stream, runs, *params_and_threads):
            *params, threads = params_and_threads
            with _device_copy(out) as target:
                self.backend.fill_runs(
                    target, code, seed, stream, runs, _flat(code, params), threads
                )

        return fill_runs

    def __getattr__(self, name: str):  # fill_constant, philox4x32, max_threads, runtime_info
        return getattr(self.backend, name)


@contextlib.contextmanager
def _device_copy(out: np.ndarray) -> Iterator:
    """out itself under the interpreter; on a GPU, a CUDA tensor copied back into out."""
    if INTERPRETED:
        yield out
        return
    bits = out.view(np.int16) if out.dtype.name == "bfloat16" else out
    target = torch.from_numpy(bits).to(DEVICE)
    yield target.view(torch.bfloat16) if bits is not out else target
    bits[...] = target.cpu().numpy()


def _flat(code: int, params: list) -> tuple:
    """The interface's flat parameter tuple (the truncated normal's seven come as one)."""
    return tuple(params[0]) if code == FAMILIES["truncated_normal"] else tuple(params)


@contextlib.contextmanager
def triton_fills() -> Iterator[None]:
    """The public functions fill through the Triton kernels inside the block (what
    ``use_backend("triton")`` will do)."""
    token = _backend._selected.set(Fills(BACKEND))
    try:
        yield
    finally:
        _backend._selected.reset(token)


def tensor(array: np.ndarray):
    """A zero-filled torch tensor of array's dtype and shape on the kernels' device."""
    if array.dtype.name == "bfloat16":
        return torch.zeros(array.shape, dtype=torch.bfloat16, device=DEVICE)
    return torch.zeros(array.shape, dtype=torch.from_numpy(array[:0]).dtype, device=DEVICE)


def host_bytes(values) -> bytes:
    """The bytes of a torch tensor (any device) or a NumPy array."""
    if isinstance(values, np.ndarray):
        return values.tobytes()
    values = values.detach().cpu().contiguous()
    return values.view(torch.uint8).numpy().tobytes()


def c_fill(out: np.ndarray, family: str, seed, stream, block, phase, params) -> np.ndarray:
    """The C core's fill of ``family`` (backend-level: parameters the public API never makes,
    e.g. a -0.0 mean)."""
    if CORE is None:
        pytest.skip("needs the compiled extension winit_fast._core")
    fill = getattr(CORE, f"fill_{family}")
    if family == "truncated_normal":
        fill(out, seed, stream, block, phase, tuple(params), 1)
    else:
        fill(out, seed, stream, block, phase, *params, 1)
    return out
