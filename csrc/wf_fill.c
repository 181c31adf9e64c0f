/* The fill driver: cuts a buffer into chunks aligned on stream positions, runs them on an
 * OpenMP team (or serially for small buffers), and lets a block kernel fill each chunk.
 * Every element is a pure function of its stream position, so the result cannot depend on
 * the thread count or on where the chunks fall. */
#include <string.h>

#include "wf_core.h"
#include "wf_kernels.h"
#include "wf_parallel.h"

typedef struct fill_job {
    wf_block_kernel kernel;
    size_t elem_size;
    unsigned per_block; /* elements per Philox block: 4 (32-bit) or 2 (64-bit) */
    char *out;          /* element at position `phase` */
    uint64_t block;     /* block of position 0 */
    uint32_t phase;
    wf_kernel_args args;
} fill_job;

/* Writes the elements at positions [begin, end) (counted from the start of job->block). */
static void fill_positions(const fill_job *job, uint64_t begin, uint64_t end)
{
    const uint64_t per = job->per_block;
    const size_t size = job->elem_size;
    unsigned char edge[4 * sizeof(double)]; /* one block of any element type */
    uint64_t pos = begin;

    if (pos < end && (pos % per != 0 || end - pos < per)) { /* partial first block */
        uint64_t b = pos / per;
        uint64_t stop = (b + 1) * per < end ? (b + 1) * per : end;
        job->kernel(edge, job->block + b, 1, &job->args);
        memcpy(job->out + (pos - job->phase) * size, edge + (pos % per) * size,
               (size_t)(stop - pos) * size);
        pos = stop;
    }
    uint64_t full = (end - pos) / per;
    if (full > 0) {
        job->kernel(job->out + (pos - job->phase) * size, job->block + pos / per, (size_t)full,
                    &job->args);
        pos += full * per;
    }
    if (pos < end) { /* partial last block */
        job->kernel(edge, job->block + pos / per, 1, &job->args);
        memcpy(job->out + (pos - job->phase) * size, edge, (size_t)(end - pos) * size);
    }
}

static void run_fill(fill_job *job, size_t n, int n_threads)
{
    const uint64_t begin = job->phase, end = job->phase + (uint64_t)n;
    if (n == 0)
        return;
    if (n_threads <= 1 || n < WF_SERIAL_THRESHOLD) {
        fill_positions(job, begin, end);
        return;
    }
    const uint64_t first = begin / WF_CHUNK_ELEMENTS;
    const int64_t n_chunks = (int64_t)((end - 1) / WF_CHUNK_ELEMENTS - first + 1);
    (void)n_threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads)
#endif
    for (int64_t i = 0; i < n_chunks; ++i) {
        uint64_t lo = (first + (uint64_t)i) * WF_CHUNK_ELEMENTS;
        uint64_t hi = lo + WF_CHUNK_ELEMENTS;
        fill_positions(job, lo > begin ? lo : begin, hi < end ? hi : end);
    }
}

static fill_job make_job(wf_block_kernel kernel, size_t elem_size, void *out,
                         const wf_origin *o)
{
    fill_job job;
    memset(&job, 0, sizeof job);
    job.kernel = kernel;
    job.elem_size = elem_size;
    job.per_block = (unsigned)(16 / elem_size);
    job.out = (char *)out;
    job.block = o->block;
    job.phase = o->phase;
    job.args.key[0] = (uint32_t)o->seed;
    job.args.key[1] = (uint32_t)(o->seed >> 32);
    job.args.stream[0] = (uint32_t)o->stream;
    job.args.stream[1] = (uint32_t)(o->stream >> 32);
    return job;
}

void wf_fill_raw_u32(uint32_t *out, size_t n, const wf_origin *origin, int n_threads)
{
    fill_job job = make_job(wf_kernel_raw_u32, sizeof *out, out, origin);
    run_fill(&job, n, n_threads);
}

void wf_fill_uniform_f32(float *out, size_t n, const wf_origin *origin, float low, float span,
                         float cap, int n_threads)
{
    fill_job job = make_job(wf_kernel_uniform_f32, sizeof *out, out, origin);
    job.args.p.uniform_f32.low = low;
    job.args.p.uniform_f32.span = span;
    job.args.p.uniform_f32.cap = cap;
    run_fill(&job, n, n_threads);
}

void wf_fill_uniform_f64(double *out, size_t n, const wf_origin *origin, double low,
                         double span, double cap, int n_threads)
{
    fill_job job = make_job(wf_kernel_uniform_f64, sizeof *out, out, origin);
    job.args.p.uniform_f64.low = low;
    job.args.p.uniform_f64.span = span;
    job.args.p.uniform_f64.cap = cap;
    run_fill(&job, n, n_threads);
}

void wf_fill_normal_f32(float *out, size_t n, const wf_origin *origin, float mean, float std,
                        int n_threads)
{
    fill_job job = make_job(wf_kernel_normal_f32, sizeof *out, out, origin);
    job.args.p.normal_f32.mean = mean;
    job.args.p.normal_f32.std = std;
    run_fill(&job, n, n_threads);
}

void wf_fill_normal_f64(double *out, size_t n, const wf_origin *origin, double mean,
                        double std, int n_threads)
{
    fill_job job = make_job(wf_kernel_normal_f64, sizeof *out, out, origin);
    job.args.p.normal_f64.mean = mean;
    job.args.p.normal_f64.std = std;
    run_fill(&job, n, n_threads);
}
