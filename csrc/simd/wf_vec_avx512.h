/* Vector abstraction for the generic SIMD kernels (wf_simd_kernels.inc): AVX-512 F, DQ, BW
 * and VL (what wf_dispatch.c requires and setup.py compiles this level for).
 * v32: 16 lanes of float / uint32; v64: 8 lanes of double / uint64.  Every operation is one
 * IEEE operation per lane, the same as the scalar code's, so results are bit-identical. */
#ifndef WF_VEC_AVX512_H
#define WF_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define WF_VEC_NAME avx512
#define WF_W 16 /* 32-bit lanes = Philox blocks per step */

typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vm;
typedef __m512d vd;
typedef __m512i vl;
typedef __mmask8 vmd;

/* ---- 32-bit integers ---- */
static inline vi vi_set1(uint32_t x) { return _mm512_set1_epi32((int)x); }
static inline vi vi_load(const uint32_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
static inline vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
static inline vi vi_xor3(vi a, vi b, vi c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
static inline vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
static inline vi vi_or(vi a, vi b) { return _mm512_or_si512(a, b); }
#define vi_srli(a, n) _mm512_srli_epi32((a), (n))
#define vi_slli(a, n) _mm512_slli_epi32((a), (n))
static inline vm vi_gt(vi a, vi b) { return _mm512_cmpgt_epi32_mask(a, b); } /* signed */
static inline vm vi_nonzero(vi a) { return _mm512_test_epi32_mask(a, a); }
static inline vm vm_or(vm a, vm b) { return (vm)(a | b); }
static inline int vm_all(vm m) { return m == (vm)0xFFFF; }
static inline vmd vmd_or(vmd a, vmd b) { return (vmd)(a | b); }
static inline int vmd_all(vmd m) { return m == (vmd)0xFF; }
static inline vi vi_blend(vm m, vi if_false, vi if_true)
{
    return _mm512_mask_blend_epi32(m, if_false, if_true);
}
/* 32x32 -> 64-bit products of every lane with m: high and low halves. */
static inline void vi_mulhilo(vi a, uint32_t m, vi *hi, vi *lo)
{
    const vi mv = _mm512_set1_epi32((int)m);
    vi even = _mm512_mul_epu32(a, mv);
    vi odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), mv);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

/* ---- float ---- */
static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
static inline vm vf_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline vm vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vm vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline vf vf_blend(vm m, vf if_false, vf if_true)
{
    return _mm512_mask_blend_ps(m, if_false, if_true);
}
static inline vf vf_from_bits(vi a) { return _mm512_castsi512_ps(a); }
static inline vi vf_bits(vf a) { return _mm512_castps_si512(a); }
static inline vf vf_from_int(vi a) { return _mm512_cvtepi32_ps(a); } /* exact below 2^24 */

/* Stores a0 b0 c0 d0 a1 b1 c1 d1 ... (64 floats). */
static inline void vf_store_interleave4(float *out, vf a, vf b, vf c, vf d)
{
    vf t0 = _mm512_unpacklo_ps(a, b), t1 = _mm512_unpackhi_ps(a, b);
    vf t2 = _mm512_unpacklo_ps(c, d), t3 = _mm512_unpackhi_ps(c, d);
    vf u0 = _mm512_shuffle_ps(t0, t2, 0x44), u1 = _mm512_shuffle_ps(t0, t2, 0xEE);
    vf u2 = _mm512_shuffle_ps(t1, t3, 0x44), u3 = _mm512_shuffle_ps(t1, t3, 0xEE);
    vf v0 = _mm512_shuffle_f32x4(u0, u1, 0x44), v1 = _mm512_shuffle_f32x4(u0, u1, 0xEE);
    vf v2 = _mm512_shuffle_f32x4(u2, u3, 0x44), v3 = _mm512_shuffle_f32x4(u2, u3, 0xEE);
    _mm512_storeu_ps(out, _mm512_shuffle_f32x4(v0, v2, 0x88));
    _mm512_storeu_ps(out + 16, _mm512_shuffle_f32x4(v0, v2, 0xDD));
    _mm512_storeu_ps(out + 32, _mm512_shuffle_f32x4(v1, v3, 0x88));
    _mm512_storeu_ps(out + 48, _mm512_shuffle_f32x4(v1, v3, 0xDD));
}

/* Lane order of the block counters for 64-bit outputs: after vl_join_lo/hi the 64-bit words
 * come out in block order (unpack works inside 128-bit lanes). */
static const uint32_t WF_PERM64[WF_W] = {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15};

/* ---- 64-bit integers and double ---- */
static inline vl vl_join_lo(vi lo, vi hi) { return _mm512_unpacklo_epi32(lo, hi); }
static inline vl vl_join_hi(vi lo, vi hi) { return _mm512_unpackhi_epi32(lo, hi); }
static inline vl vl_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline vl vl_add(vl a, vl b) { return _mm512_add_epi64(a, b); }
static inline vl vl_sub(vl a, vl b) { return _mm512_sub_epi64(a, b); }
static inline vl vl_and(vl a, vl b) { return _mm512_and_si512(a, b); }
static inline vl vl_or(vl a, vl b) { return _mm512_or_si512(a, b); }
static inline vl vl_xor(vl a, vl b) { return _mm512_xor_si512(a, b); }
#define vl_srli(a, n) _mm512_srli_epi64((a), (n))
#define vl_slli(a, n) _mm512_slli_epi64((a), (n))
static inline vmd vl_gt(vl a, vl b) { return _mm512_cmpgt_epi64_mask(a, b); } /* signed */
static inline vmd vl_nonzero(vl a) { return _mm512_test_epi64_mask(a, a); }
static inline vl vl_blend(vmd m, vl if_false, vl if_true)
{
    return _mm512_mask_blend_epi64(m, if_false, if_true);
}
static inline vd vd_set1(double x) { return _mm512_set1_pd(x); }
static inline vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
static inline vd vd_sqrt(vd a) { return _mm512_sqrt_pd(a); }
static inline vmd vd_le(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
static inline vmd vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static inline vmd vd_gt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
static inline vd vd_blend(vmd m, vd if_false, vd if_true)
{
    return _mm512_mask_blend_pd(m, if_false, if_true);
}
static inline vd vd_from_bits(vl a) { return _mm512_castsi512_pd(a); }
static inline vl vd_bits(vd a) { return _mm512_castpd_si512(a); }
/* int64 -> double, exact for the magnitudes used here (below 2^53) */
static inline vd vd_from_int(vl a) { return _mm512_cvtepi64_pd(a); }
static inline vd vd_from_uint(vl a) { return _mm512_cvtepi64_pd(a); }

/* Stores a0 b0 a1 b1 ... (16 doubles). */
static inline void vd_store_interleave2(double *out, vd a, vd b)
{
    vd lo = _mm512_unpacklo_pd(a, b), hi = _mm512_unpackhi_pd(a, b); /* pairs 0,2,4,6 / 1,3,5,7 */
    vd v0 = _mm512_shuffle_f64x2(lo, hi, 0x44), v1 = _mm512_shuffle_f64x2(lo, hi, 0xEE);
    _mm512_storeu_pd(out, _mm512_shuffle_f64x2(v0, v0, 0xD8));
    _mm512_storeu_pd(out + 8, _mm512_shuffle_f64x2(v1, v1, 0xD8));
}

/* ---- float32 -> 16-bit ---- */
static inline void vf_store_f16(uint16_t *out, vf a)
{
    _mm256_storeu_si256((__m256i *)(void *)out, _mm512_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT));
}

#endif /* WF_VEC_AVX512_H */
