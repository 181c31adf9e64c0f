/* Vector abstraction for the generic SIMD kernels (wf_simd_kernels.inc): AArch64 Advanced SIMD
 * (NEON), which every AArch64 CPU has, so no flag and no run-time check are needed.
 * v32: 8 lanes of float / uint32; v64: 4 lanes of double / uint64.  Masks are all-ones lanes.
 *
 * A vector is two 128-bit registers (.v[0] holds lanes 0-3, .v[1] lanes 4-7), the width of
 * AVX2.  AArch64 instructions take no memory operands, so each polynomial coefficient costs
 * two instructions to load (adrp + ldr); with 8 lanes that load, and each all-lanes test,
 * serves 8 values instead of 4 (tools/neon_instructions.sh counts the difference).
 *
 * Every operation is one IEEE operation per lane, as in the scalar code: multiplies and adds
 * stay separate (vmulq + vaddq, never the fused vfmaq/vfmsq), division and square root are the
 * correctly rounded vdivq/vsqrtq (never the vrecpe/vrsqrte estimates), and the conversions
 * and the float16 narrowing round to nearest even, the mode of the default FPCR that Linux and
 * macOS give every thread. */
#ifndef WF_VEC_NEON_H
#define WF_VEC_NEON_H

#if !defined(__aarch64__)
#error "the NEON kernels are for AArch64 targets (setup.py defines WF_HAVE_NEON only there)"
#endif

#include <arm_neon.h>
#include <stdint.h>

#define WF_VEC_NAME neon
#define WF_W 8 /* 32-bit lanes = Philox blocks per step */

typedef struct vf {
    float32x4_t v[2];
} vf;
typedef struct vi {
    uint32x4_t v[2];
} vi;
typedef vi vm;
typedef struct vd {
    float64x2_t v[2];
} vd;
typedef struct vl {
    uint64x2_t v[2];
} vl;
typedef vl vmd;

/* f applied to each half: of a, of (a, b), of (a, immediate n), and a blend. */
#define WF_EACH1(T, f, a) ((T){{f((a).v[0]), f((a).v[1])}})
#define WF_EACH2(T, f, a, b) ((T){{f((a).v[0], (b).v[0]), f((a).v[1], (b).v[1])}})
#define WF_EACHN(T, f, a, n) ((T){{f((a).v[0], (n)), f((a).v[1], (n))}})
#define WF_BSL(T, f, m, if_false, if_true)                                                         \
    ((T){{f((m).v[0], (if_true).v[0], (if_false).v[0]),                                            \
          f((m).v[1], (if_true).v[1], (if_false).v[1])}})

/* ---- 32-bit integers ---- */
static inline uint32x4_t wf_gt_s32(uint32x4_t a, uint32x4_t b)
{
    return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b));
}
static inline uint32x4_t wf_nonzero_u32(uint32x4_t a) { return vtstq_u32(a, a); }
/* 32x32 -> 64-bit products of 4 lanes with m (the widening UMULL / UMULL2), split into their
 * high and low halves. */
static inline void wf_mulhilo4(uint32x4_t a, uint32_t m, uint32x4_t *hi, uint32x4_t *lo)
{
    const uint32x4_t p01 = vreinterpretq_u32_u64(vmull_n_u32(vget_low_u32(a), m));
    const uint32x4_t p23 = vreinterpretq_u32_u64(vmull_high_n_u32(a, m));
    *lo = vuzp1q_u32(p01, p23);
    *hi = vuzp2q_u32(p01, p23);
}

