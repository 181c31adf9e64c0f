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

#include "wf_families.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The block function over n counters (4 words each, in order c0..c3); out holds 4n words. */
void wf_philox4x32_10_many(const uint32_t *counters, size_t n, uint32_t k0, uint32_t k1,
                           uint32_t *out);

/* Output element types.  16-bit outputs are the float32 result rounded to nearest even; raw
 * words (WF_FAMILY_RAW_U32) are uint32. */
typedef enum wf_dtype {
    WF_FLOAT32 = 0,
    WF_FLOAT64 = 1,
    WF_FLOAT16 = 2,
    WF_BFLOAT16 = 3,
    WF_UINT32 = 4
} wf_dtype;

/* The families, WF_FAMILY_RAW_U32 ... (wf_families.h: their parameters and kernels). */
#define WF_FAMILY_CODE(ID, ...) WF_FAMILY_##ID,
typedef enum wf_family { WF_FAMILIES(WF_FAMILY_CODE) WF_N_FAMILIES } wf_family;

/* What a fill computes: a family with its parameters, on the stream (seed, stream).  The
 * parameters are those of wf_families.h, in order; for every dtype but float64 they must
 * already be float32 values (the Python layer rounds them), since the arithmetic is done in
 * float32. */
typedef struct wf_spec {
    wf_family family;
    wf_dtype dtype;  /* WF_UINT32 for raw words, a float type for the others */
    uint64_t seed;   /* key: k0 = low 32 bits, k1 = high 32 bits */
    uint64_t stream; /* counter words c2 (low) and c3 (high) */
    double params[WF_MAX_PARAMS];
} wf_spec;

/* The n elements at stream positions phase, phase + 1, ... counted from element 0 of block
 * `block` (counter words c0, c1), written to out.  Returns 0, or -1 without writing anything
 * when spec pairs a family with a dtype it has no kernel for. */
int wf_fill(void *out, const wf_spec *spec, size_t n, uint64_t block, uint32_t phase,
            int n_threads);

/* The family table, for bindings that hold theirs equal to it: the name and the number of
 * parameters of family `code` (NULL and -1 for a code past the last). */
const char *wf_family_name(int code);
int wf_family_params(int code);

/* Stream positions: a block has four 32-bit words, so it holds 1 << wf_block_shift(dtype)
 * elements: 4 of 32 or 16 bits (one word each), 2 of 64 bits (two words each).  The one C
 * home of that rule (Python's: winit_fast._stream). */
static inline unsigned wf_block_shift(wf_dtype dtype) { return dtype == WF_FLOAT64 ? 1u : 2u; }

/* Where the element `offset` positions after element 0 of block `block` lies. */
typedef struct wf_position {
    uint64_t block;
    uint32_t phase; /* its index inside that block */
} wf_position;
static inline wf_position wf_position_at(uint64_t block, uint64_t offset, unsigned shift)
{
    wf_position at;
    at.block = block + (offset >> shift);
    at.phase = (uint32_t)(offset & ((1u << shift) - 1u));
    return at;
}

/* Blocks that n elements from element `phase` of a block touch. */
static inline uint64_t wf_blocks_touched(uint64_t phase, uint64_t n, unsigned shift)
{
    return (phase + n + (1u << shift) - 1u) >> shift;
}

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
