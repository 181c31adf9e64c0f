"""Words to values: the mirror of ``csrc/wf_transforms.h``, operation for operation.

Each line does the IEEE operation its C twin does, in the same order and precision, so the
results agree to the last bit. Constants are explicit NumPy scalars of the working type: a
Python float would be rounded differently or promote the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from winit_fast._coefficients import COEFFICIENTS

f32, f64 = np.float32, np.float64


def _table(name: str, kind: type) -> list:
    return [kind(float.fromhex(text)) for text in COEFFICIENTS[name]]


LOG_F32, SIN_F32, COS_F32 = (_table(f"WF_{k}_F32", f32) for k in ("LOG", "SIN", "COS"))
LOG_F64, SIN_F64, COS_F64 = (_table(f"WF_{k}_F64", f64) for k in ("LOG", "SIN", "COS"))
LN2_HI_F32, LN2_LO_F32 = f32(float.fromhex("0x1.62e4p-1")), f32(float.fromhex("0x1.7f7d1cp-20"))
LN2_HI_F64 = f64(float.fromhex("0x1.62e42feep-1"))
LN2_LO_F64 = f64(float.fromhex("0x1.a39ef35793c76p-33"))
TWO_M31, TWO_M24, TWO_M22 = f32(2.0**-31), f32(2.0**-24), f32(2.0**-22)
TWO_M23, TWO_23, TWO_24 = f32(2.0**-23), f32(2.0**23), f32(2.0**24)
TWO_M53, TWO_M51 = f64(2.0**-53), f64(2.0**-51)


def horner(x: np.ndarray, coefficients: list) -> np.ndarray:
    """``c[0] + x*(c[1] + x*(...))``, evaluated from the highest coefficient down, as in C."""
    result = coefficients[-1] * x + coefficients[-2]
    for c in reversed(coefficients[:-2]):
        result = result * x + c
    return result


# ---- words to uniforms ------------------------------------------------------------------


def u01_f32(x: np.ndarray) -> np.ndarray:
    return (x >> np.uint32(8)).astype(f32) * TWO_M24


def u01_radius_f32(x: np.ndarray) -> np.ndarray:
    """Box-Muller's radius uniform in [2**-31, 1]: ``(x >> 1) | 1`` rounded to float32."""
    return ((x >> np.uint32(1)) | np.uint32(1)).view(np.int32).astype(f32) * TWO_M31


def uniform_f32(x: np.ndarray, low, span, cap) -> np.ndarray:
    """``min(low + span * u, cap)`` in float32; mirrors ``wf_kernel_uniform_f32``."""
    return np.minimum(f32(low) + f32(span) * u01_f32(x), f32(cap))


