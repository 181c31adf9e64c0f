"""The Triton kernels: the stream contract (docs/stream.md) on a GPU, one kernel per family.

Each kernel is the twin of a C block kernel (``csrc/wf_kernels_scalar.c``) and performs the
IEEE operations of ``csrc/wf_transforms.h`` in the same order and precision, so every element
gets the bytes the C core gives it. What makes that hold on a GPU (docs/gpu.md; checked in the
PTX by ``winit_fast._triton.audit``):

* every launch passes ``enable_fp_fusion=False`` (``LAUNCH_OPTIONS``): no multiply-add is
  fused, and the float ``+ - *`` come out as ``add.rn``/``mul.rn``, which ptxas may not fuse;
* division and square root are correctly rounded (``_div``, ``_sqrt``: plain ``/`` and ``tl.sqrt``
  are approximate on float32);
* a negation flips the sign bit (``_negate``): Triton compiles ``-x`` as ``0 - x``, which
  turns ``-0.0`` into ``+0.0``;
* Philox's products are 32 x 32 -> 64-bit integer multiplications (``mul.wide.u32``: one
  instruction gives both halves, where ``tl.umulhi`` and a low product take two), exact;
* float16 uses the hardware's round-to-nearest-even conversion; bfloat16 is rounded with
  integer operations (the C core's formula), because Triton's interpreter truncates it.

Addressing: element ``g`` of the stream (counted from element 0 of block ``origin``) is
computed from ``(seed, stream, g)`` only, never from a thread or program id. Every fill is a
set of *runs* (``csrc/wf_runs.h``): run ``i`` covers stream positions ``start_i + [0,
length)`` and output elements ``out_i + [0, length)``; a contiguous fill is one run. Each lane
computes one Philox block (4 words: 4 float32 values or 2 float64 ones), so Philox runs once
per block as in C, and lays its values side by side (``tl.join``); a program computes 256
blocks: ``BLOCKS`` consecutive blocks of each of ``RUNS`` runs (one run cut into programs of
256 blocks when it is long, many short runs per program otherwise, as the rows of a column
block). So a program writes ``BLOCKS * per`` consecutive elements per run: coalesced stores,
16-byte vectors when a fill starts on a block boundary of an aligned buffer.
"""

from __future__ import annotations

import triton
import triton.language as tl

from winit_fast._coefficients import COEFFICIENTS

# enable_fp_fusion=False: no fused multiply-add (the stream contract has none). Passed at
# every launch, and used by the PTX audit, so the audited code is the code that runs.
LAUNCH_OPTIONS = {"enable_fp_fusion": False, "num_warps": 4}

# Philox blocks per program (RUNS * BLOCKS of fill_kernel): each of the 128 threads (4 warps)
# computes two blocks.
BLOCK = 256

# The layout of the runs is given on at most this many axes (more are looped over on the
# host, backend.py).
MAX_AXES = 3


def _coefficients(name: str) -> tl.constexpr:
    """A coefficient table of csrc/wf_coefficients.h (one home: tools/gen_coefficients.py)."""
    return tl.constexpr(tuple(float.fromhex(text) for text in COEFFICIENTS[name]))


PHILOX_M0 = tl.constexpr(0xD2511F53)
PHILOX_M1 = tl.constexpr(0xCD9E8D57)
PHILOX_W0 = tl.constexpr(0x9E3779B9)
PHILOX_W1 = tl.constexpr(0xBB67AE85)

LOG_F32, SIN_F32, COS_F32 = map(_coefficients, ("WF_LOG_F32", "WF_SIN_F32", "WF_COS_F32"))
LOG_F64, SIN_F64, COS_F64 = map(_coefficients, ("WF_LOG_F64", "WF_SIN_F64", "WF_COS_F64"))
# AS 241's six polynomials, then its constants 0.425, 0.180625, 1.6, 5
PPND_A, PPND_B, PPND_C, PPND_D, PPND_E, PPND_F, PPND_K = (
    _coefficients(f"WF_PPND_{part}_F64") for part in "ABCDEFK"
)
ERFINV_A = _coefficients("WF_ERFINV_CENTRAL_A_F32")
ERFINV_B = _coefficients("WF_ERFINV_CENTRAL_B_F32")
ERFINV_TAIL = _coefficients("WF_ERFINV_TAIL_F32")
ERFINV_FAR = _coefficients("WF_ERFINV_FAR_F32")
ERFINV_K = _coefficients("WF_ERFINV_K_F32")  # 0.055, -16, 3, sqrt(pi/2)

