/* Vector abstraction for the generic SIMD kernels (wf_simd_kernels.inc): AArch64 Advanced SIMD
 * (NEON), which every AArch64 CPU has, so no flag and no run-time check are needed.
 * v32: 4 lanes of float / uint32; v64: 2 lanes of double / uint64.  Masks are all-ones lanes.
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
#define WF_W 4 /* 32-bit lanes = Philox blocks per step */

typedef float32x4_t vf;
typedef uint32x4_t vi;
typedef uint32x4_t vm;
typedef float64x2_t vd;
typedef uint64x2_t vl;
typedef uint64x2_t vmd;

/* ---- 32-bit integers ---- */
static inline vi vi_set1(uint32_t x) { return vdupq_n_u32(x); }
static inline vi vi_load(const uint32_t *p) { return vld1q_u32(p); }
static inline vi vi_add(vi a, vi b) { return vaddq_u32(a, b); }
static inline vi vi_sub(vi a, vi b) { return vsubq_u32(a, b); }
static inline vi vi_xor(vi a, vi b) { return veorq_u32(a, b); }
static inline vi vi_xor3(vi a, vi b, vi c) { return veorq_u32(veorq_u32(a, b), c); }
static inline vi vi_and(vi a, vi b) { return vandq_u32(a, b); }
static inline vi vi_or(vi a, vi b) { return vorrq_u32(a, b); }
#define vi_srli(a, n) vshrq_n_u32((a), (n))
#define vi_slli(a, n) vshlq_n_u32((a), (n))
static inline vm vi_gt(vi a, vi b) /* signed */
{
    return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b));
}
static inline vm vi_nonzero(vi a) { return vtstq_u32(a, a); }
static inline vm vm_or(vm a, vm b) { return vorrq_u32(a, b); }
static inline int vm_all(vm m) { return vminvq_u32(m) == UINT32_MAX; }
static inline vmd vmd_or(vmd a, vmd b) { return vorrq_u64(a, b); }
static inline int vmd_all(vmd m) { return vminvq_u32(vreinterpretq_u32_u64(m)) == UINT32_MAX; }
static inline vi vi_blend(vm m, vi if_false, vi if_true) { return vbslq_u32(m, if_true, if_false); }
/* 32x32 -> 64-bit products of every lane with m (the widening UMULL / UMULL2), split into
 * their high and low halves. */
static inline void vi_mulhilo(vi a, uint32_t m, vi *hi, vi *lo)
{
    const uint32x4_t p01 = vreinterpretq_u32_u64(vmull_n_u32(vget_low_u32(a), m));
    const uint32x4_t p23 = vreinterpretq_u32_u64(vmull_high_n_u32(a, m));
    *lo = vuzp1q_u32(p01, p23);
    *hi = vuzp2q_u32(p01, p23);
}

/* ---- float ---- */
static inline vf vf_set1(float x) { return vdupq_n_f32(x); }
static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf vf_sqrt(vf a) { return vsqrtq_f32(a); }
/* ordered comparisons: false when either side is NaN, as C's <= < > */
static inline vm vf_le(vf a, vf b) { return vcleq_f32(a, b); }
static inline vm vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
static inline vm vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
static inline vf vf_blend(vm m, vf if_false, vf if_true) { return vbslq_f32(m, if_true, if_false); }
static inline vf vf_from_bits(vi a) { return vreinterpretq_f32_u32(a); }
static inline vi vf_bits(vf a) { return vreinterpretq_u32_f32(a); }
/* signed int32 -> float, rounded to nearest even (exact below 2^24) */
static inline vf vf_from_int(vi a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }

/* Stores a0 b0 c0 d0 a1 b1 c1 d1 ... (16 floats): one ST4. */
static inline void vf_store_interleave4(float *out, vf a, vf b, vf c, vf d)
{
    const float32x4x4_t v = {{a, b, c, d}};
    vst4q_f32(out, v);
}

/* Lane order of the block counters for 64-bit outputs: ZIP1/ZIP2 of words (x0, x1) give the
 * 64-bit words of lanes 0, 1 and 2, 3, already in block order. */
static const uint32_t WF_PERM64[WF_W] = {0, 1, 2, 3};

/* ---- 64-bit integers and double ---- */
static inline vl vl_join_lo(vi lo, vi hi) { return vreinterpretq_u64_u32(vzip1q_u32(lo, hi)); }
static inline vl vl_join_hi(vi lo, vi hi) { return vreinterpretq_u64_u32(vzip2q_u32(lo, hi)); }
static inline vl vl_set1(uint64_t x) { return vdupq_n_u64(x); }
static inline vl vl_add(vl a, vl b) { return vaddq_u64(a, b); }
static inline vl vl_sub(vl a, vl b) { return vsubq_u64(a, b); }
static inline vl vl_and(vl a, vl b) { return vandq_u64(a, b); }
static inline vl vl_or(vl a, vl b) { return vorrq_u64(a, b); }
static inline vl vl_xor(vl a, vl b) { return veorq_u64(a, b); }
#define vl_srli(a, n) vshrq_n_u64((a), (n))
#define vl_slli(a, n) vshlq_n_u64((a), (n))
static inline vmd vl_gt(vl a, vl b) /* signed */
{
    return vcgtq_s64(vreinterpretq_s64_u64(a), vreinterpretq_s64_u64(b));
}
static inline vmd vl_nonzero(vl a) { return vtstq_u64(a, a); }
static inline vl vl_blend(vmd m, vl if_false, vl if_true) { return vbslq_u64(m, if_true, if_false); }
static inline vd vd_set1(double x) { return vdupq_n_f64(x); }
static inline vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
static inline vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
static inline vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
static inline vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
static inline vd vd_sqrt(vd a) { return vsqrtq_f64(a); }
static inline vmd vd_le(vd a, vd b) { return vcleq_f64(a, b); }
static inline vmd vd_lt(vd a, vd b) { return vcltq_f64(a, b); }
static inline vmd vd_gt(vd a, vd b) { return vcgtq_f64(a, b); }
static inline vd vd_blend(vmd m, vd if_false, vd if_true) { return vbslq_f64(m, if_true, if_false); }
static inline vd vd_from_bits(vl a) { return vreinterpretq_f64_u64(a); }
static inline vl vd_bits(vd a) { return vreinterpretq_u64_f64(a); }
/* int64 -> double, exact for the magnitudes used here (below 2^53) */
static inline vd vd_from_int(vl a) { return vcvtq_f64_s64(vreinterpretq_s64_u64(a)); }
static inline vd vd_from_uint(vl a) { return vcvtq_f64_u64(a); }

/* Stores a0 b0 a1 b1 (4 doubles): one ST2. */
static inline void vd_store_interleave2(double *out, vd a, vd b)
{
    const float64x2x2_t v = {{a, b}};
    vst2q_f64(out, v);
}

/* ---- float32 -> 16-bit ---- */
/* FCVTN rounds to nearest even (FPCR.RMode), keeps a NaN's sign and top payload bits and sets
 * its quiet bit, and gives infinity from 65520 up: wf_f32_to_f16's rules, bit for bit. */
static inline void vf_store_f16(uint16_t *out, vf a)
{
    vst1_u16(out, vreinterpret_u16_f16(vcvt_f16_f32(a)));
}

#endif /* WF_VEC_NEON_H */
