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
    checks = [line for line in lines if line.startswith(("PASS", "FAIL", "SKIP"))]
    kernels = 2 + 3 * 4 * 6  # raw words on 2 layouts; three float families, 4 dtypes, 6 layouts
    torch_cases = 13 * 4 * 3 + 1  # 13 functions, 4 dtypes, 3 layouts; init_module
    assert len(checks) == kernels + torch_cases + 2  # the fast_init build, its elements written
    assert all(line.startswith("PASS") for line in checks)
    assert "(Triton interpreter)" in done.stdout
    assert f"kernels   {kernels} passed, 0 failed" in done.stdout
    assert f"torch     {torch_cases} passed, 0 failed" in done.stdout
    assert lines[-1] == "RESULT: PASS (bytes: 0 failed)"


def test_a_failed_or_broken_check_is_a_fail_line(capsys):
    """The script's tally: different bytes, or a case that raises, is a FAIL line and
    counts as failed; the other cases still run."""
    from triton_support import gpu_script

    tally = gpu_script().Tally("kernels")
    tally.check("same", lambda: (b"ab", b"ab"))
    tally.check("different", lambda: (b"ab", b"ac"))
    tally.check("raises", lambda: 1 / 0)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "PASS  same" and out[1] == "FAIL  different"
    assert out[2].startswith("FAIL  raises: ZeroDivisionError")
    assert (tally.passed, tally.failed) == (1, 2)
    assert "1 passed, 2 failed" in tally.summary()


def test_without_a_gpu_it_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    done = run()
    assert done.returncode == 2
    assert "needs a CUDA GPU" in done.stderr and "--cpu-smoke" in done.stderr
