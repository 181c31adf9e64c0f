/* Block kernels, the kernel table of each SIMD level, and the job a fill gives its kernel.
 *
 * A block kernel writes every element of n_blocks consecutive Philox blocks; the fill driver
 * (wf_fill.c) handles partial blocks at the edges and the split across threads, and the runs
 * of a strided block (wf_runs.c) reuse the same job. */
#ifndef WF_KERNELS_H
#define WF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "wf_core.h"

/* A truncated normal's parameters (wf_families.h's order), as its float64 kernel takes them. */
typedef struct wf_truncation {
    double mean, std, lo, hi, p_lo, q_hi, mass;
} wf_truncation;

/* The float32 parameters of a truncated normal, in the form the transform uses (made from a
 * wf_truncation by wf_fill.c's truncnorm args): q4_hi = 4 q_hi, m24 = mass 2^-24,
 * m24x4 = 4 m24, m23 = mass 2^-23, d = p_lo - q_hi. */
typedef struct wf_truncnorm_f32 {
    float mean, std, lo, hi, p_lo, q4_hi, m24, m24x4, m23, d;
} wf_truncnorm_f32;

typedef struct wf_kernel_args {
    uint32_t key[2];    /* k0, k1 */
    uint32_t stream[2]; /* counter words c2, c3 */
    union {
        float f32[WF_MAX_PARAMS];  /* `plain` families: the parameters in float32 ... */
        double f64[WF_MAX_PARAMS]; /* ... or in float64 (the float64 kernels) */
        wf_truncnorm_f32 truncnorm_f32;
        wf_truncation truncnorm_f64;
    } p;
} wf_kernel_args;

typedef void (*wf_block_kernel)(void *dst, uint64_t first_block, size_t n_blocks,
                                const wf_kernel_args *args);

/* float32 -> 16-bit rounding of a batch */
typedef void (*wf_narrow_fn)(const float *src, void *dst, size_t n);

/* The kernels of one instruction-set level (scalar, avx2, avx512, neon); wf_dispatch.c picks one
 * at run time. */
typedef struct wf_kernel_table {
    wf_block_kernel kernel[WF_N_FAMILIES][2]; /* [family][0: 32-bit elements, 1: float64] */
    wf_narrow_fn narrow_f16, narrow_bf16;
    /* Blocks per step of the SIMD kernels (the vector width of the level, a power of two):
     * they hand the rest of a call to the scalar kernel.  Only speed depends on it. */
    unsigned step_blocks;
} wf_kernel_table;

/* The table of a level, from wf_families.h: the file that defines it first defines
 * WF_LEVEL(k), the name of its kernel k (wf_kernels_scalar.c, simd/wf_simd_kernels.inc). */
#define WF_TABLE_KERNELS(ID, name, k32, k64, ...)                                                  \
    [WF_FAMILY_##ID] = {WF_LEVEL(wf_kernel_##k32), WF_LEVEL(wf_kernel_##k64)},
#define WF_KERNEL_TABLE(step)                                                                      \
    {                                                                                              \
        .kernel = {WF_FAMILIES(WF_TABLE_KERNELS)}, .narrow_f16 = WF_LEVEL(wf_narrow_f16),          \
        .narrow_bf16 = WF_LEVEL(wf_narrow_bf16), .step_blocks = (step)                             \
    }

/* The portable kernels: the scalar level, and the remainder of every SIMD kernel's call. */
#define WF_DECLARE_KERNELS(ID, name, k32, k64, ...)                                                \
    void wf_kernel_##k32(void *dst, uint64_t first_block, size_t n_blocks,                         \
                         const wf_kernel_args *args);                                              \
    void wf_kernel_##k64(void *dst, uint64_t first_block, size_t n_blocks,                         \
                         const wf_kernel_args *args);
WF_FAMILIES(WF_DECLARE_KERNELS)
void wf_narrow_f16(const float *src, void *dst, size_t n);
void wf_narrow_bf16(const float *src, void *dst, size_t n);

extern const wf_kernel_table wf_kernels_scalar;
#if defined(WF_HAVE_X86_SIMD)
extern const wf_kernel_table wf_kernels_avx2;
extern const wf_kernel_table wf_kernels_avx512;
#endif
#if defined(WF_HAVE_NEON)
extern const wf_kernel_table wf_kernels_neon;
#endif

/* The kernels of the level in use (never NULL). */
const wf_kernel_table *wf_active_kernels(void);

/* A fill's job: the kernel of its family and dtype at the level in use, with its arguments;
 * made once per fill (wf_make_job) and shared by the contiguous fill and the runs. */
typedef struct wf_job {
    wf_block_kernel kernel;
    wf_narrow_fn narrow;  /* float32 -> 16-bit rounding, or NULL */
    size_t kernel_size;   /* bytes of one element as the kernel writes it (4 or 8) */
    size_t out_size;      /* bytes of one output element */
    unsigned shift;       /* elements per Philox block: 1 << shift */
    unsigned step_blocks; /* blocks per SIMD step of the level in use */
    size_t serial_below;  /* the family's serial threshold (wf_families.h) */
    wf_kernel_args args;
} wf_job;

/* The job of `spec` (0), or -1 when spec pairs a family with a dtype it has no kernel for. */
int wf_make_job(wf_job *job, const wf_spec *spec);

/* The job's n elements at positions phase, phase + 1, ... of block `block`, written to out
 * on an OpenMP team of n_threads (or serially below the job's threshold). */
void wf_run_job(const wf_job *job, void *out, uint64_t block, uint32_t phase, size_t n,
                int n_threads);

#endif /* WF_KERNELS_H */
