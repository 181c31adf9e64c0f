"""winit_fast.jax: the sharded cases on 8 CPU devices (in a subprocess), and the lazy import.

The cases are in ``jax_cases.py``; they need ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
set before JAX creates its CPU backend, which this process may already have done (Keras imports
jax even on the torch backend), so they run in one fresh pytest process and its report is
shown here when it fails.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CHILD_ENV = {
    "WINIT_FAST_JAX_CHILD": "1",
    "XLA_FLAGS": "--xla_force_host_platform_device_count=8",
    "JAX_PLATFORMS": "cpu",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs jax")
def test_jax_cases_on_eight_devices(request):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if request.config.inipath is not None:
        command += ["-c", str(request.config.inipath), "--rootdir", str(request.config.rootpath)]
    result = subprocess.run(
        [*command, str(HERE / "jax_cases.py")],
        env={**os.environ, **CHILD_ENV},
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert " passed" in report and "skipped" not in report, report


def test_import_winit_fast_does_not_import_jax():
    result = run_python("import sys, winit_fast, winit_fast.cli; print('jax' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_missing_jax_names_the_extra():
    # sys.modules["jax"] = None makes `import jax` fail as if jax were not installed
    code = (
        "import sys; sys.modules['jax'] = None\n"
        "try:\n    import winit_fast.jax\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert 'pip install "winit-fast[jax]"' in result.stdout
