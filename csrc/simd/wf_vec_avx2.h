/* Vector abstraction for the generic SIMD kernels (wf_simd_kernels.inc): AVX2 (+ F16C).
 * v32: 8 lanes of float / uint32; v64: 4 lanes of double / uint64.  Masks are all-ones
 * lanes.  Every operation is one IEEE operation per lane, as in the scalar code. */
#ifndef WF_VEC_AVX2_H
#define WF_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define WF_VEC_NAME avx2
#define WF_W 8

typedef __m256 vf;
typedef __m256i vi;
typedef __m256i vm;
typedef __m256d vd;
typedef __m256i vl;
typedef __m256i vmd;

/* ---- 32-bit integers ---- */
static inline vi vi_set1(uint32_t x) { return _mm256_set1_epi32((int)x); }
static inline vi vi_load(const uint32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}
static inline vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm256_sub_epi32(a, b); }
static inline vi vi_xor(vi a, vi b) { return _mm256_xor_si256(a, b); }
static inline vi vi_xor3(vi a, vi b, vi c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
static inline vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
static inline vi vi_or(vi a, vi b) { return _mm256_or_si256(a, b); }
#define vi_srli(a, n) _mm256_srli_epi32((a), (n))
#define vi_slli(a, n) _mm256_slli_epi32((a), (n))
static inline vm vi_gt(vi a, vi b) { return _mm256_cmpgt_epi32(a, b); } /* signed */
static inline vm vi_nonzero(vi a)
{
    return _mm256_xor_si256(_mm256_cmpeq_epi32(a, _mm256_setzero_si256()), _mm256_set1_epi32(-1));
}
static inline vm vm_or(vm a, vm b) { return _mm256_or_si256(a, b); }
static inline int vm_all(vm m) { return _mm256_movemask_ps(_mm256_castsi256_ps(m)) == 0xFF; }
static inline vmd vmd_or(vmd a, vmd b) { return _mm256_or_si256(a, b); }
static inline int vmd_all(vmd m) { return _mm256_movemask_pd(_mm256_castsi256_pd(m)) == 0xF; }
static inline vi vi_blend(vm m, vi if_false, vi if_true)
{
    return _mm256_blendv_epi8(if_false, if_true, m);
}
static inline void vi_mulhilo(vi a, uint32_t m, vi *hi, vi *lo)
{
    const vi mv = _mm256_set1_epi32((int)m);
    vi even = _mm256_mul_epu32(a, mv);
    vi odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mv);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/* ---- float ---- */
static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
static inline vm vf_le(vf a, vf b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LE_OQ)); }
static inline vm vf_lt(vf a, vf b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
static inline vm vf_gt(vf a, vf b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
static inline vf vf_blend(vm m, vf if_false, vf if_true)
{
    return _mm256_blendv_ps(if_false, if_true, _mm256_castsi256_ps(m));
}
static inline vf vf_from_bits(vi a) { return _mm256_castsi256_ps(a); }
static inline vi vf_bits(vf a) { return _mm256_castps_si256(a); }
static inline vf vf_from_int(vi a) { return _mm256_cvtepi32_ps(a); }

/* Stores a0 b0 c0 d0 a1 b1 c1 d1 ... (32 floats). */
static inline void vf_store_interleave4(float *out, vf a, vf b, vf c, vf d)
{
    vf t0 = _mm256_unpacklo_ps(a, b), t1 = _mm256_unpackhi_ps(a, b);
    vf t2 = _mm256_unpacklo_ps(c, d), t3 = _mm256_unpackhi_ps(c, d);
    vf u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    vf u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    /* u_k holds block k in its low 128 bits and block k + 4 in its high 128 bits */
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, u1, 0x20));
    _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(u2, u3, 0x20));
    _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(u0, u1, 0x31));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(u2, u3, 0x31));
}

static const uint32_t WF_PERM64[WF_W] = {0, 1, 4, 5, 2, 3, 6, 7};

