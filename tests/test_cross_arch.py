"""The same bytes on AArch64: the fill table of csrc/tests/check_fills.c, built for this machine
and compared with the package's backends, and tools/check_aarch64.sh, which builds it for
AArch64 and runs it under qemu at the NEON and scalar levels against this machine's build."""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from support import CORE, TESTS

from winit_fast import _fallback
from winit_fast._families import BY_NAME as FAMILIES
from winit_fast._normal_cdf import truncation_masses
from winit_fast._stream import Runs, per_block

ROOT = TESTS.parent
TABLE = ROOT / "csrc" / "tests" / "fill_cases.txt"
SCRIPT = ROOT / "tools" / "check_aarch64.sh"
CROSS_PACKAGES = "gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user (or qemu-user-static)"


@dataclass
class Case:
    label: str
    dtype: str
    n: int
    offset: int
    seed: int
    stream: int
    layout: str
    params: tuple

    @property
    def family(self) -> str:
        return self.label.split(":")[0]


def read_table() -> list[Case]:
    cases = []
    for line in TABLE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, dtype, n, offset, seed, stream, layout, *params = line.split()
        number = (lambda s: int(s, 16)) if label == "narrow:special" else float.fromhex
        values = tuple(number(p) for p in params)
        cases.append(
            Case(label, dtype, int(n), int(offset), int(seed), int(stream), layout, values)
        )
    return cases


CASES = read_table()


def numpy_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes", reason="needs ml_dtypes for bfloat16")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def test_the_table_covers_every_family_dtype_and_layout():
    kinds = {(c.family, c.dtype) for c in CASES}
    for family in ("uniform", "normal", "truncated_normal"):
        assert {(family, d) for d in ("float32", "float64", "float16", "bfloat16")} <= kinds
    assert ("raw", "uint32") in kinds and ("narrow", "float16") in kinds
    assert {c.family for c in CASES if c.layout != "-"} == {
        "raw",
        "uniform",
        "normal",
        "truncated_normal",
    }
    assert any(c.n > 8192 for c in CASES)  # above the serial thresholds: 2 threads split it


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.family == "truncated_normal"], ids=lambda c: c.label
)
def test_the_tables_truncation_masses_are_the_packages(case):
    lo, hi, *masses = case.params[2:]
    work = np.float64 if case.dtype == "float64" else np.float32
    expected = [float(work(m)) for m in truncation_masses(lo, hi)]
    assert masses == expected
    assert all(float(work(p)) == p for p in case.params)