static inline vi vi_set1(uint32_t x)
{
    const uint32x4_t v = vdupq_n_u32(x);
    return (vi){{v, v}};
}
static inline vi vi_load(const uint32_t *p) { return (vi){{vld1q_u32(p), vld1q_u32(p + 4)}}; }
static inline vi vi_add(vi a, vi b) { return WF_EACH2(vi, vaddq_u32, a, b); }
static inline vi vi_sub(vi a, vi b) { return WF_EACH2(vi, vsubq_u32, a, b); }
static inline vi vi_xor(vi a, vi b) { return WF_EACH2(vi, veorq_u32, a, b); }
static inline vi vi_xor3(vi a, vi b, vi c) { return vi_xor(vi_xor(a, b), c); }
static inline vi vi_and(vi a, vi b) { return WF_EACH2(vi, vandq_u32, a, b); }
static inline vi vi_or(vi a, vi b) { return WF_EACH2(vi, vorrq_u32, a, b); }
#define vi_srli(a, n) WF_EACHN(vi, vshrq_n_u32, a, n)
#define vi_slli(a, n) WF_EACHN(vi, vshlq_n_u32, a, n)
static inline vm vi_gt(vi a, vi b) { return WF_EACH2(vm, wf_gt_s32, a, b); } /* signed */
static inline vm vi_nonzero(vi a) { return WF_EACH1(vm, wf_nonzero_u32, a); }
static inline vm vm_or(vm a, vm b) { return vi_or(a, b); }
static inline int vm_all(vm m) { return vminvq_u32(vandq_u32(m.v[0], m.v[1])) == UINT32_MAX; }
static inline vmd vmd_or(vmd a, vmd b) { return WF_EACH2(vmd, vorrq_u64, a, b); }
static inline int vmd_all(vmd m)
{
    return vminvq_u32(vreinterpretq_u32_u64(vandq_u64(m.v[0], m.v[1]))) == UINT32_MAX;
}
static inline vi vi_blend(vm m, vi if_false, vi if_true)
{
    return WF_BSL(vi, vbslq_u32, m, if_false, if_true);
}
static inline void vi_mulhilo(vi a, uint32_t m, vi *hi, vi *lo)
{
    wf_mulhilo4(a.v[0], m, &hi->v[0], &lo->v[0]);
    wf_mulhilo4(a.v[1], m, &hi->v[1], &lo->v[1]);
}

/* ---- float ---- */
static inline float32x4_t wf_from_s32(uint32x4_t a)
{
    return vcvtq_f32_s32(vreinterpretq_s32_u32(a));
}

static inline vf vf_set1(float x)
{
    const float32x4_t v = vdupq_n_f32(x);
    return (vf){{v, v}};
}
static inline vf vf_add(vf a, vf b) { return WF_EACH2(vf, vaddq_f32, a, b); }
static inline vf vf_sub(vf a, vf b) { return WF_EACH2(vf, vsubq_f32, a, b); }
static inline vf vf_mul(vf a, vf b) { return WF_EACH2(vf, vmulq_f32, a, b); }
static inline vf vf_div(vf a, vf b) { return WF_EACH2(vf, vdivq_f32, a, b); }
static inline vf vf_sqrt(vf a) { return WF_EACH1(vf, vsqrtq_f32, a); }
/* ordered comparisons: false when either side is NaN, as C's <= < > */
static inline vm vf_le(vf a, vf b) { return WF_EACH2(vm, vcleq_f32, a, b); }
static inline vm vf_lt(vf a, vf b) { return WF_EACH2(vm, vcltq_f32, a, b); }
static inline vm vf_gt(vf a, vf b) { return WF_EACH2(vm, vcgtq_f32, a, b); }
static inline vf vf_blend(vm m, vf if_false, vf if_true)
{
    return WF_BSL(vf, vbslq_f32, m, if_false, if_true);
}
static inline vf vf_from_bits(vi a) { return WF_EACH1(vf, vreinterpretq_f32_u32, a); }
static inline vi vf_bits(vf a) { return WF_EACH1(vi, vreinterpretq_u32_f32, a); }
/* signed int32 -> float, rounded to nearest even (exact below 2^24) */
static inline vf vf_from_int(vi a) { return WF_EACH1(vf, wf_from_s32, a); }

/* Stores a0 b0 c0 d0 a1 b1 c1 d1 ... (32 floats): an ST4 per half. */
static inline void vf_store_interleave4(float *out, vf a, vf b, vf c, vf d)
{
    for (int h = 0; h < 2; ++h) {
        const float32x4x4_t v = {{a.v[h], b.v[h], c.v[h], d.v[h]}};
        vst4q_f32(out + 16 * h, v);
    }
}

/* Lane order of the block counters for 64-bit outputs: ZIP1/ZIP2 of the words (x0, x1) of
 * each half give the 64-bit words of its lanes in order, so the blocks need no reordering. */
static const uint32_t WF_PERM64[WF_W] = {0, 1, 2, 3, 4, 5, 6, 7};

/* ---- 64-bit integers and double ---- */
static inline uint64x2_t wf_gt_s64(uint64x2_t a, uint64x2_t b)
{
    return vcgtq_s64(vreinterpretq_s64_u64(a), vreinterpretq_s64_u64(b));
}
static inline uint64x2_t wf_nonzero_u64(uint64x2_t a) { return vtstq_u64(a, a); }
static inline float64x2_t wf_from_s64(uint64x2_t a)
{
    return vcvtq_f64_s64(vreinterpretq_s64_u64(a));
}
static inline uint64x2_t wf_zip1(uint32x4_t lo, uint32x4_t hi)
{
    return vreinterpretq_u64_u32(vzip1q_u32(lo, hi));
}
static inline uint64x2_t wf_zip2(uint32x4_t lo, uint32x4_t hi)
{
    return vreinterpretq_u64_u32(vzip2q_u32(lo, hi));
}

