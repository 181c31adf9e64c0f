/* Portable block kernels: one Philox block at a time, in plain C (the baseline build), and
 * the kernel table of the scalar level. */
#include "wf_kernels.h"
#include "wf_philox.h"
#include "wf_transforms.h"

static inline void block_words(uint64_t block, const wf_kernel_args *a, uint32_t x[4])
{
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), a->stream[0], a->stream[1]};
    wf_philox4x32_10(ctr, a->key[0], a->key[1], x);
}

void wf_kernel_raw_u32(void *dst, uint64_t first_block, size_t n_blocks, const wf_kernel_args *args)
{
    uint32_t *out = (uint32_t *)dst;
    for (size_t i = 0; i < n_blocks; ++i)
        block_words(first_block + i, args, out + 4 * i);
}

void wf_kernel_uniform_f32(void *dst, uint64_t first_block, size_t n_blocks,
                           const wf_kernel_args *args)
{
    float *out = (float *)dst;
    const float low = args->p.f32[0], span = args->p.f32[1], cap = args->p.f32[2];
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        for (int j = 0; j < 4; ++j) {
            float v = low + span * wf_u01_f32(x[j]);
            out[4 * i + (size_t)j] = v > cap ? cap : v;
        }
    }
}

void wf_kernel_uniform_f64(void *dst, uint64_t first_block, size_t n_blocks,
                           const wf_kernel_args *args)
{
    double *out = (double *)dst;
    const double low = args->p.f64[0], span = args->p.f64[1], cap = args->p.f64[2];
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        for (int j = 0; j < 2; ++j) {
            double v = low + span * wf_u01_f64(wf_join64(x[2 * j], x[2 * j + 1]));
            out[2 * i + (size_t)j] = v > cap ? cap : v;
        }
    }
}

void wf_kernel_normal_f32(void *dst, uint64_t first_block, size_t n_blocks,
                          const wf_kernel_args *args)
{
    float *out = (float *)dst;
    const float mean = args->p.f32[0], std = args->p.f32[1];
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        for (int j = 0; j < 4; j += 2) {
            float z0, z1;
            wf_box_muller_f32(x[j], x[j + 1], &z0, &z1);
            out[4 * i + (size_t)j] = mean + std * z0;
            out[4 * i + (size_t)j + 1] = mean + std * z1;
        }
    }
}

void wf_kernel_normal_f64(void *dst, uint64_t first_block, size_t n_blocks,
                          const wf_kernel_args *args)
{
    double *out = (double *)dst;
    const double mean = args->p.f64[0], std = args->p.f64[1];
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        double z0, z1;
        wf_box_muller_f64(wf_join64(x[0], x[1]), wf_join64(x[2], x[3]), &z0, &z1);
        out[2 * i] = mean + std * z0;
        out[2 * i + 1] = mean + std * z1;
    }
}

void wf_kernel_truncnorm_f32(void *dst, uint64_t first_block, size_t n_blocks,
                             const wf_kernel_args *args)
{
    float *out = (float *)dst;
    const wf_truncnorm_f32 *t = &args->p.truncnorm_f32;
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        for (int j = 0; j < 4; ++j)
            out[4 * i + (size_t)j] = wf_truncnorm_f32_value(x[j], t);
    }
}

void wf_kernel_truncnorm_f64(void *dst, uint64_t first_block, size_t n_blocks,
                             const wf_kernel_args *args)
{
    double *out = (double *)dst;
    const wf_truncation *t = &args->p.truncnorm_f64;
    for (size_t i = 0; i < n_blocks; ++i) {
        uint32_t x[4];
        block_words(first_block + i, args, x);
        out[2 * i] = wf_truncnorm_f64_value(wf_join64(x[0], x[1]), t);
        out[2 * i + 1] = wf_truncnorm_f64_value(wf_join64(x[2], x[3]), t);
    }
}

void wf_narrow_f16(const float *src, void *dst, size_t n)
{
    uint16_t *out = (uint16_t *)dst;
    for (size_t i = 0; i < n; ++i)
        out[i] = wf_f32_to_f16(src[i]);
}

void wf_narrow_bf16(const float *src, void *dst, size_t n)
{
    uint16_t *out = (uint16_t *)dst;
    for (size_t i = 0; i < n; ++i)
        out[i] = wf_f32_to_bf16(src[i]);
}

#define WF_LEVEL(k) k
const wf_kernel_table wf_kernels_scalar = WF_KERNEL_TABLE(1);
