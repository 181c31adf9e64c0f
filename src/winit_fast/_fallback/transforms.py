"""Words to values: the mirror of ``csrc/wf_transforms.h``, operation for operation.

Each line does the IEEE operation its C twin does, in the same order and precision, so the
results agree to the last bit. Constants are explicit NumPy scalars of the working type: a
Python float would be rounded differently or promote the arithmetic.
"""

from __future__ import annotations

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
TWO_M24, TWO_M22 = f32(2.0**-24), f32(2.0**-22)
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


def u01_open0_f32(x: np.ndarray) -> np.ndarray:
    return ((x >> np.uint32(8)) + np.uint32(1)).astype(f32) * TWO_M24


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
    r = np.sqrt(f32(-2) * log_f32(u01_open0_f32(x0)))
    c, s = sincos_turn_f32(x1 >> np.uint32(8))
    return r * c, r * s


def box_muller_f64(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.sqrt(f64(-2) * log_f64(u01_open0_f64(x0)))
    c, s = sincos_turn_f64(x1 >> np.uint64(11))
    return r * c, r * s


# ---- inverse normal CDF and the truncated normal ----------------------------------------


def _ppnd(precision: str, part: str, kind: type) -> list:
    return _table(f"WF_PPND_{part}_{precision}", kind)


PPND = {
    f32: {part: _ppnd("F32", part, f32) for part in "ABCDEFK"},
    f64: {part: _ppnd("F64", part, f64) for part in "ABCDEFK"},
}


def ndtri_upper(t: np.ndarray) -> np.ndarray:
    """z >= 0 with Phi(-z) = t (Wichura's AS 241); mirrors ``wf_ndtri_upper_f32/_f64``.

    All three regions are computed for every element and the right one is picked, which
    gives the same values as C's branches (each region's arithmetic is identical).
    """
    kind = t.dtype.type
    c_ = PPND[kind]
    split, split_sq, shift, split2 = c_["K"]
    with np.errstate(invalid="ignore", divide="ignore"):  # unused regions may see log(>1)
        c = kind(0.5) - t
        r = split_sq - c * c
        central = (c * horner(r, c_["A"])) / horner(r, c_["B"])
        rt = np.sqrt(-(log_f32(t) if kind is f32 else log_f64(t)))
        r2 = rt - shift
        tail = horner(r2, c_["C"]) / horner(r2, c_["D"])
        r3 = rt - split2
        far = horner(r3, c_["E"]) / horner(r3, c_["F"])
    return np.where(c <= split, central, np.where(rt <= split2, tail, far))


def truncnorm(words: np.ndarray, params: tuple) -> np.ndarray:
    """Mirrors ``wf_truncnorm_f32_value`` (uint32 words) and ``_f64_value`` (uint64 words)."""
    kind: type[np.floating]
    if words.dtype == np.uint32:
        kind, k = f32, (words >> np.uint32(9)) * np.uint32(2) + np.uint32(1)
        u = k.astype(f32) * TWO_M24
    else:
        kind, k = f64, (words >> np.uint64(12)) * np.uint64(2) + np.uint64(1)
        u = k.astype(f64) * TWO_M53
    mean, std, lo, hi, p_lo, q_hi, mass = (kind(x) for x in params)
    p = p_lo + mass * u
    q = q_hi + mass * (kind(1) - u)
    z = np.where(p <= q, -ndtri_upper(p), ndtri_upper(q))
    z = np.where(z < lo, lo, z)
    z = np.where(z > hi, hi, z)
    return mean + std * z
