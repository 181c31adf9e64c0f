"""The Triton backend in the tests: its kernels under Triton's interpreter, on CPU tensors.

tests/conftest.py sets TRITON_INTERPRET=1 (unless it is set) before anything imports Triton,
so the kernels run on CPU tensors with NumPy's IEEE arithmetic; with TRITON_INTERPRET=0 on a
machine with a CUDA GPU they run on it (``use_backend("triton")`` then fills NumPy arrays on
the GPU and copies them back). The public functions fill through the kernels inside
``wf.use_backend("triton")``.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import numpy as np
import pytest
from support import CORE, TESTS

triton = pytest.importorskip("triton", reason='needs triton (pip install "winit-fast[gpu]")')
torch = pytest.importorskip("torch", reason="needs torch")

from winit_fast import _backend  # noqa: E402
from winit_fast import _interface as wfi  # noqa: E402

BACKEND = _backend.triton()
INTERPRETED = BACKEND.interpreted()
if not INTERPRETED and not torch.cuda.is_available():
    pytest.skip(
        "needs TRITON_INTERPRET=1 set before triton is imported, or a CUDA GPU",
        allow_module_level=True,
    )
DEVICE = "cpu" if INTERPRETED else "cuda"
NEEDS_CUDA = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA GPU (torch.cuda.is_available())"
)


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
    CORE.fill(out, wfi.FAMILIES[family].code, seed, stream, block, phase, tuple(params), 1)
    return out


class Launches:
    """Counts the Triton backend's fills of a torch tensor (a spy on the real functions, which
    still run; its ``fill`` is one ``fill_runs``) and keeps the addresses of the storages
    they wrote; NumPy arrays (the host's fills under ``use_backend("triton")``) are not
    counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.storages: set[int] = set()
        for name in ("fill_runs", "fill_constant"):
            monkeypatch.setattr(BACKEND, name, self._counted(getattr(BACKEND, name)))

    def _counted(self, function):
        def counted(out, *args):
            if isinstance(out, torch.Tensor):
                self.count += 1
                self.storages.add(out.untyped_storage().data_ptr())
            return function(out, *args)

        return counted


GPU_SCRIPT = TESTS.parent / "bench" / "gpu.py"


def gpu_script() -> ModuleType:
    """bench/gpu.py as a module (its tables and its tally, without running it)."""
    spec = importlib.util.spec_from_file_location("gpu_script", GPU_SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script
