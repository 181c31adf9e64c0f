"""Guarantee 4, whole-suite form: every test also passes with the NumPy fallback selected.

The public API binds its backend at import, so the suite is run again in a fresh interpreter
with WINIT_FAST_PURE_PYTHON=1 (the test_backends.py tests compare the two directly).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import CORE, TESTS

import winit_fast as wf

# Suites whose subject is not the values of the public API, or that already compare the two
# backends directly; running them again under the fallback would only cost CI time.
NOT_RERUN = [
    "test_fallback_suite.py",  # this file
    "test_reference_*.py",  # the trainer compares C-vs-fallback histories itself
    "test_depth_*.py",
    "test_*adapter*.py",  # torch/keras/dask: their bytes are compared with the public API
    "test_packaging.py",  # builds and wheels
    "test_c_hygiene.py",  # compiles the C core
    "test_kat.py",  # compiles the C-only program; its Python checks run on both backends
    "test_docstrings.py",
    "test_bench_cli.py",  # the benchmark's machinery, not values
]


@pytest.mark.skipif(
    wf.BACKEND != "c" or CORE is None,
    reason="needs the compiled backend active: it re-runs the suite under the fallback",
)
def test_suite_passes_under_the_fallback():
    env = {**os.environ, "WINIT_FAST_PURE_PYTHON": "1"}
    ignored = [f"--ignore-glob={TESTS / pattern}" for pattern in NOT_RERUN]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *ignored],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
