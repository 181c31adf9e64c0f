"""bench/gpu.py, the GPU check script: its byte checks run here on the CPU under Triton's
interpreter (``--cpu-smoke``), and without a GPU it says so instead of failing obscurely."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest
from support import TESTS

import winit_fast

SCRIPT = TESTS.parent / "bench" / "gpu.py"
# the winit_fast under test (the source tree, or the installed package in CI)
PACKAGE_ROOT = pathlib.Path(winit_fast.__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("triton") is None or importlib.util.find_spec("torch") is None,
    reason='needs triton and torch (pip install "winit-fast[gpu]")',
)


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_cpu_smoke_checks_every_case():
    done = run("--cpu-smoke")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    checks = [line for line in lines if line.startswith(("PASS", "FAIL"))]
    # raw words once, three float families in four dtypes; six layouts each
    assert len(checks) == (1 + 3 * 4) * 6
    assert all(line.startswith("PASS") for line in checks)
    assert "(Triton interpreter)" in done.stdout
    assert "78 passed, 0 failed" in done.stdout


def test_without_a_gpu_it_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    done = run()
    assert done.returncode == 2
    assert "needs a CUDA GPU" in done.stderr and "--cpu-smoke" in done.stderr
