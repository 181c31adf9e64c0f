/* Constant fills (zeros, ones, any value) split across threads: a single thread cannot
 * saturate memory bandwidth on a multi-channel machine. */
#include <string.h>

#include "wf_core.h"
#include "wf_parallel.h"

/* Fills bytes [lo, hi) of a buffer made of copies of one element of `size` bytes. */
static void fill_elements(unsigned char *out, size_t lo, size_t hi, size_t size,
                          const unsigned char *value, int all_zero)
{
    if (all_zero) {
        memset(out + lo * size, 0, (hi - lo) * size);
        return;
    }
    switch (size) { /* typed loops so the compiler vectorizes the stores */
    case 4: {
        uint32_t v;
        memcpy(&v, value, 4);
        uint32_t *p = (uint32_t *)(void *)out;
        for (size_t i = lo; i < hi; ++i)
            p[i] = v;
        return;
    }
    case 8: {
        uint64_t v;
        memcpy(&v, value, 8);
        uint64_t *p = (uint64_t *)(void *)out;
        for (size_t i = lo; i < hi; ++i)
            p[i] = v;
        return;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, value, 2);
        uint16_t *p = (uint16_t *)(void *)out;
        for (size_t i = lo; i < hi; ++i)
            p[i] = v;
        return;
    }
    default:
        for (size_t i = lo; i < hi; ++i)
            memcpy(out + i * size, value, size);
    }
}

void wf_fill_constant(void *out, size_t n, size_t elem_size, const void *value, int n_threads)
{
    unsigned char *bytes = (unsigned char *)out;
    const unsigned char *v = (const unsigned char *)value;
    int all_zero = 1;
    for (size_t i = 0; i < elem_size; ++i)
        all_zero &= v[i] == 0;
    if (n_threads <= 1 || n * elem_size < WF_SERIAL_CONSTANT_BYTES) {
        fill_elements(bytes, 0, n, elem_size, v, all_zero);
        return;
    }
    /* one contiguous slice per thread: a memory-bound fill gains nothing from finer chunks */
    const int64_t parts = (int64_t)n_threads;
    (void)parts;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads)
#endif
    for (int64_t i = 0; i < parts; ++i) {
        const size_t base = n / (size_t)parts, extra = n % (size_t)parts, k = (size_t)i;
        size_t lo = k * base + (k < extra ? k : extra);
        size_t hi = lo + base + (k < extra ? 1 : 0);
        fill_elements(bytes, lo, hi, elem_size, v, all_zero);
    }
}
