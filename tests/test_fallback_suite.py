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


@pytest.mark.skipif(
    wf.BACKEND != "c" or CORE is None,
    reason="needs the compiled backend active: it re-runs the suite under the fallback",
)
def test_suite_passes_under_the_fallback():
    env = {**os.environ, "WINIT_FAST_PURE_PYTHON": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "--deselect",
            f"{TESTS / 'test_fallback_suite.py'}::test_suite_passes_under_the_fallback",
        ],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