# ln 2 split so that e * LN2_HI is exact (csrc/wf_transforms.h)
LN2_HI_F32 = tl.constexpr(float.fromhex("0x1.62e4p-1"))
LN2_LO_F32 = tl.constexpr(float.fromhex("0x1.7f7d1cp-20"))
LN2_HI_F64 = tl.constexpr(float.fromhex("0x1.62e42feep-1"))
LN2_LO_F64 = tl.constexpr(float.fromhex("0x1.a39ef35793c76p-33"))

TWO_M22 = tl.constexpr(2.0**-22)
TWO_M24 = tl.constexpr(2.0**-24)
TWO_M31 = tl.constexpr(2.0**-31)
TWO_M51 = tl.constexpr(2.0**-51)
TWO_M53 = tl.constexpr(2.0**-53)
TWO_23 = tl.constexpr(2.0**23)
TWO_24 = tl.constexpr(2.0**24)

SIGN_F32 = tl.constexpr(0x80000000)
SIGN_F64 = tl.constexpr(0x8000000000000000)


# ---- helpers: the functions of csrc/wf_transforms.h ------------------------------------------


@triton.jit
def _horner(x, c: tl.constexpr):
    """c[n-1] x^(n-1) + ... + c[0], highest coefficient first (wf_horner_f32/_f64); the
    constants take the precision of x."""
    acc = c[-1] * x + c[-2]
    for i in tl.static_range(3, len(c.value) + 1):
        acc = acc * x + c[-i]
    return acc


@triton.jit
def _div(a, b):
    """a / b correctly rounded: tl.math.div_rn on float32 (plain / is div.full.f32, not
    correctly rounded); on float64 plain / is div.rn.f64 (div_rn takes float32 only)."""
    if a.dtype == tl.float64:
        quotient = a / b
    else:
        quotient = tl.math.div_rn(a, b)
    return quotient


@triton.jit
def _sqrt(x):
    """sqrt(x) correctly rounded: tl.sqrt_rn on float32 (tl.sqrt is sqrt.approx.ftz.f32);
    on float64 tl.sqrt is sqrt.rn.f64 (sqrt_rn takes float32 only)."""
    if x.dtype == tl.float64:
        root = tl.sqrt(x)
    else:
        root = tl.sqrt_rn(x)
    return root


@triton.jit
def _negate(x):
    """-x with the sign of a zero kept: Triton compiles ``-x`` as ``0 - x`` (+0 for +0)."""
    if x.dtype == tl.float64:
        flipped = (x.to(tl.uint64, bitcast=True) ^ SIGN_F64).to(tl.float64, bitcast=True)
    else:
        flipped = (x.to(tl.uint32, bitcast=True) ^ SIGN_F32).to(tl.float32, bitcast=True)
    return flipped