def setup_sources() -> list[str]:
    spec = importlib.util.spec_from_file_location("winit_fast_setup_sources", ROOT / "setup.py")
    if spec is None or spec.loader is None or importlib.util.find_spec("setuptools") is None:
        pytest.skip("needs setup.py and setuptools (the list of C sources)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SOURCES


@pytest.fixture(scope="module")
def table_bytes(tmp_path_factory) -> dict[int, bytes]:
    """Every case's bytes from the driver built for this machine (portable kernels, serial)."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip("needs a C compiler")
    work = tmp_path_factory.mktemp("check_fills")
    exe = work / "check_fills"
    sources = [ROOT / s for s in setup_sources()]
    flags = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Wconversion", "-Werror", "-ffp-contract=off"]
    command = [cc, *flags, "-o", exe, ROOT / "csrc/tests/check_fills.c", *sources, "-lm"]
    subprocess.run(command, check=True)
    out = work / "out"
    out.mkdir()
    listing = subprocess.run(
        [exe, "-l", "scalar", "-o", out, TABLE], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert listing[0] == "level scalar" and len(listing) == len(CASES) + 1
    return {i: (out / line.split()[-1]).read_bytes() for i, line in enumerate(listing[1:])}


def backend_fill(backend, case: Case) -> np.ndarray:
    """The case's fill through a backend's interface (the C core's or the NumPy fallback's)."""
    dtype = np.dtype(np.uint32) if case.family == "raw" else numpy_dtype(case.dtype)
    out = np.empty(case.n, dtype)
    family = FAMILIES["raw_u32" if case.family == "raw" else case.family].code
    per = per_block(dtype)
    if case.layout == "-":
        block, phase = divmod(case.offset, per)
        with np.errstate(over="ignore"):  # the float16 overflow cases: the fallback's cast warns
            backend.fill(out, family, case.seed, case.stream, block, phase, case.params, 1)
        return out
    shape, window = case.layout.rstrip("]").split("[")
    rows, cols = (int(x) for x in shape.split("x"))
    (r0, r1), (c0, c1) = ((int(x) for x in part.split(":")) for part in window.split(","))
    assert r1 <= rows
    block, phase = divmod(case.offset + r0 * cols + c0, per)
    runs = Runs(block, phase, c1 - c0, (r1 - r0,), (cols,), 0, (c1 - c0,))
    backend.fill_runs(out, family, case.seed, case.stream, runs, case.params, 1)
    return out


BACKENDS = [pytest.param(_fallback, id="python")]
if CORE is not None:
    BACKENDS.insert(0, pytest.param(CORE, id="c"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "index",
    [i for i, c in enumerate(CASES) if c.family != "narrow"],
    ids=lambda i: f"{CASES[i].label}-{CASES[i].dtype}-{CASES[i].n}",
)
def test_the_driver_gives_the_packages_bytes(table_bytes, backend, index):
    case = CASES[index]
    assert backend_fill(backend, case).tobytes() == table_bytes[index]


@pytest.mark.parametrize(
    "index",
    [i for i, c in enumerate(CASES) if c.family == "narrow"],
    ids=lambda i: f"{CASES[i].label}-{CASES[i].dtype}",
)
def test_the_drivers_16_bit_rounding_is_numpys_on_numbers(table_bytes, index):
    """The narrow cases round float32 bit patterns (every exponent, ties and near-ties): the C
    core's rounding is numpy's (float16) and ml_dtypes' (bfloat16) for every non-NaN input."""
    case = CASES[index]
    if case.params:
        bits = np.array(case.params, np.uint32)
    else:  # check_fills.c's sweep: i in the top 19 bits, low bits picked by a hash of i
        i = np.arange(case.n, dtype=np.uint32)
        low = np.array([0x1000, 0x0FFF, 0x1001, 0x0000], np.uint32)
        bits = (i << np.uint32(13)) | low[(i * np.uint32(2654435761)) >> np.uint32(30)]
    values = bits.view(np.float32)
    got = np.frombuffer(table_bytes[index], np.uint16)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and overflow casts warn
        expected = values.astype(numpy_dtype(case.dtype)).view(np.uint16)
    numbers = ~np.isnan(values)
    assert numbers.sum() > case.n // 2
    assert np.array_equal(got[numbers], expected[numbers])
    # NaNs stay NaNs of the same sign, quiet
    nan_out = got[~numbers]
    quiet = 0x7E00 if case.dtype == "float16" else 0x7FC0
    assert np.all(nan_out & quiet == quiet)
    assert np.array_equal(nan_out >> 15, (bits[~numbers] >> 31).astype(np.uint16))


def cross_tools_missing() -> str | None:
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return "the AArch64 cross check runs on an x86-64 host"
    needed = ["aarch64-linux-gnu-gcc", "sha256sum"]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if not (shutil.which("qemu-aarch64") or shutil.which("qemu-aarch64-static")):
        missing.append("qemu-aarch64")
    if not Path("/usr/aarch64-linux-gnu/lib/libc.so.6").exists():
        missing.append("the AArch64 C library")
    if missing:
        return f"needs {', '.join(missing)}: apt-get install -y {CROSS_PACKAGES}"
    return None


needs_cross_tools = pytest.mark.skipif(
    cross_tools_missing() is not None, reason=str(cross_tools_missing())
)


def run_script(**env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env, "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", SCRIPT], capture_output=True, text=True, env=environ, timeout=900, cwd=ROOT
    )


@needs_cross_tools
def test_aarch64_build_gives_the_same_bytes_at_every_level():
    result = run_script()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    lines = result.stdout.splitlines()
    n = len(CASES)
    for run in ("aarch64/scalar/1", "aarch64/neon/1", "aarch64/neon/2", "x86-64/avx2/1"):
        if run.startswith("x86-64/avx2") and "avx2" not in (CORE.simd_levels() if CORE else ()):
            continue
        assert f"{run}: {n} cases identical" in lines, output[-4000:]
    # the reference table: one line per case, label dtype n offset sha256
    table = [line.split() for line in lines if len(line.split()) == 5]
    assert [(t[0], t[1], int(t[2]), int(t[3])) for t in table] == [
        (c.label, c.dtype, c.n, c.offset) for c in CASES
    ]
    assert all(len(t[4]) == 64 for t in table)
    assert "no fused multiply-add, no reciprocal or square-root estimate" in result.stdout
    assert lines[-1].startswith(f"check_aarch64: ok, {n} cases")


@needs_cross_tools
@pytest.mark.slow
def test_aarch64_check_reports_a_build_that_changes_bytes(tmp_path):
    """Reassociation (no FMA, so the instruction check passes) changes the AArch64 bytes: the
    check must name the cases and fail."""
    wrapper = tmp_path / "reassociating-gcc"
    wrapper.write_text(
        '#!/bin/sh\nexec aarch64-linux-gnu-gcc "$@" -fassociative-math -fno-signed-zeros '
        "-fno-trapping-math\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    result = run_script(CROSS_CC=str(wrapper))
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    assert "aarch64/neon/1: DIFFERENT bytes" in result.stdout
    assert "check_aarch64: FAILED" in result.stdout
    assert "x86-64/avx2/1: DIFFERENT" not in result.stdout  # only the changed build differs
