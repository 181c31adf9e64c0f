"""Helpers shared by the tests: the two backends, the KAT vectors, byte comparison."""

from __future__ import annotations

import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

TESTS = pathlib.Path(__file__).parent
FLOAT_DTYPES = (np.float32, np.float64)


def compiled_core():
    try:
        return importlib.import_module("winit_fast._core")
    except ImportError:
        return None


CORE = compiled_core()
needs_core = pytest.mark.skipif(
    CORE is None, reason="needs the compiled extension winit_fast._core"
)


def read_kat():
    rows = []
    for line in (TESTS / "philox4x32_10_kat.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        words = [int(w, 16) for w in line.split()]
        rows.append((words[0:4], words[4:6], words[6:10]))
    return rows


def same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def simd_levels() -> list[str]:
    """Every SIMD level this machine can run (the compiled core's), lowest first."""
    return [] if CORE is None else list(CORE.simd_levels())


def run_without_core(code: str) -> str:
    """The stdout of ``code`` run by a fresh Python in which the compiled extension cannot be
    imported (as on an install without a C compiler), with the default backend choice."""
    prelude = "import sys; sys.modules['winit_fast._core'] = None\n"
    env = {k: v for k, v in os.environ.items() if k != "WINIT_FAST_PURE_PYTHON"}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env, check=True
    ).stdout


def fill(folder, leave):
    """Fill ``folder``'s file system but ``leave`` bytes (a file named ``filler``)."""
    with open(folder / "filler", "wb") as handle:
        handle.write(bytes(shutil.disk_usage(folder).free - leave))
