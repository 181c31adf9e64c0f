/* Block kernels: each writes every element of n_blocks consecutive Philox blocks.  The fill
 * driver (wf_fill.c) handles partial blocks at the edges and the split across threads. */
#ifndef WF_KERNELS_H
#define WF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "wf_transforms.h"

typedef struct wf_kernel_args {
    uint32_t key[2];    /* k0, k1 */
    uint32_t stream[2]; /* counter words c2, c3 */
    union {
        struct { float low, span, cap; } uniform_f32;
        struct { double low, span, cap; } uniform_f64;
        struct { float mean, std; } normal_f32;
        struct { double mean, std; } normal_f64;
        wf_truncnorm_f32 truncnorm_f32;
        wf_truncnorm_f64 truncnorm_f64;
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

#endif /* WF_KERNELS_H */