@triton.jit
def _philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 (csrc/wf_philox.h) on uint32 tensors, key words k0, k1 (uint32)."""
    for _ in tl.static_range(10):
        # the 64-bit products (mul.wide.u32: one IMAD.WIDE each, where tl.umulhi and a low
        # multiply would be two instructions)
        p0 = c0.to(tl.uint64) * PHILOX_M0
        p1 = c2.to(tl.uint64) * PHILOX_M1
        hi0, lo0 = (p0 >> 32).to(tl.uint32), p0.to(tl.uint32)
        hi1, lo1 = (p1 >> 32).to(tl.uint32), p1.to(tl.uint32)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        k0 = k0 + PHILOX_W0
        k1 = k1 + PHILOX_W1
    return c0, c1, c2, c3


@triton.jit
def _word(bits):
    """A 32-bit word passed as an int32 argument (its bit pattern), as uint32."""
    return bits.to(tl.int32).to(tl.uint32, bitcast=True)


@triton.jit
def _f32(bits):
    """A float32 parameter passed as its bit pattern (an int32 argument)."""
    return bits.to(tl.int32).to(tl.float32, bitcast=True)


@triton.jit
def _f64(bits):
    """A float64 parameter passed as its bit pattern (an int64 argument)."""
    return bits.to(tl.int64).to(tl.float64, bitcast=True)


@triton.jit
def _join64(lo, hi):
    """The 64-bit word of a float64 element: the second 32-bit word is the high half."""
    return (hi.to(tl.uint64) << 32) | lo.to(tl.uint64)


@triton.jit
def _log(
    u,
    WORD: tl.constexpr,
    SIGNED: tl.constexpr,
    REAL: tl.constexpr,
    MANTISSA: tl.constexpr,
    BIAS: tl.constexpr,
    SQRT2: tl.constexpr,
    LOG: tl.constexpr,
    LN2_HI: tl.constexpr,
    LN2_LO: tl.constexpr,
):
    """ln(u) for a positive normal u, csrc/wf_transforms.h's float32 and float64 twins in one
    body (they differ only in their widths and constants: _log_f32, _log_f64; SQRT2 is the
    mantissa bits of sqrt(2)): u = m 2^e with m in [sqrt(2)/2, sqrt(2)), then ln(m) =
    2 atanh(s), s = (m - 1) / (m + 1)."""
    bits = u.to(WORD, bitcast=True)
    mant = bits & ((1 << MANTISSA) - 1)
    above = (mant > SQRT2).to(WORD)  # m > sqrt(2): halve m, bump e
    e = (bits >> MANTISSA).to(SIGNED) - BIAS + above.to(SIGNED)
    m = (mant | ((BIAS - above) << MANTISSA)).to(REAL, bitcast=True)
    f = m - 1.0
    s = _div(f, 2.0 + f)
    s2 = s * s
    log1p = (s + s) + (s * s2) * _horner(s2, LOG)
    ef = e.to(REAL)
    return ef * LN2_HI + (log1p + ef * LN2_LO)


@triton.jit
def _log_f32(u):
    return _log(
        u, tl.uint32, tl.int32, tl.float32, 23, 127, 0x3504F3, LOG_F32, LN2_HI_F32, LN2_LO_F32
    )


@triton.jit
def _log_f64(u):
    return _log(
        u,
        tl.uint64,
        tl.int64,
        tl.float64,
        52,
        1023,
        0x6A09E667F3BCC,
        LOG_F64,
        LN2_HI_F64,
        LN2_LO_F64,
    )


@triton.jit
def _quadrant(n, c, s):
    """(cos, sin) of (n + f) quarter turns from c = cos(pi/2 f), s = sin(pi/2 f)."""
    q = n & 3
    odd = (q & 1) == 1
    cs = tl.where(odd, s, c)
    sn = tl.where(odd, c, s)
    cos = tl.where((q == 1) | (q == 2), _negate(cs), cs)
    sin = tl.where(q >= 2, _negate(sn), sn)
    return cos, sin


@triton.jit
def _sincos_turn(
    k,
    QUARTER: tl.constexpr,
    SIGNED: tl.constexpr,
    REAL: tl.constexpr,
    SCALE: tl.constexpr,
    SIN: tl.constexpr,
    COS: tl.constexpr,
):
    """cos and sin of 2 pi k / 2^(QUARTER + 2), the quarter turn from the integer: float32's
    (k: uint32, 24 bits; QUARTER 22, int32, SCALE 2^-22, SIN_F32, COS_F32) and float64's (k:
    uint64, 53 bits; 51, int64, 2^-51, SIN_F64, COS_F64), the twins of csrc/wf_transforms.h
    in one body: they differ only in their widths and coefficients."""
    n = (k + (1 << (QUARTER - 1))) >> QUARTER
    f = (k.to(SIGNED, bitcast=True) - (n << QUARTER).to(SIGNED, bitcast=True)).to(REAL)
    f = f * SCALE
    f2 = f * f
    s = f * _horner(f2, SIN)
    c = _horner(f2, COS)
    return _quadrant(n, c, s)


@triton.jit
def _box_muller_f32(x0, x1):
    """Two standard normals from two words: x0 gives the radius, x1 the angle."""
    # radius uniform in [2^-31, 1]: the odd 31-bit integer (x >> 1) | 1, a signed conversion
    u = ((x0 >> 1) | 1).to(tl.int32, bitcast=True).to(tl.float32) * TWO_M31
    r = _sqrt(-2.0 * _log_f32(u))
    c, s = _sincos_turn(x1 >> 8, 22, tl.int32, tl.float32, TWO_M22, SIN_F32, COS_F32)
    return r * c, r * s


@triton.jit
def _box_muller_f64(w0, w1):
    u = ((w0 >> 11) + 1).to(tl.float64) * TWO_M53
    r = _sqrt(-2.0 * _log_f64(u))
    c, s = _sincos_turn(w1 >> 11, 51, tl.int64, tl.float64, TWO_M51, SIN_F64, COS_F64)
    return r * c, r * s


@triton.jit
def _clamp(z, lo, hi):
    """z clamped to [lo, hi] as C writes it (a comparison and a select, never min/max)."""
    z = tl.where(z < lo, lo, z)
    return tl.where(z > hi, hi, z)


@triton.jit
def _truncnorm_f32(word, p_lo, q4_hi, m24, m24x4, m23, d, lo, hi):
    """The standardized value of wf_truncnorm_f32_value, clamped (before mean + std z)."""
    i = ((word >> 8) | 1).to(tl.int32, bitcast=True).to(tl.float32)  # odd, below 2^24
    x = d + m23 * (i - TWO_23)  # exact, as are 2^24 - i and i itself
    p = p_lo + m24 * i
    q4 = q4_hi + m24x4 * (TWO_24 - i)
    r = p * q4
    num = _horner(r, ERFINV_A)
    den = _horner(r, ERFINV_B)
    z = x * (ERFINV_K[3] + _div((x * x) * num, den))
    central = r >= ERFINV_K[0]
    # The tails need a logarithm: computed only by programs that have a lane there (none for
    # the Keras default [-2, 2]); each lane keeps the piece its r selects, as C's branches do.
    if tl.min(central.to(tl.int32)) == 0:
        L = _log_f32(r)
        v = _sqrt(_negate(L)) - ERFINV_K[2]
        g = tl.where(L > ERFINV_K[1], _horner(v, ERFINV_TAIL), _horner(v, ERFINV_FAR))
        z = tl.where(central, z, x * g)
    return _clamp(z, lo, hi)


@triton.jit
def _ndtri_upper_f64(t):
    """The z >= 0 with Phi(-z) = t: Wichura's AS 241 (PPND16), as wf_ndtri_upper_f64."""
    c = 0.5 - t
    r = PPND_K[1] - c * c
    g = _div(c * _horner(r, PPND_A), _horner(r, PPND_B))
    central = c <= PPND_K[0]
    if tl.min(central.to(tl.int32)) == 0:  # some lane is in a tail
        rt = _sqrt(_negate(_log_f64(t)))
        r2 = rt - PPND_K[2]
        tail = _div(_horner(r2, PPND_C), _horner(r2, PPND_D))
        r3 = rt - PPND_K[3]
        far = _div(_horner(r3, PPND_E), _horner(r3, PPND_F))
        g = tl.where(central, g, tl.where(rt <= PPND_K[3], tail, far))
    return g


