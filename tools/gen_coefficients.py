"""Write the polynomial coefficients of the transforms, for the C core and the fallback.

Run from the repository root: ``python tools/gen_coefficients.py``.  It rewrites
``csrc/wf_coefficients.h`` and ``src/winit_fast/_coefficients.py`` from the same numbers, so
the two backends cannot drift apart (``tests/test_coefficients.py`` checks that they agree).

The series are plain Taylor series, exact rationals times powers of pi/2, evaluated with
mpmath at 50 digits and rounded once to the target precision:

* ``log1p(f) = 2*atanh(s)`` with ``s = f / (2 + f)``:  ``2s + 2s^3/3 + 2s^5/5 + ...``.
  With ``f`` in ``[sqrt(1/2) - 1, sqrt(2) - 1]``, ``|s| <= 0.1716``, so 4 terms after ``2s``
  reach float32 rounding and 11 reach float64 rounding.
* ``sin(pi/2 * f)`` and ``cos(pi/2 * f)`` for ``f`` in ``[-1/2, 1/2]`` (one octant each side
  of a quadrant): 5 + 6 terms for float32, 9 + 10 terms for float64.
* The float32 inverse normal CDF of the truncated normal (stream version 2): a central
  rational function in ``r = 1 - x**2`` and two tail polynomials in Giles' variable
  ``sqrt(-log(4pq)) - 3``, with our own near-minimax coefficients, fitted by
  ``tools/fit_erfinv.py`` and held here as literals (``ERFINV``).
* The float64 inverse normal CDF: the rational approximation PPND16 of Wichura,
  "Algorithm AS 241: The percentage points of the normal distribution", Applied Statistics
  37(3), 477-484 (1988), with the coefficients as printed in the paper. ``WF_PPND_K_F64``
  holds the region splits and shifts (0.425, 0.180625 = 0.425**2, 1.6, 5), rounded once here
  so both backends use the same bits. (Stream version 1 also used PPND7 for float32.)
"""

from __future__ import annotations

import pathlib

import mpmath
import numpy as np

mpmath.mp.dps = 50
ROOT = pathlib.Path(__file__).resolve().parents[1]

TERMS = {"f32": {"log": 4, "sin": 5, "cos": 6}, "f64": {"log": 11, "sin": 9, "cos": 10}}

# AS 241 coefficients (Wichura 1988), highest index = highest power; B, D, F have a leading 1.
PPND = {
    "f64": {
        "A": "3.3871328727963666080 1.3314166789178437745e2 1.9715909503065514427e3 "
        "1.3731693765509461125e4 4.5921953931549871457e4 6.7265770927008700853e4 "
        "3.3430575583588128105e4 2.5090809287301226727e3",
        "B": "1 4.2313330701600911252e1 6.8718700749205790830e2 5.3941960214247511077e3 "
        "2.1213794301586595867e4 3.9307895800092710610e4 2.8729085735721942674e4 "
        "5.2264952788528545610e3",
        "C": "1.42343711074968357734 4.63033784615654529590 5.76949722146069140550 "
        "3.64784832476320460504 1.27045825245236838258 2.41780725177450611770e-1 "
        "2.27238449892691845833e-2 7.74545014278341407640e-4",
        "D": "1 2.05319162663775882187 1.67638483018380384940 6.89767334985100004550e-1 "
        "1.48103976427480074590e-1 1.51986665636164571966e-2 5.47593808499534494600e-4 "
        "1.05075007164441684324e-9",
        "E": "6.65790464350110377720 5.46378491116411436990 1.78482653991729133580 "
        "2.96560571828504891230e-1 2.65321895265761230930e-2 1.24266094738807843860e-3 "
        "2.71155556874348757815e-5 2.01033439929228813265e-7",
        "F": "1 5.99832206555887937690e-1 1.36929880922735805310e-1 1.48753612908506148525e-2 "
        "7.86869131145613259100e-4 1.84631831751005468180e-5 1.42151175831644588870e-7 "
        "2.04426310338993978564e-15",
    },
}
PPND_CONSTANTS = "0.425 0.180625 1.6 5"  # split1, split1**2, shift of region 2, split2

