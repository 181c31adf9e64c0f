"""The PTX audit: every kernel compiled ahead of time for each GPU generation, its float
arithmetic checked instruction by instruction. No GPU is needed.

Triton's interpreter runs the kernels with NumPy's IEEE arithmetic, so the tests' byte
equality with the C core proves the order of operations, not the rounding a GPU applies.
The PTX shows that rounding: each float instruction the compiler emits must be one whose
result IEEE-754 defines exactly (``check_ptx``). What fails:

* a fused multiply-add (``fma``/``mad`` on floats, packed ``f32x2`` forms included);
* ``add``/``sub``/``mul`` without an explicit ``.rn``: ptxas may fuse those into an FMA
  (PTX ISA, "Floating-Point Instructions");
* a division or square root that is not ``.rn`` (``div.full``, ``div.approx``,
  ``sqrt.approx``), any ``.approx`` instruction, any transcendental (``ex2``, ``lg2``,
  ``sin``, ``rcp``, ...), and any ``.ftz`` (subnormals flushed to zero);
* a conversion to a float that rounds other than to nearest even (or saturates);
* a float ``min``/``max`` (C compares and selects: the two differ on signed zeros);
* ``0 - x`` (a negation written as a subtraction: it turns -0.0 into +0.0).

Run ``python -m winit_fast._triton.audit`` to audit the installed Triton (exit status 1 on a
finding); tests/test_triton_audit.py runs it for the Triton torch ships and the newest.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from typing import NamedTuple

# Compute capabilities audited: Ampere (A100, A10/RTX 30), Ada (L4, RTX 40), Hopper (H100,
# H200), Blackwell (B200) and consumer Blackwell (RTX 50).
TARGETS = (80, 86, 89, 90, 100, 120)

FLOAT_TYPES = {"f16", "f16x2", "bf16", "bf16x2", "f32", "f32x2", "f64"}
_WIDTH = {"f16": 16, "f16x2": 16, "bf16": 16, "bf16x2": 16, "f32": 32, "f32x2": 32, "f64": 64}
TRANSCENDENTAL = {"rcp", "rsqrt", "sin", "cos", "lg2", "ex2", "tanh"}
ZERO = {"0f00000000", "0d0000000000000000"}


class Finding(NamedTuple):
    line: int
    instruction: str
    reason: str


def instructions(ptx: str) -> Iterator[tuple[int, str]]:
    """(line number, instruction) for every instruction of a PTX text (inline asm too)."""
    for number, line in enumerate(ptx.splitlines(), 1):
        code = line.split("//", 1)[0].strip()
        for part in code.split(";"):
            part = part.strip().lstrip("{").strip()
            if part.startswith("@"):  # a predicate guard: @%p1 or @!%p1
                part = part.split(None, 1)[1] if " " in part else ""
            if part and part[0].isalpha():
                yield number, part


def check_instruction(text: str, zeros: frozenset[str] = frozenset()) -> str | None:
    """Why this PTX instruction breaks exactness, or None when it is exact (or not float).
    ``zeros``: the registers the function sets to +0.0 (a ``0 - x`` may read one)."""
    opcode, _, operands = text.partition(" ")
    base, *modifiers = opcode.split(".")
    mods = set(modifiers)
    floats = mods & FLOAT_TYPES
    if base == "cvt":
        return _check_conversion(modifiers)
    if not floats:
        return None  # integer, bit and memory instructions are exact
    if base in ("fma", "mad"):
        return "fused multiply-add"
    if "approx" in mods or "full" in mods:
        return "approximate (not correctly rounded)"
    if "ftz" in mods:
        return "flushes subnormals to zero (.ftz)"
    if base in TRANSCENDENTAL:
        return f"{base} is not an operation of the stream contract"
    if base in ("min", "max"):
        return f"float {base}: C compares and selects (they differ on signed zeros)"
    if base in ("add", "sub", "mul", "div", "sqrt"):
        rounding = mods & {"rn", "rz", "rm", "rp"}
        if rounding != {"rn"}:
            return (
                "no explicit .rn: ptxas may fuse it into an FMA"
                if not rounding
                else "rounds other than to nearest even"
            )
        args = [a.strip() for a in operands.split(",")]
        if base == "sub" and len(args) == 3 and (args[1] in ZERO or args[1] in zeros):
            return "0 - x: loses the sign of a zero (negate by flipping the sign bit)"
    return None


def _check_conversion(modifiers: list[str]) -> str | None:
    types = [m for m in modifiers if m in FLOAT_TYPES or re.fullmatch(r"[subf]\d+", m)]
    if len(types) != 2:
        return None
    target, source = types
    if target not in FLOAT_TYPES:
        return "float to integer conversion" if source in FLOAT_TYPES else None
    mods = set(modifiers)
    if mods & {"ftz", "sat", "satfinite", "relu"}:
        return "conversion that flushes or saturates"
    rounds = source not in FLOAT_TYPES or _WIDTH[target] < _WIDTH[source]
    if rounds and not mods & {"rn"}:
        return "conversion that rounds other than to nearest even"
    return None


def zero_registers(ptx: str) -> frozenset[str]:
    """Registers that some ``mov`` sets to the bits of +0.0 (PTX registers may be assigned in
    more than one place: counting any such assignment keeps the check conservative)."""
    zeros = set()
    for _, text in instructions(ptx):
        opcode, _, operands = text.partition(" ")
        args = [a.strip() for a in operands.split(",")]
        if opcode.split(".")[0] == "mov" and len(args) == 2 and (args[1] in ZERO or args[1] == "0"):
            zeros.add(args[0])
    return frozenset(zeros)


def check_ptx(ptx: str) -> list[Finding]:
    """Every float instruction of ``ptx`` that is not exactly defined by IEEE-754."""
    findings = []
    zeros = zero_registers(ptx)
    for number, text in instructions(ptx):
        reason = check_instruction(text, zeros)
        if reason:
            findings.append(Finding(number, text, reason))
    return findings


# ---- compiling the kernels -----------------------------------------------------------------


class Variant(NamedTuple):
    """One compiled form of fill_kernel: a family, an output type and a layout."""

    family: str
    out: str  # Triton pointer type of out_ptr
    per: int
    n_axes: int
    aligned: bool
    runs: int  # runs per program (RUNS); BLOCKS is kernels.BLOCK // runs

    @property
    def label(self) -> str:
        layout = "aligned" if self.aligned else f"{self.n_axes} axes, {self.runs} runs/program"
        return f"{self.family}[{self.out[1:]}, {layout}]"


# float32, float64, float16 and bfloat16 (as int16 bits) outputs; raw words as int32
_OUTPUTS = (("*fp32", 4), ("*fp64", 2), ("*fp16", 4), ("*i16", 4))
_FLOAT_FAMILIES = ("uniform", "normal", "truncated_normal")


def variants(layouts: bool) -> list[Variant]:
    """Every (family, output) pair on the general layout (runs on one axis, one run per
    program); with ``layouts``, also each family's first output on the other layouts (aligned,
    0, 2 or 3 axes, many short runs per program): only integer addressing differs between
    layouts."""
    general = (1, False, 1)
    others = [(0, True, 1), (0, False, 1), (2, False, 1), (3, False, 1), (1, False, 64)]
    found = []
    for family, outputs in (("raw_u32", (("*i32", 4),)), *((f, _OUTPUTS) for f in _FLOAT_FAMILIES)):
        found += [Variant(family, out, per, *general) for out, per in outputs]
        if layouts:
            out, per = outputs[0]
            found += [Variant(family, out, per, *shape) for shape in others]
    return found


def _signature(fn, out: str) -> dict[str, str]:
    """Triton's signature of a kernel: out_ptr's type, the annotated scalar types."""
    from triton.runtime.jit import _normalize_ty

    signature = {}
    for param in fn.params:
        if param.is_constexpr:
            signature[param.name] = "constexpr"
        elif param.name == "out_ptr":
            signature[param.name] = out
        else:
            signature[param.name] = _normalize_ty(param.annotation)
    return signature


def compile_kernel(variant: Variant, cc: int):
    """``variant`` compiled for compute capability ``cc`` with the launch options. An aligned
    variant is compiled as a launch on an aligned buffer of a multiple of 16 elements is
    (Triton's divisibility specialization: vector stores)."""
    import triton
    from triton.backends.compiler import GPUTarget

    from winit_fast._triton import kernels

    fn = kernels.fill_kernel
    constexprs = {
        "FAMILY": kernels.FAMILY_CODES[variant.family],
        "PER": variant.per,
        "N_AXES": variant.n_axes,
        "ALIGNED": variant.aligned,
        "RUNS": variant.runs,
        "BLOCKS": kernels.BLOCK // variant.runs,
    }
    names = [param.name for param in fn.params]
    divisible = ("out_ptr", "length") if variant.aligned else ()
    attrs = {(names.index(name),): [["tt.divisibility", 16]] for name in divisible}
    signature = _signature(fn, variant.out)
    source = triton.compiler.ASTSource(
        fn=fn, signature=signature, constexprs=constexprs, attrs=attrs
    )
    options = dict(kernels.LAUNCH_OPTIONS)
    return triton.compile(source, target=GPUTarget("cuda", cc, 32), options=options)


def compile_ptx(variant: Variant, cc: int) -> str:
    return compile_kernel(variant, cc).asm["ptx"]


def _audit_one(job: tuple[Variant, int]) -> list[dict]:
    variant, cc = job
    ptx = compile_ptx(variant, cc)
    if f".target sm_{cc}" not in ptx:
        raise RuntimeError(f"{variant.label}: PTX not compiled for sm_{cc}")
    return [{"target": cc, "kernel": variant.label, **f._asdict()} for f in check_ptx(ptx)]


def audit(targets: Iterable[int], layouts_on: Iterable[int], workers: int | None = None) -> dict:
    """Compiles and checks every variant for each target (every layout on ``layouts_on``), in
    ``workers`` processes (default: one per CPU)."""
    import triton

    layouts_on = set(layouts_on)
    jobs = [(variant, cc) for cc in targets for variant in variants(layouts=cc in layouts_on)]
    begin = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        context = multiprocessing.get_context("fork")  # the children inherit the imports
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_audit_one, jobs))
    else:
        results = [_audit_one(job) for job in jobs]
    return {
        "triton": triton.__version__,
        "targets": sorted(set(targets)),
        "kernels": len(jobs),
        "seconds": round(time.perf_counter() - begin, 2),
        "workers": workers,
        "findings": [finding for found in results for finding in found],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m winit_fast._triton.audit",
        description="Compile winit_fast's Triton kernels to PTX and check their float arithmetic.",
    )
    parser.add_argument(
        "--targets", default=",".join(map(str, TARGETS)), help="compute capabilities"
    )
    parser.add_argument(
        "--layouts-on", default="90", help="targets on which every layout variant is compiled too"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes (default: one per CPU)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    targets = [int(t) for t in args.targets.split(",") if t]
    report = audit(targets, [int(t) for t in args.layouts_on.split(",") if t], args.workers)
    if args.json:
        print(json.dumps(report))
    else:
        names = ", ".join(f"sm_{cc}" for cc in report["targets"])
        print(f"triton {report['triton']}: {report['kernels']} kernels compiled for {names}")
        print(f"  in {report['seconds']} s ({report['workers']} processes)")
        for f in report["findings"]:
            where = f"sm_{f['target']} {f['kernel']} line {f['line']}"
            print(f"  FAIL {where}: {f['instruction']}: {f['reason']}")
        print("PASS" if not report["findings"] else f"{len(report['findings'])} findings")
    return 1 if report["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