@triton.jit
def _truncnorm_f64(w, p_lo, q_hi, mass, lo, hi):
    u = (2 * (w >> 12) + 1).to(tl.float64) * TWO_M53
    p = p_lo + mass * u
    q = q_hi + mass * (1.0 - u)
    lower = p <= q
    g = _ndtri_upper_f64(tl.where(lower, p, q))
    return _clamp(tl.where(lower, _negate(g), g), lo, hi)


# ---- the values of each family: words to a tile of values in element order ------------------


@triton.jit
def _tile4(v0, v1, v2, v3):
    """The four values of each block side by side, in element order: [..., 2, 2]."""
    return tl.join(tl.join(v0, v2), tl.join(v1, v3))


@triton.jit
def _uniform_values(x0, x1, x2, x3, low, span, cap, PER: tl.constexpr):
    """min(low + span * u, cap) in the working precision (wf_kernel_uniform_f32/_f64)."""
    if PER == 2:
        u = (tl.join(_join64(x0, x1), _join64(x2, x3)) >> 11).to(tl.float64) * TWO_M53
        value = _f64(low) + _f64(span) * u
        tile = tl.where(value > _f64(cap), _f64(cap), value)
    else:
        u = (_tile4(x0, x1, x2, x3) >> 8).to(tl.float32) * TWO_M24
        value = _f32(low) + _f32(span) * u
        tile = tl.where(value > _f32(cap), _f32(cap), value)
    return tile


