"""Fixtures shared by the tests."""

from __future__ import annotations

import os
import shutil
import subprocess

# Triton's interpreter runs the GPU kernels on CPU tensors (tests/triton_support.py). It is
# chosen when the kernels are defined, so it must be set before anything imports Triton; a
# machine with a CUDA GPU runs them there with TRITON_INTERPRET=0.
os.environ.setdefault("TRITON_INTERPRET", "1")

import pytest
from support import CORE, simd_levels

import winit_fast as wf
from winit_fast import _fallback


@pytest.fixture(params=["c", "python"])
def backend(request):
    """Each backend module in turn (the compiled one is skipped if it is not built)."""
    if request.param == "c":
        if CORE is None:
            pytest.skip("needs the compiled extension winit_fast._core")
        return CORE
    return _fallback


@pytest.fixture(params=["c", "python"])
def each_backend(request):
    """Runs a test of the public API once per backend, through ``wf.use_backend``: the
    bit-identity tests use it so that both backends meet the same pinned bytes."""
    if request.param == "c" and CORE is None:
        pytest.skip("needs the compiled extension winit_fast._core")
    with wf.use_backend(request.param):
        yield request.param


@pytest.fixture(params=simd_levels() or ["no compiled core"])
def each_simd_level(request):
    """Runs a test once per SIMD level the machine has, then restores the level in use."""
    if CORE is None:
        pytest.skip("needs the compiled extension winit_fast._core")
    before = CORE.runtime_info()["simd"]
    assert CORE.set_simd(request.param) == request.param
    yield request.param
    CORE.set_simd(before)


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 2 MiB: a tmpfs, mounted where the test may (root, CI)."""
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) to mount a small tmpfs (a real full disk)")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip(f"needs a mountable tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
