/* The scalar transforms from Philox words to floating-point values.
 *
 * These functions define the stream contract (docs/stream.md): every SIMD kernel and the
 * NumPy fallback (src/winit_fast/_fallback/) perform exactly these IEEE operations in exactly
 * this order.  That is why the logarithm, sine and cosine are written here from + - * /,
 * sqrt and bit operations instead of calling libm, and why the build turns floating-point
 * contraction off: one fused multiply-add would change the last bit.
 */
#ifndef WF_TRANSFORMS_H
#define WF_TRANSFORMS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "wf_coefficients.h"
#include "wf_kernels.h" /* the parameter structs */

/* Horner evaluation c[n-1] x^(n-1) + ... + c[0], highest coefficient first: the one
 * polynomial helper of each precision (the SIMD twins are vf_horner and vd_horner). */
static inline float wf_horner_f32(const float *c, int n, float x)
{
    float acc = c[n - 1];
    for (int i = n - 2; i >= 0; --i)
        acc = acc * x + c[i];
    return acc;
}

static inline double wf_horner_f64(const double *c, int n, double x)
{
    double acc = c[n - 1];
    for (int i = n - 2; i >= 0; --i)
        acc = acc * x + c[i];
    return acc;
}

/* ln 2 split so that e * LN2_HI is exact for every exponent e these functions meet. */
#define WF_LN2_HI_F32 0x1.62e4p-1f
#define WF_LN2_LO_F32 0x1.7f7d1cp-20f
#define WF_LN2_HI_F64 0x1.62e42feep-1
#define WF_LN2_LO_F64 0x1.a39ef35793c76p-33

/* ---- words to uniforms ---------------------------------------------------------------- */

/* [0, 1) in steps of 2^-24: the top 24 bits, as NumPy does. */
static inline float wf_u01_f32(uint32_t x) { return (float)(x >> 8) * 0x1p-24f; }

/* The radius uniform of Box-Muller, in [2^-31, 1]: the odd integer (x >> 1) | 1 (31 bits,
 * so a signed conversion takes it), rounded to float32 and scaled.  The grid is 2^-30 near 0,
 * so the float32 normal reaches sqrt(-2 ln 2^-31) = 6.56 sigma with the right tail masses
 * (stream version 1 used ((x >> 8) + 1) 2^-24: cut at 5.77 sigma, light beyond 5). */
static inline float wf_u01_radius_f32(uint32_t x)
{
    return (float)(int32_t)((x >> 1) | 1u) * 0x1p-31f;
}

/* The 64-bit word of a float64 element: the second 32-bit word is the high half. */
static inline uint64_t wf_join64(uint32_t lo, uint32_t hi) { return ((uint64_t)hi << 32) | lo; }

static inline double wf_u01_f64(uint64_t x) { return (double)(x >> 11) * 0x1p-53; }

static inline double wf_u01_open0_f64(uint64_t x) { return (double)((x >> 11) + 1u) * 0x1p-53; }

/* ---- logarithm of u in (0, 1] ----------------------------------------------------------- */

/* u = 2^e * m with m in (sqrt(1/2), sqrt(2)], f = m - 1 (exact), and
 * log(1 + f) = 2 atanh(s), s = f / (2 + f), as an odd series in s (tools/gen_coefficients.py).
 * u must be a positive normal number (Box-Muller: at least 2^-31; the truncated normal: 4pq,
 * at least 2^-122). */
static inline float wf_log_f32(float u)
{
    uint32_t bits;
    memcpy(&bits, &u, sizeof bits);
    uint32_t mant = bits & 0x7FFFFFu;
    uint32_t above = mant > 0x3504F3u; /* m > sqrt(2): halve m, bump e */
    int32_t e = (int32_t)(bits >> 23) - 127 + (int32_t)above;
    uint32_t mbits = mant | ((127u - above) << 23);
    float m;
    memcpy(&m, &mbits, sizeof m);
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float s2 = s * s;
    float log1p = (s + s) + (s * s2) * wf_horner_f32(WF_LOG_F32, 4, s2);
    float ef = (float)e;
    return ef * WF_LN2_HI_F32 + (log1p + ef * WF_LN2_LO_F32);
}

/* The same for u = k * 2^-53, 1 <= k <= 2^53. */
static inline double wf_log_f64(double u)
{
    uint64_t bits;
    memcpy(&bits, &u, sizeof bits);
    uint64_t mant = bits & 0xFFFFFFFFFFFFFull;
    uint64_t above = mant > 0x6A09E667F3BCCull;
    int64_t e = (int64_t)(bits >> 52) - 1023 + (int64_t)above;
    uint64_t mbits = mant | ((1023u - above) << 52);
    double m;
    memcpy(&m, &mbits, sizeof m);
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double s2 = s * s;
    double log1p = (s + s) + (s * s2) * wf_horner_f64(WF_LOG_F64, 11, s2);
    double ef = (double)e;
    return ef * WF_LN2_HI_F64 + (log1p + ef * WF_LN2_LO_F64);
}