@triton.jit
def _normal_values(x0, x1, x2, x3, mean, std, PER: tl.constexpr):
    """mean + std * z, z from Box-Muller on the pairs of each block (wf_kernel_normal_*)."""
    if PER == 2:
        z0, z1 = _box_muller_f64(_join64(x0, x1), _join64(x2, x3))
        tile = _f64(mean) + _f64(std) * tl.join(z0, z1)
    else:
        # both pairs of a block at once: radius words x0, x2 and angle words x1, x3
        cos_z, sin_z = _box_muller_f32(tl.join(x0, x2), tl.join(x1, x3))
        tile = _f32(mean) + _f32(std) * tl.join(cos_z, sin_z)  # z0 z1 | z2 z3
    return tile


@triton.jit
def _truncated_normal_values(
    x0, x1, x2, x3, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, PER: tl.constexpr
):
    """mean + std * z, z the clamped inverse CDF of each element's word.

    Parameters: float64 (mean, std, lo, hi, p_lo, q_hi, mass); float32 (mean, std, lo, hi,
    p_lo, q4_hi, m24, m24x4, m23, d) as truncnorm_f32_params forms them."""
    if PER == 2:
        words = tl.join(_join64(x0, x1), _join64(x2, x3))
        z = _truncnorm_f64(words, _f64(p4), _f64(p5), _f64(p6), _f64(p2), _f64(p3))
        tile = _f64(p0) + _f64(p1) * z
    else:
        words = _tile4(x0, x1, x2, x3)
        p_lo, q4_hi, m24, m24x4, m23, d = _f32(p4), _f32(p5), _f32(p6), _f32(p7), _f32(p8), _f32(p9)
        z = _truncnorm_f32(words, p_lo, q4_hi, m24, m24x4, m23, d, _f32(p2), _f32(p3))
        tile = _f32(p0) + _f32(p1) * z
    return tile


# ---- addressing and stores -------------------------------------------------------------------


@triton.jit
def _block_words(
    key0, key1, stream0, stream1, origin_lo, origin_hi, first_block, BLOCKS: tl.constexpr
):
    """The words x0..x3 of blocks origin + first_block + [0, BLOCKS) (uint32 tensors of
    shape [RUNS, BLOCKS]); the block index wraps modulo 2^64 as in C."""
    origin = (_word(origin_hi).to(tl.uint64) << 32) | _word(origin_lo).to(tl.uint64)
    blocks = origin + (first_block + tl.arange(0, BLOCKS)[None, :]).to(tl.uint64)
    c0 = blocks.to(tl.uint32)
    c1 = (blocks >> 32).to(tl.uint32)
    c2 = c0 * 0 + _word(stream0)
    c3 = c0 * 0 + _word(stream1)
    return _philox(c0, c1, c2, c3, _word(key0), _word(key1))