/* ---- 64-bit integers and double ---- */
static inline vl vl_join_lo(vi lo, vi hi) { return _mm256_unpacklo_epi32(lo, hi); }
static inline vl vl_join_hi(vi lo, vi hi) { return _mm256_unpackhi_epi32(lo, hi); }
static inline vl vl_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
static inline vl vl_add(vl a, vl b) { return _mm256_add_epi64(a, b); }
static inline vl vl_sub(vl a, vl b) { return _mm256_sub_epi64(a, b); }
static inline vl vl_and(vl a, vl b) { return _mm256_and_si256(a, b); }
static inline vl vl_or(vl a, vl b) { return _mm256_or_si256(a, b); }
static inline vl vl_xor(vl a, vl b) { return _mm256_xor_si256(a, b); }
#define vl_srli(a, n) _mm256_srli_epi64((a), (n))
#define vl_slli(a, n) _mm256_slli_epi64((a), (n))
static inline vmd vl_gt(vl a, vl b) { return _mm256_cmpgt_epi64(a, b); } /* signed */
static inline vmd vl_nonzero(vl a)
{
    return _mm256_xor_si256(_mm256_cmpeq_epi64(a, _mm256_setzero_si256()), _mm256_set1_epi32(-1));
}
static inline vl vl_blend(vmd m, vl if_false, vl if_true)
{
    return _mm256_blendv_epi8(if_false, if_true, m);
}
static inline vd vd_set1(double x) { return _mm256_set1_pd(x); }
static inline vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
static inline vd vd_sqrt(vd a) { return _mm256_sqrt_pd(a); }
static inline vmd vd_le(vd a, vd b) { return _mm256_castpd_si256(_mm256_cmp_pd(a, b, _CMP_LE_OQ)); }
static inline vmd vd_lt(vd a, vd b) { return _mm256_castpd_si256(_mm256_cmp_pd(a, b, _CMP_LT_OQ)); }
static inline vmd vd_gt(vd a, vd b) { return _mm256_castpd_si256(_mm256_cmp_pd(a, b, _CMP_GT_OQ)); }
static inline vd vd_blend(vmd m, vd if_false, vd if_true)
{
    return _mm256_blendv_pd(if_false, if_true, _mm256_castsi256_pd(m));
}
static inline vd vd_from_bits(vl a) { return _mm256_castsi256_pd(a); }
static inline vl vd_bits(vd a) { return _mm256_castpd_si256(a); }
/* Signed int64 -> double for |a| < 2^51: add the integer to the bits of 1.5 * 2^52. Exact. */
static inline vd vd_from_int(vl a)
{
    const vl magic = _mm256_set1_epi64x(0x4338000000000000LL);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(a, magic)), _mm256_set1_pd(0x1.8p52));
}
/* Unsigned int64 -> double for a <= 2^53: both 32-bit halves exactly, then their exact sum. */
static inline vd vd_from_uint(vl a)
{
    const vl magic = _mm256_set1_epi64x(0x4330000000000000LL);
    const vd two52 = _mm256_set1_pd(0x1p52);
    vl lo = _mm256_and_si256(a, _mm256_set1_epi64x(0xFFFFFFFFLL));
    vl hi = _mm256_srli_epi64(a, 32);
    vd lo_d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(lo, magic)), two52);
    vd hi_d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(hi, magic)), two52);
    return _mm256_add_pd(_mm256_mul_pd(hi_d, _mm256_set1_pd(0x1p32)), lo_d);
}

/* Stores a0 b0 a1 b1 ... (8 doubles). */
static inline void vd_store_interleave2(double *out, vd a, vd b)
{
    vd lo = _mm256_unpacklo_pd(a, b),
       hi = _mm256_unpackhi_pd(a, b); /* (a0 b0 a2 b2) (a1 b1 a3 b3) */
    _mm256_storeu_pd(out, _mm256_permute2f128_pd(lo, hi, 0x20));
    _mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
}

static inline void vf_store_f16(uint16_t *out, vf a)
{
    _mm_storeu_si128((__m128i *)(void *)out, _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT));
}

#endif /* WF_VEC_AVX2_H */
