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

/* The parameters of a uniform, normal or truncated normal fill as its kernel takes them: in
 * float64 for the float64 kernels (`wide`), rounded to float32 for the others.  The one place
 * that rounding is done (wf_fill.c), for the single-range fills and for the short runs of
 * wf_runs.c alike. */
void wf_uniform_args(wf_kernel_args *a, int wide, double low, double span, double cap);
void wf_normal_args(wf_kernel_args *a, int wide, double mean, double std);
void wf_truncnorm_args(wf_kernel_args *a, int wide, const wf_truncation *t);

/* float32 -> 16-bit rounding of a batch */
typedef void (*wf_narrow_fn)(const float *src, void *dst, size_t n);

/* Every kernel, listed once.  X(name, suffix) is applied to each: the block kernels are
 * wf_kernel_<name><suffix>, the roundings wf_narrow_<name><suffix>, with the suffix empty for
 * the portable level and _avx2, _avx512, _neon for the SIMD ones. */
#define WF_BLOCK_KERNELS(X, suffix)                                                                \
    X(raw_u32, suffix)                                                                             \
    X(uniform_f32, suffix)                                                                         \
    X(uniform_f64, suffix)                                                                         \
    X(normal_f32, suffix)                                                                          \
    X(normal_f64, suffix)                                                                          \
    X(truncnorm_f32, suffix)                                                                       \
    X(truncnorm_f64, suffix)
#define WF_NARROWINGS(X, suffix) X(f16, suffix) X(bf16, suffix)

/* One set of kernels per instruction-set level; wf_dispatch.c picks one at run time. */
#define WF_KERNEL_FIELD(name, suffix) wf_block_kernel name;
#define WF_NARROW_FIELD(name, suffix) wf_narrow_fn narrow_##name;
typedef struct wf_kernel_table {
    WF_BLOCK_KERNELS(WF_KERNEL_FIELD, )
    WF_NARROWINGS(WF_NARROW_FIELD, )
} wf_kernel_table;

#define WF_DECLARE_KERNEL(name, suffix)                                                            \
    void wf_kernel_##name##suffix(void *dst, uint64_t first_block, size_t n_blocks,                \
                                  const wf_kernel_args *args);
#define WF_DECLARE_NARROW(name, suffix)                                                            \
    void wf_narrow_##name##suffix(const float *src, void *dst, size_t n);
#define WF_DECLARE_LEVEL(suffix)                                                                   \
    WF_BLOCK_KERNELS(WF_DECLARE_KERNEL, suffix) WF_NARROWINGS(WF_DECLARE_NARROW, suffix)

/* The table of a level: designated initializers, so a field can never get another's kernel. */
#define WF_TABLE_KERNEL(name, suffix) .name = wf_kernel_##name##suffix,
#define WF_TABLE_NARROW(name, suffix) .narrow_##name = wf_narrow_##name##suffix,
#define WF_KERNEL_TABLE(suffix)                                                                    \
    {                                                                                              \
        WF_BLOCK_KERNELS(WF_TABLE_KERNEL, suffix) WF_NARROWINGS(WF_TABLE_NARROW, suffix)           \
    }

WF_DECLARE_LEVEL()
#if defined(WF_HAVE_X86_SIMD)
WF_DECLARE_LEVEL(_avx2)
WF_DECLARE_LEVEL(_avx512)
#endif
#if defined(WF_HAVE_NEON)
WF_DECLARE_LEVEL(_neon)
#endif

/* The kernels of the level in use (never NULL). */
const wf_kernel_table *wf_active_kernels(void);

#endif /* WF_KERNELS_H */