@triton.jit
def _store(
    out_ptr,
    tile,
    live,
    start,
    out_first,
    first_block,
    length,
    PER: tl.constexpr,
    BLOCKS: tl.constexpr,
):
    """Writes the elements of a tile of values ([RUNS, BLOCKS, ...], element order within a
    run) that belong to the runs: stream positions [start, start + length) of a run go to
    out[out_first + (0, 1, ...)]."""
    values = tl.reshape(tile, [tile.shape[0], BLOCKS * PER])
    position = first_block * PER + tl.arange(0, BLOCKS * PER)[None, :]
    keep = live & (position >= start) & (position < start + length)
    target = out_ptr + (out_first + (position - start))
    if out_ptr.dtype.element_ty == tl.float16:
        tl.store(target, values.to(tl.float16), mask=keep)  # cvt.rn: round to nearest even
    elif out_ptr.dtype.element_ty == tl.int16:  # bfloat16 bits, rounded as wf_f32_to_bf16
        bits = values.to(tl.uint32, bitcast=True)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        tl.store(target, rounded.to(tl.uint16).to(tl.int16, bitcast=True), mask=keep)
    elif out_ptr.dtype.element_ty == tl.int32:  # raw words
        tl.store(target, values.to(tl.int32, bitcast=True), mask=keep)
    else:
        tl.store(target, values, mask=keep)


# ---- the kernel: one per family (FAMILY is a constexpr: each family compiles on its own) --
#
# Arguments (backend.py fills them):
#   out_ptr: float32/float64/float16 output, int16 for bfloat16 bits, int32 for raw words;
#   key0, key1, stream0, stream1, origin_lo, origin_hi: the seed, the stream id and the origin
#     block as 32-bit words (int32 bit patterns);
#   length, n_runs, n_chunks: the run length in elements, the number of runs, the programs
#     per group of runs; start0, count1, count2, step0..2, out_start, out_step0..2: the runs
#     (where each program's lie: the kernel's first lines);
#   p0..p9: the family's parameters as float bit patterns (float32 or float64 by PER).
# The int arguments are typed by annotation and not specialized on their value
# (do_not_specialize), so one compiled variant serves every shape, seed and place; only
# `length` keeps Triton's divisibility specialization, which lets aligned fills use vector
# stores.
# Constexprs: FAMILY (the C enum: 0 raw_u32, 1 uniform, 2 normal, 3 truncated_normal), PER
# elements per block (2: float64, 4: the rest), N_AXES (0..3), ALIGNED, RUNS runs per program
# and BLOCKS Philox blocks per run and program (RUNS * BLOCKS = 256: 2 per thread).

FAMILY_CODES = {"raw_u32": 0, "uniform": 1, "normal": 2, "truncated_normal": 3}
_INTS = [
    "key0",
    "key1",
    "stream0",
    "stream1",
    "origin_lo",
    "origin_hi",
    "n_runs",
    "n_chunks",
    "start0",
]
_RUNS = [
    "count1",
    "count2",
    "step0",
    "step1",
    "step2",
    "out_start",
    "out_step0",
    "out_step1",
    "out_step2",
]
_PARAMS = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"]


