"""The PTX audit against one Triton installation, run by ``test_triton_audit.py`` as
``python triton_audit_worker.py`` in a fresh Python whose ``sys.path`` starts with that
installation (and without TRITON_INTERPRET, so the kernels are compiled).

Prints one JSON object: ``audit``, the report of ``winit_fast._triton.audit`` over every
kernel and target, and ``faults``: for each small kernel below, the reasons the checker gives
per target. Each fault the checker must catch has an exact twin it must pass, so the test
shows the checker is precise, not merely strict.
"""

from __future__ import annotations

import json
import sys

try:
    import triton
    import triton.language as tl
except ImportError:  # the test module runs this only where triton is installed
    triton = None

if triton is not None:
    from winit_fast._triton.kernels import _negate

    @triton.jit
    def _binary(x_ptr, y_ptr, out_ptr, OP: tl.constexpr):
        """out = OP(x, y) over 128 float32 values."""
        i = tl.arange(0, 128)
        x = tl.load(x_ptr + i)
        y = tl.load(y_ptr + i)
        if OP == "plain division":
            z = x / y
        elif OP == "div_rn":
            z = tl.math.div_rn(x, y)
        elif OP == "tl.sqrt":
            z = tl.sqrt(x)
        elif OP == "sqrt_rn":
            z = tl.sqrt_rn(x)
        elif OP == "unary minus":
            z = -x
        elif OP == "sign flip":
            z = _negate(x)
        elif OP == "multiply-add":
            z = x * y + x
        elif OP == "exp":
            z = tl.exp(x)
        elif OP == "minimum":
            z = tl.minimum(x, y)
        else:  # "compare and select", C's clamp
            z = tl.where(x > y, y, x)
        tl.store(out_ptr + i, z)


# name -> (fusion on?, the reason the checker must give, or None for an exact twin)
FAULTS = {
    "plain division": (False, "approximate"),
    "div_rn": (False, None),
    "tl.sqrt": (False, "approximate"),
    "sqrt_rn": (False, None),
    "unary minus": (False, "sign of a zero"),  # Triton 3.7 (3.9 compiles -x as a negation)
    "sign flip": (False, None),
    "multiply-add": (True, "fused multiply-add"),
    "multiply-add, fusion off": (False, None),
    "exp": (False, "approximate"),
    "minimum": (False, "float min"),
    "compare and select": (False, None),
}


def fault_reasons(targets: list[int]) -> dict:
    """{name: {target: [[instruction, reason], ...]}}, and under "subtracts" the names whose
    Triton code has a float subtraction (arith.subf), which is how 3.7 writes -x."""
    from triton.backends.compiler import GPUTarget

    from winit_fast._triton import audit

    found: dict = {}
    for name, (fusion, _) in FAULTS.items():
        op = name.split(",")[0]
        signature = {"x_ptr": "*fp32", "y_ptr": "*fp32", "out_ptr": "*fp32", "OP": "constexpr"}
        source = triton.compiler.ASTSource(fn=_binary, signature=signature, constexprs={"OP": op})
        for cc in targets:
            compiled = triton.compile(
                source, target=GPUTarget("cuda", cc, 32), options={"enable_fp_fusion": fusion}
            )
            findings = audit.check_ptx(compiled.asm["ptx"])
            found.setdefault(name, {})[cc] = [[f.instruction, f.reason] for f in findings]
            if "arith.subf" in compiled.asm["ttir"]:
                found.setdefault("subtracts", []).append(name)
    return found


def main() -> None:
    from winit_fast._triton import audit

    report = audit.audit(audit.TARGETS, layouts_on=[90])
    print(json.dumps({"audit": report, "faults": fault_reasons([90, 100])}))


if __name__ == "__main__":
    sys.exit(main())