/* The 64-bit words (lo, hi) of lanes 0-3 (join_lo) and 4-7 (join_hi). */
static inline vl vl_join_lo(vi lo, vi hi)
{
    return (vl){{wf_zip1(lo.v[0], hi.v[0]), wf_zip2(lo.v[0], hi.v[0])}};
}
static inline vl vl_join_hi(vi lo, vi hi)
{
    return (vl){{wf_zip1(lo.v[1], hi.v[1]), wf_zip2(lo.v[1], hi.v[1])}};
}
static inline vl vl_set1(uint64_t x)
{
    const uint64x2_t v = vdupq_n_u64(x);
    return (vl){{v, v}};
}
static inline vl vl_add(vl a, vl b) { return WF_EACH2(vl, vaddq_u64, a, b); }
static inline vl vl_sub(vl a, vl b) { return WF_EACH2(vl, vsubq_u64, a, b); }
static inline vl vl_and(vl a, vl b) { return WF_EACH2(vl, vandq_u64, a, b); }
static inline vl vl_or(vl a, vl b) { return WF_EACH2(vl, vorrq_u64, a, b); }
static inline vl vl_xor(vl a, vl b) { return WF_EACH2(vl, veorq_u64, a, b); }
#define vl_srli(a, n) WF_EACHN(vl, vshrq_n_u64, a, n)
#define vl_slli(a, n) WF_EACHN(vl, vshlq_n_u64, a, n)
static inline vmd vl_gt(vl a, vl b) { return WF_EACH2(vmd, wf_gt_s64, a, b); } /* signed */
static inline vmd vl_nonzero(vl a) { return WF_EACH1(vmd, wf_nonzero_u64, a); }
static inline vl vl_blend(vmd m, vl if_false, vl if_true)
{
    return WF_BSL(vl, vbslq_u64, m, if_false, if_true);
}

static inline vd vd_set1(double x)
{
    const float64x2_t v = vdupq_n_f64(x);
    return (vd){{v, v}};
}
static inline vd vd_add(vd a, vd b) { return WF_EACH2(vd, vaddq_f64, a, b); }
static inline vd vd_sub(vd a, vd b) { return WF_EACH2(vd, vsubq_f64, a, b); }
static inline vd vd_mul(vd a, vd b) { return WF_EACH2(vd, vmulq_f64, a, b); }
static inline vd vd_div(vd a, vd b) { return WF_EACH2(vd, vdivq_f64, a, b); }
static inline vd vd_sqrt(vd a) { return WF_EACH1(vd, vsqrtq_f64, a); }
static inline vmd vd_le(vd a, vd b) { return WF_EACH2(vmd, vcleq_f64, a, b); }
static inline vmd vd_lt(vd a, vd b) { return WF_EACH2(vmd, vcltq_f64, a, b); }
static inline vmd vd_gt(vd a, vd b) { return WF_EACH2(vmd, vcgtq_f64, a, b); }
static inline vd vd_blend(vmd m, vd if_false, vd if_true)
{
    return WF_BSL(vd, vbslq_f64, m, if_false, if_true);
}
static inline vd vd_from_bits(vl a) { return WF_EACH1(vd, vreinterpretq_f64_u64, a); }
static inline vl vd_bits(vd a) { return WF_EACH1(vl, vreinterpretq_u64_f64, a); }
/* int64 -> double, exact for the magnitudes used here (below 2^53) */
static inline vd vd_from_int(vl a) { return WF_EACH1(vd, wf_from_s64, a); }
static inline vd vd_from_uint(vl a) { return WF_EACH1(vd, vcvtq_f64_u64, a); }

/* Stores a0 b0 a1 b1 ... (8 doubles): an ST2 per half. */
static inline void vd_store_interleave2(double *out, vd a, vd b)
{
    for (int h = 0; h < 2; ++h) {
        const float64x2x2_t v = {{a.v[h], b.v[h]}};
        vst2q_f64(out + 4 * h, v);
    }
}

/* ---- float32 -> 16-bit ---- */
/* FCVTN rounds to nearest even (FPCR.RMode), keeps a NaN's sign and top payload bits and sets
 * its quiet bit, and gives infinity from 65520 up: wf_f32_to_f16's rules, bit for bit
 * (checked on every class of input by tools/check_aarch64.sh). */
static inline void vf_store_f16(uint16_t *out, vf a)
{
    const float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(a.v[0]), a.v[1]);
    vst1q_u16(out, vreinterpretq_u16_f16(h));
}

#endif /* WF_VEC_NEON_H */
