/* Block kernels: each writes every element of n_blocks consecutive Philox blocks.  The fill
 * driver (wf_fill.c) handles partial blocks at the edges and the split across threads. */
#ifndef WF_KERNELS_H
#define WF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "wf_core.h" /* wf_truncation */

/* The float32 parameters of a truncated normal, in the form the transform uses (made from a
 * wf_truncation by wf_fill.c's truncnorm_f32_params): q4_hi = 4 q_hi, m24 = mass 2^-24,
 * m24x4 = 4 m24, m23 = mass 2^-23, d = p_lo - q_hi.  float64 uses wf_truncation itself. */
typedef struct wf_truncnorm_f32 {
    float mean, std, lo, hi, p_lo, q4_hi, m24, m24x4, m23, d;
} wf_truncnorm_f32;

typedef struct wf_kernel_args {
    uint32_t key[2];    /* k0, k1 */
    uint32_t stream[2]; /* counter words c2, c3 */
    union {
        struct {
            float low, span, cap;
        } uniform_f32;
        struct {
            double low, span, cap;
        } uniform_f64;
        struct {
            float mean, std;
        } normal_f32;
        struct {
            double mean, std;
        } normal_f64;
        wf_truncnorm_f32 truncnorm_f32;
        wf_truncation truncnorm_f64;
    } p;
} wf_kernel_args;

typedef void (*wf_block_kernel)(void *dst, uint64_t first_block, size_t n_blocks,
                                const wf_kernel_args *args);

void wf_kernel_raw_u32(void *dst, uint64_t first_block, size_t n_blocks,
                       const wf_kernel_args *args);
void wf_kernel_uniform_f32(void *dst, uint64_t first_block, size_t n_blocks,
                           const wf_kernel_args *args);
void wf_kernel_uniform_f64(void *dst, uint64_t first_block, size_t n_blocks,
                           const wf_kernel_args *args);
void wf_kernel_normal_f32(void *dst, uint64_t first_block, size_t n_blocks,
                          const wf_kernel_args *args);
void wf_kernel_normal_f64(void *dst, uint64_t first_block, size_t n_blocks,
                          const wf_kernel_args *args);
void wf_kernel_truncnorm_f32(void *dst, uint64_t first_block, size_t n_blocks,
                             const wf_kernel_args *args);
void wf_kernel_truncnorm_f64(void *dst, uint64_t first_block, size_t n_blocks,
                             const wf_kernel_args *args);

/* float32 -> 16-bit rounding of a batch */
typedef void (*wf_narrow_fn)(const float *src, void *dst, size_t n);

/* One set of kernels per instruction-set level; wf_dispatch.c picks one at run time. */
typedef struct wf_kernel_table {
    wf_block_kernel raw_u32, uniform_f32, uniform_f64, normal_f32, normal_f64, truncnorm_f32,
        truncnorm_f64;
    wf_narrow_fn narrow_f16, narrow_bf16;
} wf_kernel_table;

void wf_narrow_f16(const float *src, void *dst, size_t n);
void wf_narrow_bf16(const float *src, void *dst, size_t n);

/* The kernels of the level in use (never NULL). */
const wf_kernel_table *wf_active_kernels(void);

#define WF_DECLARE_LEVEL(isa)                                                                      \
    void wf_kernel_raw_u32_##isa(void *, uint64_t, size_t, const wf_kernel_args *);                \
    void wf_kernel_uniform_f32_##isa(void *, uint64_t, size_t, const wf_kernel_args *);            \
    void wf_kernel_uniform_f64_##isa(void *, uint64_t, size_t, const wf_kernel_args *);            \
    void wf_kernel_normal_f32_##isa(void *, uint64_t, size_t, const wf_kernel_args *);             \
    void wf_kernel_normal_f64_##isa(void *, uint64_t, size_t, const wf_kernel_args *);             \
    void wf_kernel_truncnorm_f32_##isa(void *, uint64_t, size_t, const wf_kernel_args *);          \
    void wf_kernel_truncnorm_f64_##isa(void *, uint64_t, size_t, const wf_kernel_args *);          \
    void wf_narrow_f16_##isa(const float *, void *, size_t);                                       \
    void wf_narrow_bf16_##isa(const float *, void *, size_t);

#if defined(WF_HAVE_X86_SIMD)
WF_DECLARE_LEVEL(avx2)
WF_DECLARE_LEVEL(avx512)
#endif

#endif /* WF_KERNELS_H */