def join64(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return (hi.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)


def u01_f64(x: np.ndarray) -> np.ndarray:
    return (x >> np.uint64(11)).astype(f64) * TWO_M53


def u01_open0_f64(x: np.ndarray) -> np.ndarray:
    return ((x >> np.uint64(11)) + np.uint64(1)).astype(f64) * TWO_M53


# ---- logarithm ------------------------------------------------------------------------------


def log_f32(u: np.ndarray) -> np.ndarray:
    bits = u.view(np.uint32)
    mant = bits & np.uint32(0x7FFFFF)
    above = (mant > np.uint32(0x3504F3)).astype(np.uint32)
    e = (bits >> np.uint32(23)).astype(np.int32) - np.int32(127) + above.astype(np.int32)
    m = (mant | ((np.uint32(127) - above) << np.uint32(23))).view(f32)
    f = m - f32(1)
    s = f / (f32(2) + f)
    s2 = s * s
    log1p = (s + s) + (s * s2) * horner(s2, LOG_F32)
    ef = e.astype(f32)
    return ef * LN2_HI_F32 + (log1p + ef * LN2_LO_F32)


def log_f64(u: np.ndarray) -> np.ndarray:
    bits = u.view(np.uint64)
    mant = bits & np.uint64(0xFFFFFFFFFFFFF)
    above = (mant > np.uint64(0x6A09E667F3BCC)).astype(np.uint64)
    e = (bits >> np.uint64(52)).astype(np.int64) - np.int64(1023) + above.astype(np.int64)
    m = (mant | ((np.uint64(1023) - above) << np.uint64(52))).view(f64)
    f = m - f64(1)
    s = f / (f64(2) + f)
    s2 = s * s
    log1p = (s + s) + (s * s2) * horner(s2, LOG_F64)
    ef = e.astype(f64)
    return ef * LN2_HI_F64 + (log1p + ef * LN2_LO_F64)


# ---- cosine and sine of a fraction of a turn -------------------------------------------------


def quadrant(n: np.ndarray, c: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = n & n.dtype.type(3)
    odd = (q & q.dtype.type(1)) == 1
    cs, sn = np.where(odd, s, c), np.where(odd, c, s)
    cos = np.where((q == 1) | (q == 2), -cs, cs)
    sin = np.where(q >= 2, -sn, sn)
    return cos, sin


def sincos_turn_f32(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of ``2 pi k / 2**24`` for 24-bit ``k`` (uint32)."""
    n = (k + np.uint32(1 << 21)) >> np.uint32(22)
    f = (k.astype(np.int32) - (n << np.uint32(22)).astype(np.int32)).astype(f32) * TWO_M22
    f2 = f * f
    return quadrant(n, horner(f2, COS_F32), f * horner(f2, SIN_F32))


def sincos_turn_f64(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of ``2 pi k / 2**53`` for 53-bit ``k`` (uint64)."""
    n = (k + np.uint64(1 << 50)) >> np.uint64(51)
    f = (k.astype(np.int64) - (n << np.uint64(51)).astype(np.int64)).astype(f64) * TWO_M51
    f2 = f * f
    return quadrant(n, horner(f2, COS_F64), f * horner(f2, SIN_F64))


# ---- Box-Muller ----------------------------------------------------------------------------


def box_muller_f32(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.sqrt(f32(-2) * log_f32(u01_radius_f32(x0)))
    c, s = sincos_turn_f32(x1 >> np.uint32(8))
    return r * c, r * s


def box_muller_f64(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.sqrt(f64(-2) * log_f64(u01_open0_f64(x0)))
    c, s = sincos_turn_f64(x1 >> np.uint64(11))
    return r * c, r * s


# ---- inverse normal CDF and the truncated normal ----------------------------------------


def _ppnd(part: str) -> list:
    return _table(f"WF_PPND_{part}_F64", f64)


PPND = {part: _ppnd(part) for part in "ABCDEFK"}
ERFINV = {
    piece: _table(f"WF_ERFINV_{piece}_F32", f32)
    for piece in ("CENTRAL_A", "CENTRAL_B", "TAIL", "FAR", "K")
}


def ndtri_upper_f64(t: np.ndarray) -> np.ndarray:
    """z >= 0 with Phi(-z) = t (Wichura's AS 241, PPND16); mirrors ``wf_ndtri_upper_f64``.

    All three regions are computed for every element and the right one is picked, which
    gives the same values as C's branches (each region's arithmetic is identical).
    """
    split, split_sq, shift, split2 = PPND["K"]
    with np.errstate(invalid="ignore", divide="ignore"):  # unused regions may see log(>1)
        c = f64(0.5) - t
        r = split_sq - c * c
        central = (c * horner(r, PPND["A"])) / horner(r, PPND["B"])
        rt = np.sqrt(-log_f64(t))
        r2 = rt - shift
        tail = horner(r2, PPND["C"]) / horner(r2, PPND["D"])
        r3 = rt - split2
        far = horner(r3, PPND["E"]) / horner(r3, PPND["F"])
    return np.where(c <= split, central, np.where(rt <= split2, tail, far))


def truncnorm_params_f32(params: tuple) -> tuple:
    """Mirrors ``truncnorm_args`` (csrc/wf_fill.c): ``(mean, std, lo, hi, p_lo, q4_hi,
    m24, m24x4, m23, d)`` from the float parameters ``(mean, std, lo, hi, p_lo, q_hi, mass)``."""
    mean, std, lo, hi, p_lo, q_hi, mass = params
    m = f32(mass)
    return (
        *(f32(v) for v in (mean, std, lo, hi, p_lo)),
        f32(4) * f32(q_hi),
        m * TWO_M24,
        m * TWO_M22,
        m * TWO_M23,
        f32(f64(p_lo) - f64(q_hi)),
    )


def truncnorm_z_f32(words: np.ndarray, params: tuple) -> np.ndarray:
    """The standardized value before the clamp, from uint32 words and the prepared
    parameters; mirrors the first lines of ``wf_truncnorm_f32_value`` (every piece is
    computed for every element and each takes its own, as C's branches do)."""
    _, _, _, _, p_lo, q4_hi, m24, m24x4, m23, d = params
    central_split, tail_split, shift, c0 = ERFINV["K"]
    i = ((words >> np.uint32(8)) | np.uint32(1)).view(np.int32).astype(f32)
    x = d + m23 * (i - TWO_23)
    p = p_lo + m24 * i
    q4 = q4_hi + m24x4 * (TWO_24 - i)
    r = p * q4
    correction = ((x * x) * horner(r, ERFINV["CENTRAL_A"])) / horner(r, ERFINV["CENTRAL_B"])
    L = log_f32(r)
    with np.errstate(invalid="ignore"):  # central elements may have L > 0
        v = np.sqrt(-L) - shift
    g = np.where(L > tail_split, horner(v, ERFINV["TAIL"]), horner(v, ERFINV["FAR"]))
    return np.where(r >= central_split, x * (c0 + correction), x * g)


def truncnorm(words: np.ndarray, params: tuple) -> np.ndarray:
    """Mirrors ``wf_truncnorm_f32_value`` (uint32 words) and ``_f64_value`` (uint64 words)."""
    if words.dtype == np.uint32:
        prepared = truncnorm_params_f32(params)
        mean, std, lo, hi = prepared[:4]
        z = truncnorm_z_f32(words, prepared)
    else:
        k = (words >> np.uint64(12)) * np.uint64(2) + np.uint64(1)
        u = k.astype(f64) * TWO_M53
        mean, std, lo, hi, p_lo, q_hi, mass = (f64(x) for x in params)
        p = p_lo + mass * u
        q = q_hi + mass * (f64(1) - u)
        z = np.where(p <= q, -ndtri_upper_f64(p), ndtri_upper_f64(q))
    z = np.where(z < lo, lo, z)
    z = np.where(z > hi, hi, z)
    return mean + std * z


# ---- the families: a block's words to its values ----------------------------------------
#
# Per family (csrc/wf_families.h, same names and parameters): the values of the 32-bit
# kernel (raw words, float32, and the float32 values 16-bit outputs round) and of the
# float64 kernel, from the words x0..x3 of many blocks (one array each) and the family's
# parameters: the mirror of wf_kernels_scalar.c's kernels. Each returns the elements of every
# block in order.

Words = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
BlockValues = Callable[[Words, tuple], np.ndarray]


def interleave(*columns: np.ndarray) -> np.ndarray:
    """Elements of each block in order: column j holds element j of every block."""
    return np.stack(columns, axis=1).reshape(-1)


def words64(x: Words) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit words of each block."""
    return join64(x[0], x[1]), join64(x[2], x[3])


def raw_u32(x: Words, params: tuple) -> np.ndarray:
    return interleave(*x)


def uniform_values_f32(x: Words, params: tuple) -> np.ndarray:
    return interleave(*(uniform_f32(w, *params) for w in x))


def uniform_values_f64(x: Words, params: tuple) -> np.ndarray:
    low, span, cap = (f64(p) for p in params)
    return interleave(*(np.minimum(low + span * u01_f64(w), cap) for w in words64(x)))


def normal_values_f32(x: Words, params: tuple) -> np.ndarray:
    mean, std = f32(params[0]), f32(params[1])
    z0, z1 = box_muller_f32(x[0], x[1])
    z2, z3 = box_muller_f32(x[2], x[3])
    return interleave(*(mean + std * z for z in (z0, z1, z2, z3)))


def normal_values_f64(x: Words, params: tuple) -> np.ndarray:
    mean, std = f64(params[0]), f64(params[1])
    z0, z1 = box_muller_f64(*words64(x))
    return interleave(mean + std * z0, mean + std * z1)


def truncnorm_values_f32(x: Words, params: tuple) -> np.ndarray:
    return interleave(*(truncnorm(w, params) for w in x))


def truncnorm_values_f64(x: Words, params: tuple) -> np.ndarray:
    return interleave(*(truncnorm(w, params) for w in words64(x)))


# family name -> (values of the 32-bit kernel, of the float64 one; None: no such kernel)
FAMILIES: dict[str, tuple[BlockValues, BlockValues | None]] = {
    "raw_u32": (raw_u32, None),
    "uniform": (uniform_values_f32, uniform_values_f64),
    "normal": (normal_values_f32, normal_values_f64),
    "truncated_normal": (truncnorm_values_f32, truncnorm_values_f64),
}