@triton.jit(do_not_specialize=_INTS + _RUNS + _PARAMS)
def fill_kernel(
    out_ptr,
    key0: tl.int32,
    key1: tl.int32,
    stream0: tl.int32,
    stream1: tl.int32,
    origin_lo: tl.int32,
    origin_hi: tl.int32,
    length: tl.int64,
    n_runs: tl.int64,
    n_chunks: tl.int64,
    start0: tl.int64,
    count1: tl.int64,
    count2: tl.int64,
    step0: tl.int64,
    step1: tl.int64,
    step2: tl.int64,
    out_start: tl.int64,
    out_step0: tl.int64,
    out_step1: tl.int64,
    out_step2: tl.int64,
    p0: tl.int64,
    p1: tl.int64,
    p2: tl.int64,
    p3: tl.int64,
    p4: tl.int64,
    p5: tl.int64,
    p6: tl.int64,
    p7: tl.int64,
    p8: tl.int64,
    p9: tl.int64,
    FAMILY: tl.constexpr,
    PER: tl.constexpr,
    N_AXES: tl.constexpr,
    ALIGNED: tl.constexpr,
    RUNS: tl.constexpr,
    BLOCKS: tl.constexpr,
):
    # This program's part of the runs, each of shape [RUNS, 1] (scalars when ALIGNED): it
    # fills blocks `first + [0, BLOCKS)` of RUNS consecutive runs (counted from the origin
    # block); a run's stream positions start at `start` (counted from element 0 of the origin
    # block) and its first element goes to out[out_first]; `live` is False past the last run.
    # Run (i0, i1, i2) (C order; the outermost count is n_runs / (count1 count2)) starts at
    # start0 + sum(i_k step_k) and goes to out_start + sum(i_k out_step_k). Short runs share a
    # program (RUNS > 1, BLOCKS the blocks one touches); a long one is cut into n_chunks
    # programs of BLOCKS blocks. ALIGNED: one run, from element 0 of the origin block into
    # element 0 of out, so the compiler sees aligned addresses (vector stores).
    pid = tl.program_id(0).to(tl.int64)
    if ALIGNED:
        live = True
        start = 0
        out_first = 0
        first = pid * BLOCKS
    else:
        group = pid // n_chunks
        chunk = pid - group * n_chunks
        run = (group * RUNS + tl.arange(0, RUNS)).to(tl.int64)[:, None]
        live = run < n_runs
        start = start0 + run * 0
        out_first = out_start + run * 0
        if N_AXES >= 3:
            i2 = run % count2
            run = run // count2
            start += i2 * step2
            out_first += i2 * out_step2
        if N_AXES >= 2:
            i1 = run % count1
            run = run // count1
            start += i1 * step1
            out_first += i1 * out_step1
        if N_AXES >= 1:
            start += run * step0
            out_first += run * out_step0
        first = start // PER + chunk * BLOCKS
    x0, x1, x2, x3 = _block_words(key0, key1, stream0, stream1, origin_lo, origin_hi, first, BLOCKS)
    if FAMILY == 0:
        tile = _tile4(x0, x1, x2, x3)
    elif FAMILY == 1:
        tile = _uniform_values(x0, x1, x2, x3, p0, p1, p2, PER)
    elif FAMILY == 2:
        tile = _normal_values(x0, x1, x2, x3, p0, p1, PER)
    else:
        tile = _truncated_normal_values(x0, x1, x2, x3, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, PER)
    _store(out_ptr, tile, live, start, out_first, first, length, PER, BLOCKS)


@triton.jit
def philox_kernel(counters_ptr, out_ptr, n, key0: tl.int32, key1: tl.int32, BLOCKS: tl.constexpr):
    """The block function over n counters: rows of 4 words (int32 bit patterns) in and out."""
    row = tl.program_id(0).to(tl.int64) * BLOCKS + tl.arange(0, BLOCKS)[None, :]
    keep = row < n
    at = counters_ptr + 4 * row
    c0 = tl.load(at, mask=keep, other=0).to(tl.uint32, bitcast=True)
    c1 = tl.load(at + 1, mask=keep, other=0).to(tl.uint32, bitcast=True)
    c2 = tl.load(at + 2, mask=keep, other=0).to(tl.uint32, bitcast=True)
    c3 = tl.load(at + 3, mask=keep, other=0).to(tl.uint32, bitcast=True)
    x0, x1, x2, x3 = _philox(c0, c1, c2, c3, _word(key0), _word(key1))
    first = tl.program_id(0).to(tl.int64) * BLOCKS
    _store(out_ptr, _tile4(x0, x1, x2, x3), True, 0, 0, first, 4 * n, 4, BLOCKS)