/* ---- cosine and sine of a fraction of a turn ---------------------------------------------- */

/* Picks (cos, sin) of (n + f) quarter turns from c = cos(pi/2 f), s = sin(pi/2 f). */
#define WF_QUADRANT(T, n, c, s, cos_out, sin_out)                                                  \
    do {                                                                                           \
        unsigned q_ = (unsigned)(n)&3u;                                                            \
        T cs_ = (q_ & 1u) ? (s) : (c);                                                             \
        T sn_ = (q_ & 1u) ? (c) : (s);                                                             \
        *(cos_out) = (q_ == 1u || q_ == 2u) ? -cs_ : cs_;                                          \
        *(sin_out) = (q_ >= 2u) ? -sn_ : sn_;                                                      \
    } while (0)

/* cos and sin of the angle 2 pi k / 2^24, for a 24-bit k.  The reduction to the nearest
 * quarter turn is done on the integer, so it is exact. */
static inline void wf_sincos_turn_f32(uint32_t k, float *cos_out, float *sin_out)
{
    uint32_t n = (k + (1u << 21)) >> 22;
    float f = (float)((int32_t)k - (int32_t)(n << 22)) * 0x1p-22f; /* [-1/2, 1/2) */
    float f2 = f * f;
    float s = f * wf_horner_f32(WF_SIN_F32, 5, f2);
    float c = wf_horner_f32(WF_COS_F32, 6, f2);
    WF_QUADRANT(float, n, c, s, cos_out, sin_out);
}

/* cos and sin of 2 pi k / 2^53, for a 53-bit k. */
static inline void wf_sincos_turn_f64(uint64_t k, double *cos_out, double *sin_out)
{
    uint64_t n = (k + (1ull << 50)) >> 51;
    double f = (double)((int64_t)k - (int64_t)(n << 51)) * 0x1p-51;
    double f2 = f * f;
    double s = f * wf_horner_f64(WF_SIN_F64, 9, f2);
    double c = wf_horner_f64(WF_COS_F64, 10, f2);
    WF_QUADRANT(double, n, c, s, cos_out, sin_out);
}

/* ---- Box-Muller ------------------------------------------------------------------------ */

/* Two standard normals from two words: x0 gives the radius, x1 the angle. */
static inline void wf_box_muller_f32(uint32_t x0, uint32_t x1, float *z0, float *z1)
{
    float r = sqrtf(-2.0f * wf_log_f32(wf_u01_radius_f32(x0)));
    float c, s;
    wf_sincos_turn_f32(x1 >> 8, &c, &s);
    *z0 = r * c;
    *z1 = r * s;
}

static inline void wf_box_muller_f64(uint64_t x0, uint64_t x1, double *z0, double *z1)
{
    double r = sqrt(-2.0 * wf_log_f64(wf_u01_open0_f64(x0)));
    double c, s;
    wf_sincos_turn_f64(x1 >> 11, &c, &s);
    *z0 = r * c;
    *z1 = r * s;
}

/* ---- inverse normal CDF and the truncated normal ------------------------------------------ */

/* The z >= 0 with upper-tail probability t (Phi(-z) = t), for t in (0, 1/2] and a little
 * above: Wichura's AS 241 (PPND16).  Three regions: central (|1/2 - t| <= 0.425), tail
 * (sqrt(-log t) <= 5) and far tail.  t must be a normal number. */
static inline double wf_ndtri_upper_f64(double t)
{
    const double *k = WF_PPND_K_F64;
    double num, den;
    double c = 0.5 - t;
    if (c <= k[0]) {
        double r = k[1] - c * c;
        num = wf_horner_f64(WF_PPND_A_F64, 8, r);
        den = wf_horner_f64(WF_PPND_B_F64, 8, r);
        return (c * num) / den;
    }
    double r = sqrt(-wf_log_f64(t));
    if (r <= k[3]) {
        r = r - k[2];
        num = wf_horner_f64(WF_PPND_C_F64, 8, r);
        den = wf_horner_f64(WF_PPND_D_F64, 8, r);
    } else {
        r = r - k[3];
        num = wf_horner_f64(WF_PPND_E_F64, 8, r);
        den = wf_horner_f64(WF_PPND_F_F64, 8, r);
    }
    return num / den;
}

