/* winit_fast C core: the public C interface.  No Python headers: usable from plain C.
 *
 * Positions in a stream: the Philox key comes from the seed, the counter is
 * (block index: 64 bits, stream id: 64 bits).  A 32-bit element uses one word, so a block holds
 * 4 elements; a 64-bit element uses two words, so a block holds 2.  An output buffer starts at
 * element `phase` of block `block`; element e of the buffer is element (phase + e) counted from
 * the start of that block.  See docs/stream.md for the whole contract.
 */
#ifndef WF_CORE_H
#define WF_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wf_origin {
    uint64_t seed;   /* key: k0 = low 32 bits, k1 = high 32 bits */
    uint64_t stream; /* counter words c2 (low) and c3 (high) */
    uint64_t block;  /* counter words c0 (low) and c1 (high) of the first element's block */
    uint32_t phase;  /* index of the first element inside that block */
} wf_origin;

/* The block function over n counters (4 words each, in order c0..c3); out holds 4n words. */
void wf_philox4x32_10_many(const uint32_t *counters, size_t n, uint32_t k0, uint32_t k1,
                           uint32_t *out);

/* Output element types.  16-bit outputs are the float32 result rounded to nearest even. */
typedef enum wf_dtype { WF_FLOAT32 = 0, WF_FLOAT64 = 1, WF_FLOAT16 = 2, WF_BFLOAT16 = 3 } wf_dtype;

/* Raw 32-bit words of the stream: 4 per block, in order x0..x3. */
void wf_fill_raw_u32(uint32_t *out, size_t n, const wf_origin *origin, int n_threads);

/* Parameters are doubles; for every dtype but float64 they must already be float32 values
 * (the Python layer rounds them), since the arithmetic is done in float32. */

/* low + span * u with u uniform in [0, 1), then capped at `cap` (the largest value below high)
 * so that rounding never returns high itself. */
void wf_fill_uniform(void *out, wf_dtype dtype, size_t n, const wf_origin *origin, double low,
                     double span, double cap, int n_threads);

/* mean + std * z with z standard normal (Box-Muller over pairs of elements). */
void wf_fill_normal(void *out, wf_dtype dtype, size_t n, const wf_origin *origin, double mean,
                    double std, int n_threads);

/* mean + std * z with z standard normal truncated to [lo, hi] (inverse CDF, one word per
 * 32-bit element).  p_lo = Phi(lo), q_hi = Phi(-hi), mass = Phi(hi) - Phi(lo). */
typedef struct wf_truncation {
    double mean, std, lo, hi, p_lo, q_hi, mass;
} wf_truncation;
void wf_fill_truncated_normal(void *out, wf_dtype dtype, size_t n, const wf_origin *origin,
                              const wf_truncation *params, int n_threads);

/* Every element set to the elem_size bytes at value (zeros go through memset). */
void wf_fill_constant(void *out, size_t n, size_t elem_size, const void *value, int n_threads);

/* SIMD levels.  scalar and sse2 run the same portable kernels (on x86-64 the compiler's SSE2
 * code); avx2, avx512 (x86-64) and neon (AArch64) run the hand-vectorized ones.  A CPU has
 * the levels of its architecture up to its best: scalar < sse2 < avx2 < avx512 on x86-64,
 * scalar < neon on AArch64.  Every level gives the same bytes. */
enum {
    WF_SIMD_SCALAR = 0,
    WF_SIMD_SSE2 = 1,
    WF_SIMD_AVX2 = 2,
    WF_SIMD_AVX512 = 3,
    WF_SIMD_NEON = 4
};
int wf_simd_available(void);   /* the best level of this CPU and OS */
int wf_simd_has(int level);    /* whether this CPU and OS run `level` */
int wf_simd_select(int level); /* use `level` (the best one if this CPU lacks it; -1: the best) */
int wf_simd_level(void);       /* the level in use */
const char *wf_simd_name(int level);

/* Build facts for show_config(). */
int wf_openmp_version(void);         /* the _OPENMP date (e.g. 201511), 0 without OpenMP */
const char *wf_openmp_runtime(void); /* "libgomp", "libomp", "vcomp", or NULL */
int wf_max_threads(void);            /* omp_get_max_threads(), 1 without OpenMP */
int wf_last_team_size(void);         /* threads of this thread's last fill (0: none yet) */

#ifdef __cplusplus
}
#endif

#endif /* WF_CORE_H */
