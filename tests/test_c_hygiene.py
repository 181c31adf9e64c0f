"""The C core compiles warning-free with -Wall -Wextra -Wconversion -Wshadow
-Wcast-align=strict, with and without OpenMP and the x86 SIMD kernels, as C11 with no Python
headers on the include path."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess

import pytest
from support import TESTS

CSRC = TESTS.parent / "csrc"
CC = os.environ.get("CC", "cc")
WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Wconversion", "-Werror", "-ffp-contract=off"]
WARNINGS += ["-Wshadow", "-Wcast-align=strict"]
ISA_FLAGS = {
    "wf_kernels_avx2.c": ["-mavx2", "-mf16c"],
    "wf_kernels_avx512.c": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl"],
}
X86 = platform.machine().lower() in {"x86_64", "amd64"}

pytestmark = pytest.mark.skipif(shutil.which(CC) is None, reason=f"needs a C compiler ({CC})")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(
            ["-fopenmp", "-DWF_HAVE_X86_SIMD"],
            id="openmp+simd",
            marks=pytest.mark.skipif(not X86, reason="needs x86-64 for the SIMD kernels"),
        ),
        pytest.param([], id="serial-portable"),
    ],
)
def test_core_compiles_without_warnings(variant, tmp_path):
    for source in sorted(CSRC.glob("*.c")):
        flags = WARNINGS + variant + (ISA_FLAGS.get(source.name, []) if variant else [])
        result = subprocess.run(
            [CC, *flags, "-O2", "-c", str(source), "-o", str(tmp_path / (source.stem + ".o"))],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{source.name}:\n{result.stderr}"


def test_core_does_not_include_python():
    for path in CSRC.rglob("*"):
        if path.suffix in {".c", ".h", ".inc"}:
            assert "Python.h" not in path.read_text(), path