# float32 inverse CDF pieces, lowest power first (tools/fit_erfinv.py prints them), and K:
# the central piece's lowest r = 1 - x**2, the split of the two tails (log(4pq) = -16), the
# shift of their variable sqrt(-log(4pq)) - 3, and C0 = sqrt(pi/2).
ERFINV = {
    "CENTRAL_A": "0x1.02134p+1 0x1.03e994p+7 0x1.243acap+10 0x1.c4367ap+10 0x1.4a334p+7 "
    "-0x1.ff7314p+3",
    "CENTRAL_B": "0x1p+0 0x1.9b0316p+6 0x1.814638p+10 0x1.3b4676p+12 0x1.95582cp+11",
    "TAIL": "0x1.00696ap+2 0x1.6aa542p+0 0x1.b62fdp-7 -0x1.62c4b2p-7 0x1.03c646p-7 "
    "-0x1.46e852p-8 0x1.3c79acp-9 -0x1.d6debap-13 -0x1.9b9b4ap-11 0x1.f18cc6p-13 0x1.0f4bdcp-13",
    "FAR": "0x1.006266p+2 0x1.6b312cp+0 0x1.134e2cp-7 -0x1.e05386p-9 0x1.f9d16ep-11 "
    "-0x1.65f8ccp-13 0x1.489406p-16 -0x1.5f6926p-20 0x1.4b0194p-25",
}
ERFINV_CONSTANTS = "0.055 -16 3 1.2533141373155002512078826424055226265034933703050"


def series(kind: str, n: int) -> list[mpmath.mpf]:
    half_pi = mpmath.pi / 2
    if kind == "log":  # coefficient of s^(2k+1) for k = 1..n
        return [mpmath.mpf(2) / (2 * k + 1) for k in range(1, n + 1)]
    if kind == "sin":  # coefficient of f^(2k+1) for k = 0..n-1
        return [(-1) ** k * half_pi ** (2 * k + 1) / mpmath.factorial(2 * k + 1) for k in range(n)]
    if kind == "cos":  # coefficient of f^(2k) for k = 0..n-1
        return [(-1) ** k * half_pi ** (2 * k) / mpmath.factorial(2 * k) for k in range(n)]
    raise ValueError(kind)


def rounded(value: mpmath.mpf, precision: str) -> float:
    as_double = float(mpmath.nstr(value, 40))
    return float(np.float32(as_double)) if precision == "f32" else as_double


def main() -> None:
    tables = {
        (prec, kind): [rounded(c, prec) for c in series(kind, n)]
        for prec, kinds in TERMS.items()
        for kind, n in kinds.items()
    }
    for prec, parts in PPND.items():
        for part, text in parts.items():
            tables[(prec, f"ppnd_{part}")] = [rounded(mpmath.mpf(c), prec) for c in text.split()]
        tables[(prec, "ppnd_K")] = [rounded(mpmath.mpf(c), prec) for c in PPND_CONSTANTS.split()]
    for piece, text in ERFINV.items():
        tables[("f32", f"erfinv_{piece}")] = [float.fromhex(c) for c in text.split()]
    tables[("f32", "erfinv_K")] = [rounded(mpmath.mpf(c), "f32") for c in ERFINV_CONSTANTS.split()]
    c_lines = [
        "/* Generated by tools/gen_coefficients.py; do not edit by hand. */",
        "/* clang-format off */",
        "#ifndef WF_COEFFICIENTS_H",
        "#define WF_COEFFICIENTS_H",
        "",
    ]
    py_lines = [
        '"""Generated by tools/gen_coefficients.py; do not edit by hand."""',
        "",
        "COEFFICIENTS = {",
    ]
    for (prec, kind), values in tables.items():
        ctype, suffix = ("float", "f") if prec == "f32" else ("double", "")
        name = f"WF_{kind.upper()}_{prec.upper()}"
        literals = ", ".join(v.hex() + suffix for v in values)
        c_lines.append(f"static const {ctype} {name}[{len(values)}] = {{{literals}}};")
        py_lines.append(f'    "{name}": (' + ", ".join(f'"{v.hex()}"' for v in values) + ",),")
    c_lines += ["", "/* clang-format on */", "#endif /* WF_COEFFICIENTS_H */", ""]
    py_lines += ["}", ""]
    (ROOT / "csrc" / "wf_coefficients.h").write_text("\n".join(c_lines))
    (ROOT / "src" / "winit_fast" / "_coefficients.py").write_text("\n".join(py_lines))


if __name__ == "__main__":
    main()
