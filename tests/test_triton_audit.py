"""The PTX audit of the Triton kernels: compiled ahead of time for sm_80, 86, 89, 90, 100 and
120, with no fused multiply-add, no approximate or flush-to-zero float arithmetic, no
``0 - x`` (winit_fast._triton.audit), for the Triton torch 2.13 ships and for the newest.

Each installation is audited in a fresh Python (``triton_audit_worker.py``) whose path starts
with it: the installed ``triton``, then each directory in WINIT_FAST_AUDIT_TRITON (os.pathsep
separated; .ci/run installs torch 2.13's Triton, 3.7.1, and the newest, 3.9.0, into one each
with ``pip install --target``).
Compiling takes a few tens of seconds per installation on a cold Triton cache.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from support import TESTS

import winit_fast

# the winit_fast under test (the source tree, or the installed package in CI)
PACKAGE_ROOT = pathlib.Path(winit_fast.__file__).resolve().parent.parent
EXTRA_ENV = "WINIT_FAST_AUDIT_TRITON"


def installations() -> list:
    found = [pytest.param(None, id="installed")]
    extra = [p for p in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if p]
    found += [pytest.param(p, id=os.path.basename(p.rstrip("/"))) for p in extra]
    if not extra:
        found.append(
            pytest.param(
                "",
                id="newest",
                marks=pytest.mark.skip(
                    reason=f"needs {EXTRA_ENV}: a directory holding the newest triton "
                    "(pip install --target DIR triton==3.9.0; .ci/run sets it)"
                ),
            )
        )
    return found


def run_worker(path: str | None) -> tuple[dict, float]:
    if path is None and importlib.util.find_spec("triton") is None:
        pytest.skip('needs triton (pip install "winit-fast[gpu]")')
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (path, str(PACKAGE_ROOT), str(TESTS)) if p)
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(TESTS / "triton_audit_worker.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - begin


@pytest.mark.parametrize("path", installations())
def test_ptx_audit(path):
    from triton_audit_worker import FAULTS

    result, seconds = run_worker(path)
    report = result["audit"]
    print(f"triton {report['triton']}: {report['kernels']} kernels compiled in")
    print(f"{report['seconds']} s (worker {seconds:.1f} s)")
    if path:  # the directory's Triton was audited, not the installed one
        meta = [n for n in os.listdir(path) if n.startswith("triton-") and n.endswith(".dist-info")]
        assert meta and report["triton"] == meta[0][len("triton-") : -len(".dist-info")]
    assert report["targets"] == [80, 86, 89, 90, 100, 120]
    assert report["findings"] == []
    faults = result["faults"]
    for name, (_, reason) in FAULTS.items():
        if name == "unary minus" and name not in faults.get("subtracts", []):
            reason = None  # this Triton negates -x exactly (3.9 does; 3.7 writes 0 - x)
        for cc, findings in faults[name].items():
            reasons = [r for _, r in findings]
            if reason is None:
                assert reasons == [], f"{name} on sm_{cc}: {findings}"
            else:
                assert any(reason in r for r in reasons), f"{name} on sm_{cc}: {findings}"


# ---- the checker on PTX text (what each rule catches, and what it lets through) --------------

FLAGGED = {
    "fma.rn.f32 %r1, %r2, %r3, %r4": "fused multiply-add",
    "fma.rn.f32x2 %rd1, %rd2, %rd3, %rd4": "fused multiply-add",
    "fma.rn.f64 %fd1, %fd2, %fd3, %fd4": "fused multiply-add",
    "mad.rn.f32 %r1, %r2, %r3, %r4": "fused multiply-add",
    "mul.f32 %r1, %r2, %r3": "ptxas may fuse",
    "add.f32x2 %rd1, %rd2, %rd3": "ptxas may fuse",
    "add.rz.f32 %r1, %r2, %r3": "other than to nearest",
    "div.full.f32 %r1, %r2, %r3": "approximate",
    "div.approx.ftz.f32 %r1, %r2, %r3": "approximate",
    "sqrt.approx.ftz.f32 %r1, %r2": "approximate",
    "ex2.approx.f32 %r1, %r2": "approximate",
    "rcp.rn.f64 %fd1, %fd2": "not an operation",
    "mul.rn.ftz.f32 %r1, %r2, %r3": "flushes subnormals",
    "neg.ftz.f32 %r1, %r2": "flushes subnormals",
    "min.f32 %r1, %r2, %r3": "float min",
    "max.NaN.f32 %r1, %r2, %r3": "float max",
    "sub.rn.f32 %r1, 0f00000000, %r2": "sign of a zero",
    "sub.rn.f64 %fd1, 0d0000000000000000, %fd2": "sign of a zero",
    "cvt.rz.f16.f32 %rs1, %r1": "rounds other than",
    "cvt.f32.s32 %r1, %r2": "rounds other than",
    "cvt.rn.satfinite.bf16.f32 %rs1, %r1": "saturates",
    "cvt.rzi.s32.f32 %r1, %r2": "float to integer",
}
EXACT = [
    "add.rn.f32 %r1, %r2, 0f3F800000",
    "mul.rn.f32x2 %rd1, %rd2, %rd3",
    "sub.rn.f32 %r1, %r2, 0f00000000",
    "div.rn.f32 %r1, %r2, %r3",
    "div.rn.f64 %fd1, %fd2, %fd3",
    "sqrt.rn.f64 %fd1, %fd2",
    "neg.f32 %r1, %r2",
    "setp.gt.f32 %p1, %r1, %r2",
    "selp.f32 %r1, %r2, %r3, %p1",
    "cvt.rn.f32.s32 %r1, %r2",
    "cvt.rn.f16.f32 %rs1, %r1",
    "cvt.rn.bf16x2.f32 %r1, %r2, %r3",
    "cvt.f64.f32 %fd1, %r1",
    "cvt.u32.u64 %r1, %rd1",
    "mad.lo.s32 %r1, %r2, %r3, %r4",
    "mad.wide.u32 %rd1, %r2, 4, %rd3",
    "mul.hi.u32 %r1, %r2, %r3",
    "@%p1 st.global.v4.b32 [ %rd1 + 0 ], { %r1, %r2, %r3, %r4 }",
]


def test_checker_flags_each_fault():
    from winit_fast._triton.audit import check_instruction, check_ptx

    for text, reason in FLAGGED.items():
        found = check_instruction(text)
        assert found is not None and reason in found, (text, found)
    for text in EXACT:
        assert check_instruction(text) is None, text
    ptx = (
        "// a comment: fma.rn.f32\n\t@%p1 fma.rn.f32 %r1, %r2, %r3, %r4;\n"
        "\t{ mul.f32 %r5, %r6, %r7; }\n\tmov.b32 %r8, 0f00000000;\n\tsub.rn.f32 %r9, %r8, %r1;\n"
        "\tsub.rn.f32 %r10, %r1, %r8;\n"
    )
    assert [(f.line, f.instruction) for f in check_ptx(ptx)] == [
        (2, "fma.rn.f32 %r1, %r2, %r3, %r4"),  # predicated
        (3, "mul.f32 %r5, %r6, %r7"),  # inside braces (inline asm)
        (5, "sub.rn.f32 %r9, %r8, %r1"),  # 0 - x, the zero in a register (x - 0 is exact)
    ]
