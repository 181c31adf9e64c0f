"""winit_fast.jax: the sharded cases on 8 CPU devices, in a subprocess.

The cases are in ``jax_cases.py``; they need ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
set before JAX creates its CPU backend, which this process may already have done (Keras imports
jax even on the torch backend), so they run in one fresh pytest process and its report is
shown here when it fails. (The lazy import and the ImportError naming the extra are tested
with the other adapters' in test_adapters_runtime.py.)
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FLAGS = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=8".strip()
CHILD_ENV = {"XLA_FLAGS": FLAGS, "JAX_PLATFORMS": "cpu"}


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
