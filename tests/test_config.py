"""show_config() and the choice of backend."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from support import CORE, run_without_core

import winit_fast as wf

KEYS = {"backend", "simd", "openmp", "max_threads", "version", "fallback_reason"}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )


def test_show_config_keys_and_backend():
    info = wf.show_config()
    assert KEYS <= set(info)
    assert info["backend"] == wf.BACKEND in {"c", "python"}
    assert info["version"] == wf.__version__
    assert info["max_threads"] >= 1


def test_show_config_prints_and_returns_none(capsys):
    """As numpy.show_config: printed, not also returned (a REPL would show it twice)."""
    assert wf.show_config(print_out=True) is None
    printed = capsys.readouterr().out
    assert "backend" in printed and wf.BACKEND in printed


@pytest.mark.skipif(CORE is None, reason="needs the compiled extension winit_fast._core")
def test_compiled_backend_reports_openmp():
    info = CORE.runtime_info()
    assert info["backend"] == "c"
    assert info["openmp"] in {"libgomp", "libomp", "vcomp", None}
    if info["openmp"] is not None:
        assert info["openmp_version"] >= 200203


def test_pure_python_env_selects_fallback():
    code = "import json, winit_fast as wf; print(json.dumps(wf.show_config()))"
    info = json.loads(run_python(code, WINIT_FAST_PURE_PYTHON="1").stdout)
    assert info["backend"] == "python"
    assert "WINIT_FAST_PURE_PYTHON" in info["fallback_reason"]


def test_missing_extension_falls_back_with_warning():
    stdout = run_without_core(
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import winit_fast as wf\n"
        "print(wf.BACKEND)\n"
        "print(*[w.message for w in caught], sep='\\n')"
    )
    backend, message = stdout.split("\n", 1)
    assert backend == "python"
    # the real cause (not Python's "circular import" guess) and how to get the core
    cause = r"_core was not built or failed to import \((ModuleNotFound|Import)Error: "
    assert re.search(cause, message)
    assert "circular" not in message
    assert "C compiler" in message and "pip install" in message