/* One element from one word (stream version 2).  With i = (x >> 8) | 1 (the odd integer
 * 2k + 1, k the top 23 bits), the point is u = i 2^-24.  Its lower and upper tail
 * probabilities p = p_lo + mass u and q = q_hi + mass (1 - u) are each formed directly from
 * exact values (i, 2^24 - i), so both keep their relative precision, and so is their
 * difference x = p - q = d + mass (2u - 1), 2u - 1 = (i - 2^23) 2^-23 exact, so z keeps its
 * relative precision near 0 too.  Then z = Phi^-1(p) = x G, G = sqrt(2) erfinv(x) / x, a
 * function of r = 4pq = 1 - x^2 (tools/fit_erfinv.py):
 * - central, r >= 0.055 (|z| <= 2.2): no logarithm, G = C0 + (x^2 A(r)) / B(r) with
 *   C0 = sqrt(pi/2), G at x = 0;
 * - tails: L = log(r) and G a polynomial in sqrt(-L) - 3 (Giles' form), one piece for
 *   L > -16 and one beyond.
 * z is clamped to [lo, hi], then mean + std z. */
static inline float wf_truncnorm_f32_value(uint32_t word, const wf_truncnorm_f32 *t)
{
    const float *k = WF_ERFINV_K_F32;             /* 0.055, -16, 3, sqrt(pi/2) */
    float i = (float)(int32_t)((word >> 8) | 1u); /* below 2^24: i, 2^24 - i, i - 2^23 exact */
    float x = t->d + t->m23 * (i - 0x1p23f);
    float p = t->p_lo + t->m24 * i;
    float q4 = t->q4_hi + t->m24x4 * (0x1p24f - i);
    float r = p * q4;
    float z;
    if (r >= k[0]) {
        float num, den;
        num = wf_horner_f32(WF_ERFINV_CENTRAL_A_F32, 6, r);
        den = wf_horner_f32(WF_ERFINV_CENTRAL_B_F32, 5, r);
        z = x * (k[3] + ((x * x) * num) / den);
    } else {
        float L = wf_log_f32(r);
        float v = sqrtf(-L) - k[2];
        float g;
        if (L > k[1])
            g = wf_horner_f32(WF_ERFINV_TAIL_F32, 11, v);
        else
            g = wf_horner_f32(WF_ERFINV_FAR_F32, 9, v);
        z = x * g;
    }
    z = z < t->lo ? t->lo : z;
    z = z > t->hi ? t->hi : z;
    return t->mean + t->std * z;
}

static inline double wf_truncnorm_f64_value(uint64_t w, const wf_truncation *t)
{
    double u = (double)(2u * (w >> 12) + 1u) * 0x1p-53;
    double p = t->p_lo + t->mass * u;
    double q = t->q_hi + t->mass * (1.0 - u);
    double z = (p <= q) ? -wf_ndtri_upper_f64(p) : wf_ndtri_upper_f64(q);
    z = z < t->lo ? t->lo : z;
    z = z > t->hi ? t->hi : z;
    return t->mean + t->std * z;
}

/* ---- float32 -> 16-bit, round to nearest even (as numpy's and ml_dtypes' astype) --------- */

static inline uint16_t wf_f32_to_f16(float value)
{
    uint32_t x;
    memcpy(&x, &value, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7FFFFFFFu;
    if (ax > 0x7F800000u) /* NaN: keep it quiet */
        return (uint16_t)(sign | 0x7E00u | ((ax >> 13) & 0x3FFu));
    if (ax >= 0x477FF000u) /* rounds to 65520 or more: infinity */
        return (uint16_t)(sign | 0x7C00u);
    if (ax >= 0x38800000u) { /* normal float16 */
        uint32_t r = ax + 0xFFFu + ((ax >> 13) & 1u);
        return (uint16_t)(sign | ((r - 0x38000000u) >> 13));
    }
    if (ax < 0x33000000u) /* at most 2^-25: rounds to zero */
        return (uint16_t)sign;
    uint32_t mant = (ax & 0x7FFFFFu) | 0x800000u; /* subnormal float16: units of 2^-24 */
    uint32_t shift = 126u - (ax >> 23);
    uint32_t res = mant >> shift, rem = mant & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    res += (rem > half) || (rem == half && (res & 1u));
    return (uint16_t)(sign | res);
}

static inline uint16_t wf_f32_to_bf16(float value)
{
    uint32_t x;
    memcpy(&x, &value, sizeof x);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) /* NaN: keep it quiet */
        return (uint16_t)((x >> 16) | 0x40u);
    return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

#endif /* WF_TRANSFORMS_H */
