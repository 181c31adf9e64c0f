/* Constant fills (zeros, ones, any value) split across threads: a single thread cannot
 * saturate memory bandwidth on a multi-channel machine. */
#include <string.h>

#include "wf_core.h"
#include "wf_parallel.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define WF_HAVE_STREAMING_STORES 1
#endif

/* Above this many bytes per thread, constant fills bypass the caches with streaming
 * (non-temporal) stores: the buffer is too large to be reused from cache, and skipping the
 * read-for-ownership of every line about doubles the write bandwidth (docs/performance.md). */
#ifndef WF_STREAMING_BYTES
#define WF_STREAMING_BYTES ((size_t)1 << 23)
#endif

#ifdef WF_HAVE_STREAMING_STORES
/* Bytes [0, n) of out set to the 16-byte pattern `pattern` (out 16-byte aligned, n % 16 == 0). */
static void stream_pattern(unsigned char *out, size_t n, __m128i pattern)
{
    for (size_t i = 0; i < n; i += 16)
        _mm_stream_si128((__m128i *)(void *)(out + i), pattern);
    _mm_sfence(); /* streaming stores are weakly ordered: publish them before returning */
}
#endif

/* Fills bytes [lo, hi) of a buffer made of copies of one element of `size` bytes. */
static void fill_elements_cached(unsigned char *out, size_t lo, size_t hi, size_t size,
                                 const unsigned char *value, int all_zero);

/* Elements [lo, hi): streaming stores over the 16-byte-aligned middle of a large range, plain
 * stores for the edges and for small ranges. */
static void fill_elements(unsigned char *out, size_t lo, size_t hi, size_t size,
                          const unsigned char *value, int all_zero)
{
#ifdef WF_HAVE_STREAMING_STORES
    size_t bytes = (hi - lo) * size;
    if (bytes >= WF_STREAMING_BYTES && 16 % size == 0) {
        unsigned char *start = out + lo * size, *end = out + hi * size;
        unsigned char *first = start + ((16 - ((uintptr_t)start & 15)) & 15);
        size_t middle = (size_t)(end - first) & ~(size_t)15;
        if ((size_t)(first - start) % size == 0) { /* aligned on elements too */
            unsigned char pattern[16];
            for (size_t i = 0; i < 16; i += size)
                memcpy(pattern + i, value, size);
            size_t head = (size_t)(first - start) / size, body = middle / size;
            fill_elements_cached(out, lo, lo + head, size, value, all_zero);
            stream_pattern(first, middle, _mm_loadu_si128((const __m128i *)(const void *)pattern));
            fill_elements_cached(out, lo + head + body, hi, size, value, all_zero);
            return;
        }
    }
#endif
    fill_elements_cached(out, lo, hi, size, value, all_zero);
}

/* Elements [lo, hi) of `out` set to `value`, as elements of `type`: a typed loop, so that
 * the compiler vectorizes the stores. */
#define WF_FILL_TYPED(type, out, lo, hi, value)                                                    \
    do {                                                                                           \
        type v_;                                                                                   \
        memcpy(&v_, (value), sizeof v_);                                                           \
        type *p_ = (type *)(void *)(out);                                                          \
        for (size_t i_ = (lo); i_ < (hi); ++i_)                                                    \
            p_[i_] = v_;                                                                           \
    } while (0)

static void fill_elements_cached(unsigned char *out, size_t lo, size_t hi, size_t size,
                                 const unsigned char *value, int all_zero)
{
    if (all_zero)
        memset(out + lo * size, 0, (hi - lo) * size);
    else if (size == 4)
        WF_FILL_TYPED(uint32_t, out, lo, hi, value);
    else if (size == 8)
        WF_FILL_TYPED(uint64_t, out, lo, hi, value);
    else if (size == 2)
        WF_FILL_TYPED(uint16_t, out, lo, hi, value);
    else
        for (size_t i = lo; i < hi; ++i)
            memcpy(out + i * size, value, size);
}

void wf_fill_constant(void *out, size_t n, size_t elem_size, const void *value, int n_threads)
{
    unsigned char *bytes = (unsigned char *)out;
    const unsigned char *v = (const unsigned char *)value;
    int all_zero = 1;
    for (size_t i = 0; i < elem_size; ++i)
        all_zero &= v[i] == 0;
    n_threads = wf_usable_threads(n_threads);
    if (n_threads <= 1 || n * elem_size < WF_SERIAL_CONSTANT_BYTES) {
        wf_note_team(1);
        fill_elements(bytes, 0, n, elem_size, v, all_zero);
        return;
    }
    n_threads = wf_startable_team(n_threads);
    /* one contiguous slice per thread: a memory-bound fill gains nothing from finer chunks */
    const int64_t parts = (int64_t)n_threads;
    (void)parts;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads)
#endif
    for (int64_t i = 0; i < parts; ++i) {
        WF_NOTE_TEAM();
        const size_t base = n / (size_t)parts, extra = n % (size_t)parts, k = (size_t)i;
        size_t lo = k * base + (k < extra ? k : extra);
        size_t hi = lo + base + (k < extra ? 1 : 0);
        fill_elements(bytes, lo, hi, elem_size, v, all_zero);
    }
}
